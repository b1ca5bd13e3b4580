import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page, WebSocketRoute } from "playwright-core";
import { repliesDone } from "./browser";
import { type LocalWebStack, startLocalWebStack } from "./local-web-stack";
import { SCREENSHOTS, type ScreenshotName } from "./screenshots";

const USER = "alice";
const PASSWORD = "screenshots-correct-horse-battery";
// An OpenClaw boot takes ~15 s on an idle machine and minutes on a loaded one.
const BOOT_MS = 600_000;

const LISBON_REPLY = [
  "**Morning:** tram 28 up to Alfama, then the view from the Miradouro de Santa Luzia.",
  "",
  "**Afternoon:** Belém: the Jerónimos Monastery, and a *pastel de nata* still warm.",
  "",
  "**Evening:** dinner in Bairro Alto. To keep the plan at hand:",
  "",
  "```bash",
  "echo 'tram 28 → Belém → Bairro Alto' > lisbon.txt",
  "```",
].join("\n");

/**
 * Drives the product through each screen of SCREENSHOTS and saves `<name>.png` in `outDir`, checking
 * on the way that each screen shows what its picture claims (a failed check throws: no picture of a
 * broken screen). Returns the files written.
 */
export async function takeScreenshots(outDir: string, log: (line: string) => void = () => {}) {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  const shoot = async (page: Page, name: ScreenshotName, fullPage = false) => {
    const path = join(outDir, `${name}.png`);
    await page.screenshot({ path, fullPage });
    written.push(path);
    log(`${name}.png: ${SCREENSHOTS[name]}`);
  };

  const web = await startLocalWebStack({
    name: "screenshots",
    user: USER,
    password: PASSWORD,
    llm: true,
    // OpenClaw's start-up is bounded by 180 s by default; a loaded machine can take longer.
    stack: { agentEnv: { OPENCLAW_READY_TIMEOUT_MS: String(BOOT_MS) } },
  });
  try {
    const { page } = web;
    const socket = await controllableSocket(page);
    await web.signIn();
    await page.waitForSelector('[data-testid="message-input"]');

    // Opening the chat pre-warms the agent: it is waking by the time the first message is typed.
    await page.waitForSelector('[data-testid="status-bar"][data-state="Starting"]', { timeout: 60_000 });
    web.llm?.enqueue({ kind: "reply", text: LISBON_REPLY });
    await page.fill('[data-testid="message-input"]', "Plan a day in Lisbon for me. Keep it short.");
    await page.keyboard.press("Enter");
    await page.waitForSelector('[data-testid="message"][data-role="user"][data-status="queued"]');
    const state = await page.getAttribute('[data-testid="status-bar"]', "data-state");
    if (state !== "Starting") throw new Error(`the agent was ${state} before the picture of it waking`);
    await shoot(page, "web-waking");

    await page.waitForSelector(
      '[data-testid="message"][data-role="assistant"][data-status="done"] pre code',
      {
        timeout: BOOT_MS,
      },
    );
    await page.waitForSelector('[data-testid="status-bar"][data-state="Running"]', { timeout: 30_000 });

    await page.click('[data-testid="new-conversation"]');
    await page.fill(
      '[data-testid="message-input"]',
      'What is in your workspace? [tool:exec:{"command":"ls -l | head -8"}]',
    );
    await page.keyboard.press("Enter");
    await repliesDone(page, 1, 120_000);
    const activity = page.locator('[data-testid="activity"][data-status="done"]').last();
    await activity.waitFor({ timeout: 30_000 });
    await activity.locator("summary").click();
    await page.waitForSelector('[data-testid="activity-preview"]', { state: "visible" });
    await shoot(page, "web-activity");

    await page.click('[data-testid="nav-settings"]');
    await page.waitForSelector('[data-testid="settings-form"]');
    await page.click('[data-testid="keep-warm-enabled"]');
    await page.waitForSelector('[data-testid="keep-warm-cost"]');
    await shoot(page, "web-settings", true);

    await page.click('[data-testid="nav-skills"]');
    await page.waitForSelector('[data-testid="skills-builtin"]');
    await shoot(page, "web-skills");

    await page.click('nav[aria-label="Main"] >> text=Chat');
    await page.waitForSelector('[data-testid="message"][data-role="assistant"]');
    socket.refuse(true);
    await page.waitForSelector('[data-testid="status-connection"][data-connection="reconnecting"]');
    await page.waitForSelector('[data-testid="status-bar"][data-state="unknown"]');
    await page.fill('[data-testid="message-input"]', "And a place for dinner?");
    await page.keyboard.press("Enter");
    await page.waitForSelector(
      '[data-testid="message"][data-role="user"] >> nth=-1 >> [data-testid="message-status"]:has-text("unreachable")',
    );
    await shoot(page, "web-reconnecting");
    socket.refuse(false);
    await page.waitForSelector('[data-testid="status-connection"]', { state: "detached", timeout: 60_000 });
    await repliesDone(page, 2, 120_000);
    // The first conversation again, now with a second one in the list.
    await page.click('[data-testid="conversation-item"] >> text=Plan a day in Lisbon');
    await page.waitForSelector('[data-testid="message"][data-role="assistant"][data-status="done"] pre code');
    await shoot(page, "web-chat");

    const phone = await web.browser.newContext({
      viewport: { width: 390, height: 780 },
      colorScheme: "dark",
    });
    try {
      const p = await phone.newPage();
      await p.goto(web.stack.url);
      await p.fill('[data-testid="login-username"]', USER);
      await p.fill('[data-testid="login-password"]', PASSWORD);
      await p.click('[data-testid="auth-submit"]');
      await p.waitForSelector('[data-testid="message"][data-role="assistant"]');
      await shoot(p, "web-phone-dark");
      await p.click('button[aria-label="Conversations"]');
      await p.waitForSelector('[data-testid="new-conversation"]', { state: "visible" });
      await p.waitForFunction(() => document.querySelector(".sidebar")?.getBoundingClientRect().left === 0);
      await shoot(p, "web-phone-drawer");
    } finally {
      await phone.close();
    }
  } finally {
    await web.close();
  }

  // A new user with no provider: the gateway answers at once, no agent starts.
  const bare: LocalWebStack = await startLocalWebStack({
    name: "screenshots-no-provider",
    user: "newcomer",
    password: PASSWORD,
  });
  try {
    await bare.signIn();
    await bare.page.fill('[data-testid="message-input"]', "Hello, anyone there?");
    await bare.page.keyboard.press("Enter");
    await bare.page.waitForSelector('[data-testid="message"][data-role="assistant"][data-status="error"]', {
      timeout: 60_000,
    });
    if (bare.stack.runner.spawnedProcesses().size !== 0)
      throw new Error("an agent started without a provider");
    await shoot(bare.page, "web-no-provider");
  } finally {
    await bare.close();
  }
  return written;
}

/**
 * Routes the page's client WebSocket through Playwright so the tour can make the server unreachable:
 * while refusing, open sockets are closed and new ones closed at once (the page keeps reconnecting).
 */
async function controllableSocket(page: Page): Promise<{ refuse(on: boolean): void }> {
  let refusing = false;
  /** Each open page-side socket with its server side. */
  const open = new Map<WebSocketRoute, WebSocketRoute>();
  const end = (ws: WebSocketRoute) => {
    const server = open.get(ws);
    open.delete(ws);
    void ws.close({ code: 1011, reason: "unreachable" }).catch(() => undefined);
    void server?.close().catch(() => undefined);
  };
  await page.routeWebSocket(/\/ws(\?|$)/, (ws) => {
    if (refusing) {
      void ws.close({ code: 1011, reason: "unreachable" }).catch(() => undefined);
      return;
    }
    open.set(ws, ws.connectToServer());
    // A close handler turns off Playwright's own forwarding of the page's close: forward it here.
    ws.onClose(() => end(ws));
  });
  return {
    refuse(on) {
      refusing = on;
      if (on) for (const ws of [...open.keys()]) end(ws);
    },
  };
}
