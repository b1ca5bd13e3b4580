import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalStack, type LocalStack } from "@serverless-openclaw/local/local-stack";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWeb, launchChromium } from "../support/browser";

// A new user of local mode with no AI provider (no key in the environment, none in Settings), in
// Chromium against the real gateway: the gateway answers at once and never starts an agent, not even
// the pre-warm at sign-in (issue 23).

// WEB_SCREENSHOTS_DIR=docs/images saves web-no-provider.png for the README.
const shots = process.env.WEB_SCREENSHOTS_DIR;

const USER = "newcomer";
const PASSWORD = "e2e-no-provider-battery";

let stack: LocalStack;
let browser: Browser;
let page: Page;
let dist: Awaited<ReturnType<typeof buildWeb>>;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "web-no-provider-e2e-"));
  [dist, browser] = await Promise.all([buildWeb(), launchChromium()]);
  stack = await createLocalStack({
    dataDir,
    port: 0,
    webDist: dist.dir,
    env: { LOCAL_USER: USER, LOCAL_PASSWORD: PASSWORD },
    print: () => undefined,
  });
  expect(stack.provider).toBeUndefined();
  page = await (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  dist?.remove();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function userId(): Promise<string> {
  const user = stack.identity.users.get(USER);
  if (!user) throw new Error("the local user is missing");
  return user.sub;
}

describe("no AI provider configured", () => {
  it("signs in without pre-warming an agent", async () => {
    await page.goto(stack.url);
    await page.fill('[data-testid="login-username"]', USER);
    await page.fill('[data-testid="login-password"]', PASSWORD);
    await page.click('[data-testid="auth-submit"]');
    await page.waitForSelector('[data-testid="status-bar"][data-state="Idle"]', { timeout: 60_000 });
    // The page sent its pre-warm with the first status; give the gateway time to (not) act on it.
    await page.fill('[data-testid="message-input"]', "h"); // typing pre-warms too
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await stack.stores.taskState.get(await userId())).state).toBe("Idle");
    expect(stack.runner.spawnedProcesses().size).toBe(0);
    expect(await page.getAttribute('[data-testid="status-bar"]', "data-state")).toBe("Idle");
  });

  it("answers the first message at once, naming every option with a link to Settings", async () => {
    await page.fill('[data-testid="message-input"]', "Hello, anyone there?");
    await page.keyboard.press("Enter");
    // No boot: the answer is there within seconds even on a loaded machine.
    await page.waitForSelector('[data-testid="message"][data-role="assistant"][data-status="error"]', {
      timeout: 15_000,
    });
    const error = (await page.textContent('[data-testid="message-error"]')) ?? "";
    for (const option of ["Claude (Anthropic)", "GPT (OpenAI)", "DeepSeek", "OpenAI-compatible", "Ollama"])
      expect(error).toContain(option);
    expect(error).toContain("http://127.0.0.1:11434/v1");
    expect(error).toContain("ANTHROPIC_API_KEY"); // local mode's environment options too
    expect(error).not.toContain("`");
    expect(await page.locator('[data-testid="message-error"]').count()).toBe(1);
    expect(stack.runner.spawnedProcesses().size).toBe(0);
    expect((await stack.stores.taskState.get(await userId())).state).toBe("Idle");
    expect(await stack.stores.pending.list(await userId())).toHaveLength(0);
    // The bar does not claim a failed start: nothing was started.
    expect(await page.isVisible('[data-testid="status-error"]')).toBe(false);
    if (shots) {
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, "web-no-provider.png") });
    }
  });

  it("shows the answer once after a reload, and its link opens Settings", async () => {
    await page.reload();
    await page.waitForSelector('[data-testid="message"][data-role="assistant"][data-status="error"]');
    expect(await page.locator('[data-testid="message"]').count()).toBe(2);
    expect(await page.locator('[data-testid="message-error"]').count()).toBe(1);
    const reply = (await page.textContent('[data-testid="message"][data-role="assistant"]')) ?? "";
    expect(reply.split("No AI provider is configured yet")).toHaveLength(2); // once, not twice
    await page.click('[data-testid="open-settings"]');
    await page.waitForSelector('[data-testid="settings-form"]');
    expect(stack.runner.spawnedProcesses().size).toBe(0);
  });
});
