import type { StoredMessage } from "@serverless-openclaw/shared";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWeb, launchChromium, serveWeb } from "../support/browser";
import { FakeCognito } from "../support/fake-cognito";
import { FakeGateway, waitFor } from "../support/fake-gateway";
import { FakeHttpApi } from "../support/fake-http-api";

// The production bundle in real Chromium against loopback fakes of Cognito, the client WebSocket
// API and the HTTP API: real module loading, CSS, fetch with CORS, the browser's WebSocket and
// keyboard. (The run against local mode with the real gateway and OpenClaw is local-mode.test.ts; the
// README's screenshots come from local mode too: scripts/screenshots.ts.)

let browser: Browser;
let web: Awaited<ReturnType<typeof serveWeb>>;
let dist: Awaited<ReturnType<typeof buildWeb>>;
let cognito: FakeCognito;
let gateway: FakeGateway;
let api: FakeHttpApi;
let context: BrowserContext;
let page: Page;

const conv = "welcome";
const at = (min: number) => new Date(Date.UTC(2026, 10, 25, 9, min)).toISOString();
const history: StoredMessage[] = [
  {
    conversationId: conv,
    messageId: "h1",
    clientMessageId: "h1",
    role: "user",
    text: "What can you do?",
    channel: "web",
    createdAt: at(0),
  },
  {
    conversationId: conv,
    messageId: "h2",
    clientMessageId: "h1",
    role: "assistant",
    text: "I can **search**, write code, keep notes and remind you of things.\n\n- Ask me anything\n- Pair Telegram in *Settings* to reach me on the go",
    channel: "web",
    createdAt: at(1),
  },
];

beforeAll(async () => {
  [dist, cognito, gateway, api, browser] = await Promise.all([
    buildWeb(),
    FakeCognito.start(),
    FakeGateway.start(),
    FakeHttpApi.start(),
    launchChromium(),
  ]);
  cognito.addUser("alice", "correct-horse");
  api.conversations = [
    { conversationId: conv, title: "Getting started", channel: "web", createdAt: at(0), updatedAt: at(1) },
    { conversationId: "trip", title: "Trip to Lisbon", channel: "web", createdAt: at(0), updatedAt: at(0) },
  ];
  api.messages.set(conv, history);
  api.messages.set("trip", []);
  api.pairings = [
    { channel: "telegram", externalUserId: "5551234", userId: "u", username: "alice_tg", pairedAt: at(0) },
  ];
  web = await serveWeb(dist.dir, () => ({
    region: "us-east-1",
    userPoolId: "us-east-1_LocalDev1",
    userPoolClientId: "client-123",
    cognitoEndpoint: cognito.endpoint,
    // FakeCognito speaks the password flow; SRP is proven against local mode's issuer (local-mode e2e).
    passwordFlow: "USER_PASSWORD_AUTH",
    wsUrl: gateway.url,
    apiUrl: api.url,
    telegramBotUsername: "my_openclaw_bot",
    selfSignUp: false,
  }));
  context = await browser.newContext({ viewport: { width: 1200, height: 760 }, colorScheme: "light" });
  page = await context.newPage();
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await Promise.all([web?.close(), cognito?.close(), gateway?.close(), api?.close()]);
  dist?.remove();
});

const state = () => page.getAttribute('[data-testid="status-bar"]', "data-state");

