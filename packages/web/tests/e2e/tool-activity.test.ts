import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalStack, type LocalStack } from "@serverless-openclaw/local/local-stack";
import { type FakeLlm, startFakeLlm } from "@serverless-openclaw/testkit";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWeb, launchChromium } from "../support/browser";

// Live tool activity in real Chromium against local mode: the fake LLM asks the real OpenClaw to run
// its `exec` tool; the call must show in the reply, in order with the text, and stay after a reload.

const USER = "alice";
const PASSWORD = "e2e-correct-horse-battery";
const BOOT_MS = 360_000;

let stack: LocalStack;
let llm: FakeLlm;
let browser: Browser;
let page: Page;
let dist: Awaited<ReturnType<typeof buildWeb>>;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "web-activity-e2e-"));
  [dist, llm, browser] = await Promise.all([buildWeb(), startFakeLlm(), launchChromium()]);
  stack = await createLocalStack({
    dataDir,
    port: 0,
    webDist: dist.dir,
    llmBaseUrl: llm.baseUrl,
    llmModel: llm.model,
    env: { LOCAL_USER: USER, LOCAL_PASSWORD: PASSWORD },
    print: () => undefined,
  });
  page = await (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage();
}, BOOT_MS);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await llm?.stop();
  dist?.remove();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const reply = () => page.locator('[data-testid="message"][data-role="assistant"]').last();

describe("tool activity in the web chat", () => {
  it(
    "signs in and wakes the agent with a first message",
    async () => {
      await page.goto(stack.url);
      await page.fill('[data-testid="login-username"]', USER);
      await page.fill('[data-testid="login-password"]', PASSWORD);
      await page.click('[data-testid="auth-submit"]');
      await page.waitForSelector('[data-testid="message-input"]');
      await page.fill('[data-testid="message-input"]', "Hello");
      await page.keyboard.press("Enter");
      await page.waitForSelector('[data-testid="message"][data-role="assistant"][data-status="done"]', {
        timeout: BOOT_MS,
      });
    },
    BOOT_MS + 30_000,
  );

  it("shows thinking, then the exec call running and done with its command, duration and result, then the text", async () => {
    // The command sleeps so the running state is on screen long enough to be seen.
    await page.fill(
      '[data-testid="message-input"]',
      'Run it [tool:exec:{"command":"sleep 2; echo activity-ok"}]',
    );
    await page.keyboard.press("Enter");
    await page.waitForSelector('[data-testid="typing"]', { timeout: 60_000 });
    const card = reply().locator('[data-testid="activity"]');
    await card.waitFor({ timeout: 60_000 });
    await page.waitForSelector('[data-testid="activity"][data-status="running"]', { timeout: 30_000 });
    expect(await card.locator('[data-testid="activity-name"]').textContent()).toBe("exec");
    expect(await card.locator('[data-testid="activity-summary"]').textContent()).toBe(
      "sleep 2; echo activity-ok",
    );
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-testid="message"][data-role="assistant"][data-status="done"]')
          .length === 2,
      undefined,
      { timeout: 60_000 },
    );
    await page.waitForSelector('[data-testid="activity"][data-status="done"]');
    expect(await card.locator('[data-testid="activity-status"]').textContent()).toBe("done");
    expect(await card.locator('[data-testid="activity-duration"]').textContent()).toMatch(/^\d+(\.\d)? s$/);
    // The result is folded away until opened.
    const preview = card.locator('[data-testid="activity-preview"]');
    expect(await preview.isVisible()).toBe(false);
    await card.locator("summary").click();
    expect(await preview.textContent()).toContain("activity-ok");
    // In order: the call first, then the text written after it.
    const order = await reply().evaluate((el) =>
      [...el.querySelectorAll(".reply-part")].map((p) =>
        p.querySelector('[data-testid="activity"]') ? "activity" : "text",
      ),
    );
    expect(order).toEqual(["activity", "text"]);
    expect(await reply().textContent()).toContain("Tool output: activity-ok");
    expect(await page.isVisible('[data-testid="typing"]')).toBe(false);
  }, 150_000);

  it("keeps the activity with the turn after a reload", async () => {
    await page.reload();
    const card = reply().locator('[data-testid="activity"]');
    await card.waitFor({ timeout: 30_000 });
    expect(await card.getAttribute("data-status")).toBe("done");
    expect(await card.locator('[data-testid="activity-summary"]').textContent()).toBe(
      "sleep 2; echo activity-ok",
    );
    expect(await card.locator('[data-testid="activity-duration"]').textContent()).toMatch(/ s$/);
    await page.screenshot({
      path: process.env.SCREENSHOT_DIR
        ? join(process.env.SCREENSHOT_DIR, "web-activity.png")
        : join(dataDir, "web-activity.png"),
    });
  }, 60_000);

  it("shows a failing command as failed", async () => {
    await page.fill('[data-testid="message-input"]', 'Fail it [tool:exec:{"command":"exit 3"}]');
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-testid="message"][data-role="assistant"][data-status="done"]')
          .length === 3,
      undefined,
      { timeout: 60_000 },
    );
    const card = reply().locator('[data-testid="activity"]');
    expect(await card.getAttribute("data-status")).toBe("failed");
    expect(await card.locator('[data-testid="activity-status"]').textContent()).toBe("failed");
  }, 90_000);
});
