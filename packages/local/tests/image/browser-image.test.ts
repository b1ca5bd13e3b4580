import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeLlm, startFakeLlm } from "@serverless-openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalStack, type LocalStack } from "../../src/stack/local-stack";
import { createConsoleLogger } from "../../src/support/local-logger";
import { RecordingSocket } from "../e2e/ws-client";
import { buildAgentImage, podman, removeTestContainers, removeTestImage } from "./image-support";

// The browser variant of the agent image (`WITH_CHROMIUM=1`: Debian's Chromium and fonts), built with
// buildah like the standard one and run under local mode by podman. Its layers are cached between runs
// (the Chromium layer comes right after the base image, so a change to the task's code rebuilds only the
// last layers); a build from scratch takes 8-15 min on a shared 2-core machine, a cached one seconds.
// Then the agent, with the browser switched on in Settings, opens a page served here on loopback with
// OpenClaw's browser tool (the image's Chromium, as OpenClaw's uid, no sandbox) and answers with what
// the page says.
const BUILD_TIMEOUT_MS = 40 * 60_000;
const WAKE_TIMEOUT_MS = 900_000;

const IMAGE = `localhost/serverless-openclaw-agent:browser-test-${process.pid}`;
const LABEL = `browser-image-${randomBytes(4).toString("hex")}`;
const TOKEN = `page-token-${randomBytes(6).toString("hex")}`;

let llm: FakeLlm;
let dataDir: string;
let site: Server;
let siteUrl: string;
const visits: string[] = [];
const stacks: LocalStack[] = [];
const logs: string[] = [];
const tail = () => `Last log lines:\n${logs.slice(-80).join("\n")}`;

beforeAll(async () => {
  await buildAgentImage({ tag: IMAGE, browser: true });
  site = createServer((req, res) => {
    visits.push(`${req.url} ${req.headers["user-agent"] ?? ""}`);
    if (req.url === "/page") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      // The token in a link's text: the navigate action's result is the page's snapshot of elements to act
      // on (links, buttons), where plain paragraph text may not appear.
      res.end(
        `<!doctype html><title>Notes</title><main><h1>Notes</h1>` +
          `<p>Read on: <a href="/more">the code is ${TOKEN}</a></p></main>`,
      );
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  llm = await startFakeLlm();
  dataDir = await mkdtemp(join(tmpdir(), "browser-image-"));
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  for (const stack of stacks.splice(0)) await stack.stop();
  await removeTestContainers(LABEL);
  await removeTestImage(IMAGE);
  site?.closeAllConnections();
  await new Promise((r) => (site ? site.close(r) : r(undefined)));
  await llm?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 180_000);

describe("the browser variant of the agent image", () => {
  it("holds Debian's Chromium where the task looks for it, runnable by OpenClaw's uid", async () => {
    const check = await podman([
      "run",
      "--rm",
      "--pull=never",
      "--user",
      "1000:1000",
      "--entrypoint",
      "sh",
      IMAGE,
      "-c",
      'echo "$CHROMIUM_PATH $CHROMIUM_NO_SANDBOX"; "$CHROMIUM_PATH" --version',
    ]);
    expect(check.code, check.stderr).toBe(0);
    const [env, version] = check.stdout.split("\n");
    expect(env).toBe("/usr/bin/chromium 1");
    expect(version).toMatch(/^Chromium \d+\./);
  });

  it(
    "opens a page with OpenClaw's browser tool in the container's Chromium and answers with its content",
    async () => {
      const stack = await createLocalStack({
        port: 0,
        dataDir,
        llmBaseUrl: llm.baseUrl,
        llmModel: llm.model,
        logger: createConsoleLogger({ level: "debug", write: (line) => logs.push(line) }),
        print: () => {},
        env: {},
        // The page is on this machine's loopback (podman --network host); the SSRF policy refuses
        // private hosts unless told otherwise, which only tests do.
        agentEnv: {
          LOG_LEVEL: "debug",
          OPENCLAW_READY_TIMEOUT_MS: "540000",
          BROWSER_ALLOWED_HOSTS: "127.0.0.1",
        },
        agentGraceMs: 120_000,
        agentCommand: {
          file: process.execPath,
          args: [join(import.meta.dirname, "podman-task.mjs"), IMAGE, LABEL, join(dataDir, "exits.jsonl")],
        },
      });
      stacks.push(stack);
      const { username, password } = stack.initialLogin;
      const token = (await stack.login(username, password as string)).IdToken as string;
      const put = await fetch(`${stack.apiUrl}/settings`, {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ browserEnabled: true }),
      });
      expect(put.status, await put.text()).toBe(200);
      const socket = await RecordingSocket.open(`${stack.wsUrl}?token=${encodeURIComponent(token)}`);
      try {
        // OpenClaw starts Chromium on the browser tool's first use; on a loaded machine that launch can
        // outlast the tool's own timeout, so the question is asked again (on a deadline) until the tool
        // answers once. What counts: the page's content reached the reply, fetched by Chromium.
        const call = `[tool:tool_call:${JSON.stringify({ id: "browser", args: { action: "navigate", targetUrl: `${siteUrl}/page` } })}]`;
        const deadline = Date.now() + WAKE_TIMEOUT_MS;
        let reply: { type?: string; text?: string } = {};
        for (let i = 1; Date.now() < deadline; i++) {
          const id = `browse-${i}`;
          socket.send({
            type: "chat.send",
            conversationId: "browse",
            clientMessageId: id,
            text: `Read ${call}`,
          });
          reply = (await socket.waitFor(
            `the reply to ${id}`,
            (e) => (e.type === "chat.final" || e.type === "chat.error") && e.clientMessageId === id,
            Math.max(1, deadline - Date.now()),
            tail,
          )) as { type?: string; text?: string };
          if (reply.type === "chat.final" && String(reply.text).includes(TOKEN)) break;
        }
        expect(reply.text, `${JSON.stringify(reply)}\n${tail()}`).toContain(TOKEN);
        expect(visits.some((v) => v.startsWith("/page ") && /Chrome\//.test(v))).toBe(true);
      } finally {
        await socket.close();
      }
    },
    WAKE_TIMEOUT_MS + 300_000,
  );
});