describe("web app in Chromium", () => {
  it("signs in and shows the newest conversation with the agent asleep", async () => {
    await page.goto(web.url);
    await page.waitForSelector('[data-testid="login-form"]');
    await page.fill('[data-testid="login-username"]', "alice");
    await page.fill('[data-testid="login-password"]', "correct-horse");
    await page.keyboard.press("Enter");
    await page.waitForSelector('[data-testid="message-input"]');
    await waitFor(() => gateway.tokens.length === 1, "socket");
    await page.waitForSelector('[data-testid="status-bar"][data-state="Idle"]');
    // The history arrives on its own, after the status: wait for it, then check it is all there.
    await page.waitForSelector('[data-testid="message"] >> nth=1');
    expect(await page.locator('[data-testid="message"]').count()).toBe(2);
    expect(await page.locator('[data-testid="message"] strong').first().textContent()).toBe("search");
    await waitFor(() => gateway.of("agent.wake").length === 1, "pre-warm");
  });

  it("Shift+Enter adds a line, Enter sends; the message is queued while the agent wakes", async () => {
    await page.click('[data-testid="message-input"]');
    await page.keyboard.type("Plan a day in Lisbon.");
    await page.keyboard.press("Shift+Enter");
    await page.keyboard.type("Keep it short.");
    await page.keyboard.press("Enter");
    await waitFor(() => gateway.of("chat.send").length === 1, "send");
    expect(gateway.of("chat.send")[0]?.text).toBe("Plan a day in Lisbon.\nKeep it short.");
    await page.waitForSelector('[data-testid="message"][data-role="user"][data-status="queued"]');
    gateway.push({
      type: "agent.status",
      state: "Starting",
      step: "starting-openclaw",
      startedAt: new Date(Date.now() - 14_000).toISOString(),
      typicalWakeSeconds: 45,
      message: "Waking up the agent…",
    });
    await page.waitForSelector('[data-testid="status-bar"][data-state="Starting"]');
    expect(await page.textContent('[data-testid="status-agent"]')).toMatch(
      /Starting OpenClaw… · 1\d s · usually ~45 s/,
    );
    // One source of truth: the queued message says what the bar says.
    expect(await page.textContent('[data-testid="message-status"]')).toBe("Queued — the agent is waking up");
    // The task's own step pushes carry no estimate: the gateway's stays.
    gateway.push({
      type: "agent.status",
      state: "Starting",
      step: "connecting",
      startedAt: new Date().toISOString(),
    });
    await page.waitForSelector('[data-testid="status-agent"]:has-text("Connecting")');
    expect(await page.textContent('[data-testid="status-agent"]')).toContain("usually ~45 s");
  });

  it("streams the reply and renders it as Markdown", async () => {
    const sent = gateway.of("chat.send")[0] as { clientMessageId: string };
    const ids = { clientMessageId: sent.clientMessageId, conversationId: conv };
    gateway.push({ type: "agent.status", state: "Running" });
    await page.waitForSelector('[data-testid="status-bar"][data-state="Running"]');
    // Running while the message waits its turn: the bubble says so, not "when it is awake".
    expect(await page.textContent('[data-testid="message-status"]')).toBe(
      "Queued — the agent answers it next",
    );
    const reply =
      "**Morning:** tram 28 to Alfama.\n\n**Afternoon:** Belém — try a *pastel de nata*.\n\n```bash\necho 'obrigado'\n```";
    const chunks = reply.match(/[\s\S]{1,12}/g) ?? [];
    chunks.forEach((text, seq) => {
      gateway.push({ type: "chat.delta", ...ids, seq, text });
    });
    await page.waitForSelector('[data-testid="message"][data-role="assistant"][data-status="streaming"]');
    gateway.push({
      type: "chat.final",
      ...ids,
      messageId: "r1",
      text: reply,
      createdAt: new Date().toISOString(),
    });
    await page.waitForSelector('[data-testid="message"][data-role="assistant"][data-status="done"] pre code');
    expect(await state()).toBe("Running");
    expect(await page.locator('[data-testid="message"]').last().locator("pre code").textContent()).toBe(
      "echo 'obrigado'",
    );
  });

  it("shows a lost connection and resends the unacknowledged message once it is back", async () => {
    gateway.holdAcks = true;
    await page.fill('[data-testid="message-input"]', "Add a dinner place.");
    await page.click('[data-testid="send-button"]');
    await waitFor(() => gateway.of("chat.send").length === 2, "second send");
    gateway.refuse = true;
    gateway.holdAcks = false;
    gateway.dropAll();
    await page.waitForSelector('[data-testid="status-connection"][data-connection="reconnecting"]');
    // The server cannot be reached: nothing is known about the agent, and neither the bar nor the
    // waiting message claims it is running.
    await page.waitForSelector('[data-testid="status-bar"][data-state="unknown"]');
    const bar = await page.textContent('[data-testid="status-bar"]');
    expect(bar).toContain("Server unreachable");
    expect(bar).not.toContain("Agent running");
    expect(
      await page.textContent(
        '[data-testid="message"][data-role="user"] >> nth=-1 >> [data-testid="message-status"]',
      ),
    ).toContain("the server is unreachable");
    gateway.refuse = false; // the next backoff attempt gets through
    await waitFor(() => gateway.of("chat.send").length === 3, "resend");
    const [, first, again] = gateway.of("chat.send");
    expect(again?.clientMessageId).toBe(first?.clientMessageId);
    expect(gateway.stored.filter((id) => id === first?.clientMessageId)).toHaveLength(1);
    await page.waitForSelector('[data-testid="status-connection"]', { state: "detached" });
    expect(await page.locator('[data-testid="message"]', { hasText: "Add a dinner place." }).count()).toBe(1);
  });

  it("changes settings and gets a Telegram pairing code", async () => {
    await page.click('[data-testid="nav-settings"]');
    await page.waitForSelector('[data-testid="settings-form"]');
    await page.selectOption('[data-testid="settings-provider"]', "openai-compatible");
    await page.fill('[data-testid="settings-inactivity"]', "0");
    await page.click('[data-testid="settings-save"]');
    expect(await page.textContent('[data-testid="settings-base-url-error"]')).toBe(
      "an OpenAI-compatible provider needs a baseUrl",
    );
    expect(await page.textContent('[data-testid="settings-inactivity-error"]')).toBe(
      "inactivityMinutes must be at least 1",
    );
    await page.fill('[data-testid="settings-base-url"]', "http://127.0.0.1:11434/v1");
    await page.fill('[data-testid="settings-model"]', "llama3.2");
    await page.fill('[data-testid="settings-api-key"]', "sk-local-test");
    await page.fill('[data-testid="settings-inactivity"]', "20");
    await page.click('[data-testid="settings-save"]');
    await page.waitForSelector('[data-testid="settings-saved"]');
    expect(api.settings).toMatchObject({
      provider: "openai-compatible",
      model: "llama3.2",
      apiKeySet: true,
      inactivityMinutes: 20,
    });
    expect(await page.textContent('[data-testid="settings-api-key-state"]')).toContain("A key is set");
    expect(await page.inputValue('[data-testid="settings-api-key"]')).toBe("");
    await page.click('[data-testid="pairing-create"]');
    expect(await page.textContent('[data-testid="pairing-code"]')).toBe("K7P2M9QX");
  });

  it("fits a phone screen and follows the dark colour scheme", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 780 }, colorScheme: "dark" });
    const p = await phone.newPage();
    await p.goto(web.url);
    await p.fill('[data-testid="login-username"]', "alice");
    await p.fill('[data-testid="login-password"]', "correct-horse");
    await p.click('[data-testid="auth-submit"]');
    await p.waitForSelector('[data-testid="message"]');
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const bg = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe("rgb(21, 23, 26)");
    expect(await p.isVisible('[data-testid="new-conversation"]')).toBe(false);
    await p.click('button[aria-label="Conversations"]');
    await p.waitForSelector('[data-testid="new-conversation"]', { state: "visible" });
    await p.waitForFunction(() => {
      const aside = document.querySelector(".sidebar");
      return aside !== null && aside.getBoundingClientRect().left === 0;
    });
    await phone.close();
  });
});
