import type { LocalStack } from "@serverless-openclaw/local/local-stack";
import { KEYS } from "@serverless-openclaw/shared";
import { until } from "@serverless-openclaw/testkit";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repliesDone } from "../support/browser";
import { type LocalWebStack, startLocalWebStack } from "../support/local-web-stack";

// The production bundle in real Chromium against local mode: the real gateway handlers, the local
// Cognito-shaped issuer, embedded stores, and a real OpenClaw agent process answering through the
// fake LLM. One stack and one OpenClaw boot for the whole file, so the tests run in order.

const USER = "alice";
const PASSWORD = "e2e-correct-horse-battery";
// OpenClaw boots in ~15 s on an idle machine; under a loaded CI box it has taken over 150 s.
const BOOT_MS = 360_000;

let web: LocalWebStack;
let stack: LocalStack;
let page: Page;

beforeAll(async () => {
  web = await startLocalWebStack({
    name: "web-local-e2e",
    user: USER,
    password: PASSWORD,
    llm: true,
    // OpenClaw's own ready limit (180 s by default) inside the page's wait, not below it: at load 28 a
    // boot took longer than 180 s and the task gave up while the page still waited.
    stack: { agentEnv: { OPENCLAW_READY_TIMEOUT_MS: String(BOOT_MS - 30_000) } },
  });
  ({ stack, page } = web);
});

afterAll(() => web?.close());

const messages = () => page.locator('[data-testid="message"]');
const agentState = () => page.getAttribute('[data-testid="status-bar"]', "data-state");

