import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repliesDone } from "../support/browser";
import { type LocalWebStack, startLocalWebStack } from "../support/local-web-stack";

// Live tool activity in real Chromium against local mode: the fake LLM asks the real OpenClaw to run
// its `exec` tool; the call must show in the reply, in order with the text, and stay after a reload.

const USER = "alice";
const PASSWORD = "e2e-correct-horse-battery";
// A first turn of the embedded agent on a machine at load 40 has taken over 6 min (OpenClaw sets itself up in it).
const BOOT_MS = 600_000;

let web: LocalWebStack;
let page: Page;

beforeAll(async () => {
  web = await startLocalWebStack({ name: "web-activity-e2e", user: USER, password: PASSWORD, llm: true });
  ({ page } = web);
}, BOOT_MS);

afterAll(() => web?.close());

const reply = () => page.locator('[data-testid="message"][data-role="assistant"]').last();

describe("tool activity in the web chat", () => {
  it(
    "signs in and wakes the agent with a first message",
    async () => {
      await web.signIn();
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
    await repliesDone(page, 2);
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
  }, 60_000);

  it("shows a failing command as failed", async () => {
    await page.fill('[data-testid="message-input"]', 'Fail it [tool:exec:{"command":"exit 3"}]');
    await page.keyboard.press("Enter");
    await repliesDone(page, 3);
    const card = reply().locator('[data-testid="activity"]');
    expect(await card.getAttribute("data-status")).toBe("failed");
    expect(await card.locator('[data-testid="activity-status"]').textContent()).toBe("failed");
  }, 90_000);
});
