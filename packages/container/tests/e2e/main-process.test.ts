import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryStores } from "@serverless-openclaw/gateway/adapters/local/embedded-stores";
import {
  type StoreRpcServer,
  startStoreRpcServer,
} from "@serverless-openclaw/gateway/adapters/local/rpc-http-server";
import { type FakeLlm, startFakeLlm } from "@serverless-openclaw/testkit/fake-llm";
import type { ManagedProcess } from "@serverless-openclaw/testkit/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasSavedState } from "../../src/state-checkpoint";
import { FakeAgentGateway } from "../support/fake-gateway";
import { startImageTask } from "../support/image-bundle";
import { answeredOnce, seedWakingUser } from "../support/seed";

// The real entrypoint as the image runs it: docker/openclaw/Dockerfile's own esbuild step bundles it
// (everything but two optional native modules, unlike local mode's bundle) and the pinned Node 24 runs
// that one file, as `CMD ["node", "/app/agent-task.mjs"]` does. No Docker engine here, so it is wired
// by env to the store RPC, a Management-API-shaped push endpoint and the agent WebSocket, as in local
// mode. A bundling mistake (a dynamic require, a missing file next to a module) fails here.
const USER = "user-main";
const API_KEY = "sk-main-process-5e4d3c2b1a09";
const stores = createMemoryStores();
const gateway = new FakeAgentGateway(stores);
const pushed: Array<{ connectionId: string; body: Record<string, unknown> }> = [];
let llm: FakeLlm;
let rpc: StoreRpcServer;
let pushServer: Server;
let workDir: string;
let proc: ManagedProcess;
let bundleFile: string | undefined;

beforeAll(async () => {
  llm = await startFakeLlm({ apiKey: API_KEY });
  rpc = await startStoreRpcServer(stores);
  await gateway.start();
  pushServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const id = decodeURIComponent(req.url?.split("/@connections/")[1] ?? "");
      pushed.push({ connectionId: id, body: JSON.parse(Buffer.concat(chunks).toString() || "{}") });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => pushServer.listen(0, "127.0.0.1", () => r()));
  workDir = await mkdtemp(join(tmpdir(), "container-main-"));

  await stores.secrets.put(`users/${USER}/llm-api-key`, API_KEY);
  const secret = await seedWakingUser(
    stores,
    { userId: USER, llm },
    { clientMessageId: "main-1", conversationId: "conv-main", text: "hello from the main process test" },
  );
  ({ proc, bundle: bundleFile } = startImageTask({
    name: "agent task",
    workDir,
    env: {
      USER_ID: USER,
      AGENT_SECRET: secret,
      AGENT_WS_URL: gateway.url,
      LOCAL_STORE_URL: rpc.url,
      LOCAL_STORE_TOKEN: rpc.token,
      CLIENT_PUSH_ENDPOINT: `http://127.0.0.1:${(pushServer.address() as AddressInfo).port}`,
    },
  }));
}, 60_000);

afterAll(async () => {
  await proc?.stop({ graceMs: 30_000 });
  await gateway.stop();
  await rpc?.close();
  await new Promise((r) => pushServer?.close(r));
  await llm?.stop();
  await rm(workDir, { recursive: true, force: true });
  if (bundleFile) await rm(bundleFile, { force: true });
});

describe("agent task entrypoint (the image's bundle on Node 24, local mode wiring)", () => {
  it("answers a pending message, then on SIGTERM backs up, goes Idle and exits 0 without logging the key", async () => {
    // Fails at once, with the task's output, if the task exits instead.
    const final = await answeredOnce(proc, pushed, stores, USER);
    expect(final?.text).toContain("echo: hello from the main process test");
    expect(pushed.some((p) => p.body.type === "agent.status" && p.body.step === "starting-openclaw")).toBe(
      true,
    );

    proc.child.kill("SIGTERM");
    const exit = await proc.exited;
    expect(exit.code).toBe(0);
    expect((await stores.taskState.get(USER)).state).toBe("Idle");
    expect(await hasSavedState(stores.blobs, USER)).toBe(true);
    expect(proc.logs()).toContain("agent task stopped");
    expect(proc.logs()).not.toContain(API_KEY);
  }, 320_000);
});
