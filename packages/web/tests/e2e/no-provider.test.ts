import type { LocalStack } from "@serverless-openclaw/local/local-stack";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalWebStack, startLocalWebStack } from "../support/local-web-stack";

// A new user of local mode with no AI provider (no key in the environment, none in Settings), in
// Chromium against the real gateway: the gateway answers at once and never starts an agent, not even
// the pre-warm at sign-in (issue 23).

const USER = "newcomer";
const PASSWORD = "e2e-no-provider-battery";

let web: LocalWebStack;
let stack: LocalStack;
let page: Page;

beforeAll(async () => {
  web = await startLocalWebStack({ name: "web-no-provider-e2e", user: USER, password: PASSWORD });
  ({ stack, page } = web);
  expect(stack.provider).toBeUndefined();
}, 180_000);

afterAll(() => web?.close());

const userId = () => web.userId();

describe("no AI provider configured", () => {
  it("signs in without pre-warming an agent", async () => {
    await web.signIn();
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
