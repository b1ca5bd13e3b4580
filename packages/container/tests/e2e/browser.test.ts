import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { FakeLlm } from "@serverless-openclaw/testkit/fake-llm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumFromEnv } from "../../src/chromium";
import { CHROMIUM_QUIET_FLAGS } from "../../src/openclaw-config";
import { type RunningTask, TaskHarness, USER_ID, until } from "../support/harness";
import { savedStatePaths } from "../support/saved-state";

// The agent task with OpenClaw's browser tool on and Debian's Chromium (/usr/bin/chromium or
// CHROMIUM_PATH), driven by the fake LLM's scripted tool calls against pages served here on
// loopback. One boot for the whole file; the tests run in order and build on each other.
// OpenClaw 2026.9 defers the browser tool's schema behind Tool Search, so a model (and the fake)
// calls it as `tool_call` with `{ id: "browser", args }`.
const chromium = chromiumFromEnv({ ...process.env, BROWSER_ALLOWED_HOSTS: "127.0.0.1" });
const TOKEN = `page-token-${randomBytes(6).toString("hex")}`;

let llm: FakeLlm;
let h: TaskHarness;
let run: RunningTask;
let tab: string;
let site: Server;
let siteUrl: string;
const visits: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
const held: ServerResponse[] = [];

beforeAll(async () => {
  if (!chromium) return;
  site = createServer((req, res) => {
    visits.push({ url: req.url ?? "", headers: req.headers });
    if (req.url === "/page") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(
        `<!doctype html><title>Notes</title><main><h1>Notes</h1>` +
          `<p>Read on: <a href="/more">the code is ${TOKEN}</a></p></main>`,
      );
    } else if (req.url === "/hang") {
      held.push(res); // never answered: a page that never finishes loading
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  h = new TaskHarness();
  await h.start();
  llm = await h.useFakeLlm(undefined, { browserEnabled: true });
  tab = await h.addClient();
  run = await h.bootConnected({ boot: () => h.boot({}, { chromium }) });
  if (!chromium) return;
  // OpenClaw starts Chromium on the browser tool's first use; on a loaded machine that launch can
  // outlast the tool's own timeout. Wait (on a deadline) until the tool answers once, so the tests
  // below see the tool, not the launch.
  let warm = 0;
  await until(
    "the browser tool answered a navigation without timing out",
    async () => {
      const reply = await ask(
        `Warm up ${browserCall({ action: "navigate", targetUrl: `${siteUrl}/page` })}`,
        `warm-${++warm}`,
      );
      return reply.type === "chat.final" && String(reply.text).includes(TOKEN);
    },
    600_000,
  );
}, 900_000);

afterAll(async () => {
  await run?.task.stop("signal");
  for (const res of held) res.destroy();
  site?.closeAllConnections();
  await new Promise((r) => (site ? site.close(r) : r(undefined)));
  await h?.stop();
});

const finals = () => h.push.of("chat.final", tab);
const errors = () => h.push.of("chat.error", tab);

/** Sends a message in the one conversation of this file and waits for its end (final or error). */
async function ask(text: string, id: string): Promise<{ type: string; text?: string; code?: string }> {
  h.gateway.deliver(await h.enqueue(text, "conv-web", id));
  const ended = () =>
    finals().find((e) => e.clientMessageId === id) ?? errors().find((e) => e.clientMessageId === id);
  await until(`the reply to ${id}`, () => ended() !== undefined, 200_000);
  return ended() as { type: string; text?: string; code?: string };
}

const browserCall = (args: Record<string, unknown>) =>
  `[tool:tool_call:${JSON.stringify({ id: "browser", args })}]`;

/** Chromium processes of this task: the ones using a profile under its work dir. */
function chromiumProcesses(): Array<{ pid: number; args: string[] }> {
  const found: Array<{ pid: number; args: string[] }> = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").filter(Boolean);
      if (args.some((a) => a.startsWith(`--user-data-dir=${run.workDir}`)))
        found.push({ pid: Number(entry), args });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

// Each test asks one to three turns of up to 200 s each (`ask`): the default per-test limit of the
// config would cut a loaded machine's slow turn short before the test's own deadlines say what hung.
describe.skipIf(!chromium)("browser tool with Debian's Chromium", { timeout: 600_000 }, () => {
  it("opens a page on loopback, reads it and answers with its content", async () => {
    const reply = await ask(
      `What does the page say? ${browserCall({ action: "navigate", targetUrl: `${siteUrl}/page` })}`,
      "page-1",
    );
    expect(reply.type).toBe("chat.final");
    // The token exists only on the page: it reached the answer through Chromium and the tool result.
    expect(reply.text).toContain(TOKEN);
    expect(visits.find((v) => v.url === "/page")?.headers["user-agent"]).toMatch(/HeadlessChrome/);
    const toolMessage = llm
      .chatRequests()
      .flatMap((r) => r.messages)
      .find((m) => m.role === "tool" && JSON.stringify(m.content).includes(TOKEN));
    expect(toolMessage).toBeDefined();
  });

  it("launched the configured Chromium: headless, quiet flags, loopback DevTools, profile in the task's state dir", () => {
    const main = chromiumProcesses().find((p) => !p.args.some((a) => a.startsWith("--type=")));
    expect(main?.args[0]).toContain("chromium");
    const args = main?.args ?? [];
    expect(args).toContain("--headless=new");
    for (const flag of CHROMIUM_QUIET_FLAGS) expect(args).toContain(flag);
    expect(args).toContain(
      `--user-data-dir=${join(run.workDir, "state", "browser", "openclaw", "user-data")}`,
    );
    expect(args.some((a) => /^--remote-debugging-port=\d+$/.test(a))).toBe(true);
    expect(args.join(" ")).not.toContain("--remote-debugging-address");
    if (process.getuid?.() === 0) expect(args).toContain("--no-sandbox");
  });

  it("answers when a page never finishes loading, and the next message still gets its reply", async () => {
    const reply = await ask(
      `Open the slow page ${browserCall({ action: "navigate", targetUrl: `${siteUrl}/hang`, timeoutMs: 20_000 })}`,
      "hang-1",
    );
    expect(held.length).toBeGreaterThan(0); // Chromium did ask for it, and got nothing
    expect(reply.type).toBe("chat.final");
    expect(reply.text).toContain('"status": "error"');
    // OpenClaw's navigation timeout (here the 20 s the call asked for: long enough for a loaded machine's
    // Chromium to request the page, which then never answers) ends the tool call.
    expect(reply.text).toMatch(/timed out|timeout/i);
    const next = await ask("and now something else", "after-hang");
    expect(next.text).toContain("echo: and now something else");
  });

  it("a turn stopped while the browser waits on a page ends at once, and the next message is answered", async () => {
    // agent.cancel aborts the turn through the same path as the turn timeout (TURN_TIMEOUT_MS): the
    // request to OpenClaw is aborted. The page would hold the navigation for OpenClaw's 120 s maximum.
    const waiting = held.length;
    h.gateway.deliver(
      await h.enqueue(
        `Open the slow page again ${browserCall({ action: "navigate", targetUrl: `${siteUrl}/hang`, timeoutMs: 120_000 })}`,
        "conv-web",
        "hang-2",
      ),
    );
    await until("Chromium asked for the page", () => held.length > waiting, 120_000);
    h.gateway.send({ type: "agent.cancel", clientMessageId: "hang-2" });
    // Well inside the page's 120 s hold, so a cancel that did not abort the navigation still fails here
    // (the turn would end later, and with a final instead of CANCELLED), yet long enough for a machine
    // at load 15, where 30 s was once not enough.
    await until("the turn ended", () => errors().some((e) => e.clientMessageId === "hang-2"), 90_000);
    expect(errors().find((e) => e.clientMessageId === "hang-2")?.code).toBe("CANCELLED");
    const next = await ask("are you free again?", "after-hang-2");
    expect(next.text).toContain("echo: are you free again?");
  });

  it("survives Chromium crashing: the next browser call gets an answer, and so does a plain message", async () => {
    const before = chromiumProcesses();
    expect(before.length).toBeGreaterThan(0);
    for (const p of before) process.kill(p.pid, "SIGKILL");
    const reply = await ask(
      `Again please ${browserCall({ action: "navigate", targetUrl: `${siteUrl}/page` })}`,
      "after-crash",
    );
    // OpenClaw either relaunches Chromium (and reads the page again) or reports the tool error;
    // either way the turn ends with an answer instead of hanging.
    expect(reply.type).toBe("chat.final");
    expect(reply.text).toMatch(new RegExp(`${TOKEN}|"status": "error"`));
    expect((await ask("still there?", "after-crash-2")).text).toContain("echo: still there?");
  });

  it("refuses private addresses that are not explicitly allowed: other loopback names, the task metadata endpoint", async () => {
    const port = new URL(siteUrl).port;
    for (const [id, url] of [
      ["ssrf-localhost", `http://localhost:${port}/page?private`],
      ["ssrf-metadata", "http://169.254.170.2/v2/credentials"],
    ] as const) {
      const reply = await ask(`Fetch it ${browserCall({ action: "navigate", targetUrl: url })}`, id);
      expect(reply.type).toBe("chat.final");
      expect(reply.text).toContain('"status": "error"');
      expect(reply.text).not.toContain(TOKEN);
    }
    expect(visits.some((v) => v.url.includes("private"))).toBe(false);
  });

  it("leaves no Chromium behind when the agent stops, and keeps the profile out of the saved state", async () => {
    expect(chromiumProcesses().length).toBeGreaterThan(0);
    await run.task.stop("signal");
    expect(await run.exit).toBe(0);
    await until("every Chromium process of the task is gone", () => chromiumProcesses().length === 0, 15_000);
    const paths = await savedStatePaths(h.stores.blobs, USER_ID);
    expect(paths.some((p) => p.startsWith("agents/"))).toBe(true);
    expect(paths.filter((p) => p.startsWith("browser"))).toEqual([]);
  });
});