describe("web app against local mode", () => {
  it("logs in with the local issuer", async () => {
    await web.signIn();
    await page.waitForSelector('[data-testid="message-input"]');
    await page.waitForSelector('[data-testid="status-bar"]:not([data-state="unknown"])');
  });

  it(
    "sends while the agent sleeps, shows the wake steps, then the streamed reply",
    async () => {
      // Opening the chat pre-warms the agent, so it is asleep or already waking here.
      expect(["Idle", "Starting"]).toContain(await agentState());
      const seenSteps = new Set<string>();
      const watch = setInterval(() => {
        void page
          .textContent('[data-testid="status-agent"]')
          .then((t) => t && seenSteps.add(t.replace(/ · .*$/, "")))
          .catch(() => undefined);
      }, 100);
      await page.fill('[data-testid="message-input"]', "Hello from the browser");
      await page.keyboard.press("Enter");
      await page.waitForSelector('[data-testid="message"][data-role="user"][data-status="queued"]');
      await page.waitForSelector('[data-testid="message"][data-role="assistant"][data-status="done"]', {
        timeout: BOOT_MS,
      });
      clearInterval(watch);
      expect([...seenSteps].some((s) => s.startsWith("Waking up"))).toBe(true);
      // Running may come with the reply or from the next status poll (every 5 s while Starting).
      await page.waitForSelector('[data-testid="status-bar"][data-state="Running"]', { timeout: 20_000 });
      const reply = await messages().last().textContent();
      expect(reply).toContain("echo: Hello from the browser");
      expect(await messages().count()).toBe(2);
    },
    BOOT_MS + 30_000,
  );

  it("shows the same history after a reload (silent sign-in with the refresh token)", async () => {
    await page.reload();
    await page.waitForSelector('[data-testid="message"][data-role="assistant"]');
    expect(await page.isVisible('[data-testid="login-form"]')).toBe(false);
    expect(await messages().count()).toBe(2);
    expect(await messages().first().textContent()).toContain("Hello from the browser");
  });

  it("survives a dropped WebSocket mid-reply without a lost or doubled message", async () => {
    await page.waitForSelector('[data-testid="status-bar"][data-state="Running"]');
    await page.fill('[data-testid="message-input"]', "Slow one [slow:150]");
    await page.keyboard.press("Enter");
    await page.waitForSelector('[data-testid="message"][data-role="assistant"][data-status="streaming"]', {
      timeout: 30_000,
    });
    // Cut the browser's connection from the server side, as API Gateway does after 2 hours.
    const clients = await stack.stores.connections.listByUser(web.userId(), "client");
    expect(clients.length).toBeGreaterThan(0);
    for (const c of clients) stack.server.client.disconnect(c.connectionId);
    await page.waitForSelector('[data-testid="status-connection"]');
    // While it reconnects the user sends another message: it waits in the outbox.
    await page.fill('[data-testid="message-input"]', "Sent while reconnecting");
    await page.keyboard.press("Enter");
    await page.waitForSelector('[data-testid="status-connection"]', { state: "detached", timeout: 30_000 });
    await repliesDone(page, 3);
    const texts = await messages().allTextContents();
    expect(texts.filter((t) => t.includes("echo: Sent while reconnecting"))).toHaveLength(1);
    expect(texts.filter((t) => t.startsWith("You said:Sent while reconnecting"))).toHaveLength(1);
    expect(texts.filter((t) => t.startsWith("You said:Slow one"))).toHaveLength(1);

    // What the gateway stored: each message once, each answered once.
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="message"]').length >= 6);
    const stored = await messages().allTextContents();
    expect(stored).toHaveLength(6);
    expect(stored.filter((t) => t.includes("Sent while reconnecting"))).toHaveLength(2); // question + echo
  });

  it(
    "saving settings restarts the running agent while the page is open, showing the measured wake estimate",
    async () => {
      await page.click('[data-testid="nav-settings"]');
      await page.waitForSelector('[data-testid="settings-form"]');
      expect(await page.inputValue('[data-testid="settings-provider"]')).toBe("openai-compatible");
      await page.fill('[data-testid="settings-inactivity"]', "999");
      await page.click('[data-testid="settings-save"]');
      expect(await page.textContent('[data-testid="settings-inactivity-error"]')).toBe(
        "inactivityMinutes must be at most 240",
      );
      const before = await stack.stores.taskState.get(web.userId());
      expect(before.state).toBe("Running");
      // The first wake of this deployment was measured when the agent connected.
      const samples = await stack.stores.settings.get<number[]>(
        KEYS.settings.deploymentPartition,
        KEYS.settings.wakeSeconds,
      );
      expect(samples).toHaveLength(1);
      const estimate = Math.round(samples?.[0] ?? 0);
      await page.fill('[data-testid="settings-inactivity"]', "30");
      await page.click('[data-testid="settings-save"]');
      await page.waitForSelector('[data-testid="settings-saved"]');
      expect(await page.textContent('[data-testid="settings-saved"]')).toContain("restarts");
      // The agent stops to take the settings, and the open page starts it again at once.
      await until(
        "the agent restarting with the new settings",
        async () => {
          const row = await stack.stores.taskState.get(web.userId());
          return row.state === "Starting" && row.startedAt !== before.startedAt;
        },
        { timeoutMs: 120_000, intervalMs: 100 },
      );
      await page.waitForFunction(
        (text) => document.querySelector('[data-testid="status-agent"]')?.textContent?.includes(text),
        `usually ~${estimate} s`,
        { timeout: 60_000 },
      );
      await page.waitForSelector('[data-testid="status-bar"][data-state="Running"]', { timeout: BOOT_MS });
      const after = await stack.stores.taskState.get(web.userId());
      expect(after.startedAt).not.toBe(before.startedAt);
    },
    BOOT_MS + 200_000,
  );

  it("keeps the saved settings, and reports that Telegram is not set up here", async () => {
    await page.reload();
    await page.waitForSelector('[data-testid="settings-form"]');
    expect(await page.inputValue('[data-testid="settings-inactivity"]')).toBe("30");
    await page.click('[data-testid="pairing-create"]');
    expect(await page.textContent('[data-testid="pairing-error"]')).toContain("Telegram is not set up");
  });

  it("stops the agent from the settings page, and it stays asleep", async () => {
    await page.click('[data-testid="stop-agent"]');
    await page.waitForSelector('[data-testid="stop-agent-result"]');
    await page.waitForSelector('[data-testid="status-bar"][data-state="Idle"]', { timeout: 100_000 });
    // The status poll that brought Idle must not count as "page opened": no pre-warm restart.
    await new Promise((r) => setTimeout(r, 6_000));
    expect(await agentState()).toBe("Idle");
    expect((await stack.stores.taskState.get(web.userId())).state).toBe("Idle");
  }, 120_000);
});
