import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Redactor } from "@serverless-openclaw/shared";
import { type FakeLlm, startFakeLlm } from "@serverless-openclaw/testkit/fake-llm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJsonLogger } from "../../src/logger";
import { OpenClawHost } from "../../src/openclaw-host";
import { resolveOpenClawRuntime } from "../../src/openclaw-runtime";

// OpenClaw's embedded agent asks a gateway's `secrets.resolve` on every turn whose config holds a
// SecretRef (our LLM key is one), at ws://127.0.0.1:<OPENCLAW_GATEWAY_PORT | gateway.port | 18789>,
// with the gateway token. On a shared machine whoever holds that port (another user's agent)
// would be contacted by this one. A listener stands where OpenClaw would dial: the environment the
// host passes on names it, and 18789 too when free. It must see no connection during a turn.
const API_KEY = "sk-no-foreign-gateway-7c6d5e4f";
const DEFAULT_GATEWAY_PORT = 18789;

async function listen(port: number): Promise<Server | undefined> {
  const server = createServer((socket) => {
    connections.push(port === 0 ? "OPENCLAW_GATEWAY_PORT" : String(port));
    socket.destroy();
  });
  return new Promise((resolve) => {
    server.once("error", () => resolve(undefined));
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

const connections: string[] = [];
const listeners: Server[] = [];
let llm: FakeLlm;
let dir: string;
let host: OpenClawHost | undefined;

beforeAll(async () => {
  llm = await startFakeLlm({ apiKey: API_KEY });
  dir = await mkdtemp(join(tmpdir(), "embedded-no-gateway-"));
  for (const port of [0, DEFAULT_GATEWAY_PORT]) {
    const server = await listen(port);
    if (server) listeners.push(server);
  }
});

afterAll(async () => {
  await host?.stop(5_000);
  for (const server of listeners) await new Promise((r) => server.close(r));
  await llm?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the embedded agent host and gateways it did not start", () => {
  it("answers a turn whose LLM key is a SecretRef without connecting to the gateway port OpenClaw would dial", async () => {
    const trap = listeners[0]?.address();
    if (!trap || typeof trap === "string") throw new Error("no trap listener");
    const lines: string[] = [];
    const redactor = new Redactor();
    const runtime = resolveOpenClawRuntime();
    host = new OpenClawHost({
      runtime,
      workDir: join(dir, "work"),
      redactor,
      logger: createJsonLogger({ redactor, write: (line) => void lines.push(line) }),
      compileCacheDir: join(dirname(runtime.home), "node-compile-cache"),
      passEnv: {
        PATH: process.env.PATH,
        // Where OpenClaw would dial without the host's own port (18789 when unset).
        OPENCLAW_GATEWAY_PORT: String(trap.port),
      },
      onLine: (line) => void lines.push(line),
      mode: "embedded",
    });
    const secretEnv = await host.writeConfig({
      provider: "openai-compatible",
      baseUrl: llm.baseUrl,
      model: llm.model,
      apiKey: API_KEY,
      source: "settings",
    });
    await host.startReady(secretEnv, () => undefined, 60_000);
    expect(host.mode).toBe("embedded");

    let text = "";
    for await (const event of host.chat({
      sessionKey: "agent:main:no-gateway",
      text: "hello there",
      signal: AbortSignal.timeout(400_000),
    })) {
      if (event.type === "error") throw new Error(`${event.message}\n${lines.slice(-40).join("\n")}`);
      if (event.type === "delta") text += event.text;
    }
    expect(text).toContain("echo: hello there");
    // The key reached the LLM, resolved from the SecretRef without a gateway.
    expect(llm.chatRequests().some((r) => r.headers.authorization === `Bearer ${API_KEY}`)).toBe(true);
    // OpenClaw did try a gateway on this path (so the listeners were really where it would go)...
    expect(lines.join("\n")).toMatch(/gateway secrets\.resolve unavailable/);
    // ...but not theirs.
    expect(connections).toEqual([]);
  }, 500_000);
});
