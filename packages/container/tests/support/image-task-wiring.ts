import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createMemoryStores,
  type StoreRpcServer,
  startStoreRpcServer,
} from "@serverless-openclaw/gateway/local";
import { type FakeLlm, startFakeLlm } from "@serverless-openclaw/testkit/fake-llm";
import type { ManagedProcess } from "@serverless-openclaw/testkit/process";
import { FakeAgentGateway } from "./fake-gateway";
import { startImageTask } from "./image-bundle";
import { type PendingText, seedWakingUser } from "./seed";

export interface Pushed {
  readonly connectionId: string;
  readonly body: Record<string, unknown>;
}

/**
 * What the image's task talks to, wired by environment as in local mode (there is no Docker engine
 * here): the store RPC over memory stores, a Management-API-shaped push endpoint that records every
 * push, the agent WebSocket (fake gateway) and a fake LLM that wants `apiKey`.
 */
export class ImageTaskWiring {
  readonly stores = createMemoryStores();
  readonly gateway = new FakeAgentGateway(this.stores);
  readonly pushed: Pushed[] = [];
  /** Called with every push before it is answered (a test may kill the task from here). */
  onPush: (body: Record<string, unknown>) => void = () => undefined;
  llm!: FakeLlm;
  private rpc: StoreRpcServer | undefined;
  private pushServer: Server | undefined;
  private readonly procs: ManagedProcess[] = [];
  private readonly paths: string[] = [];

  constructor(private readonly apiKey: string) {}

  async start(): Promise<void> {
    this.llm = await startFakeLlm({ apiKey: this.apiKey });
    this.rpc = await startStoreRpcServer(this.stores);
    await this.gateway.start();
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const connectionId = decodeURIComponent(req.url?.split("/@connections/")[1] ?? "");
        const body = JSON.parse(Buffer.concat(chunks).toString() || "{}") as Record<string, unknown>;
        this.pushed.push({ connectionId, body });
        this.onPush(body);
        res.writeHead(200).end();
      });
    });
    this.pushServer = server;
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  }

  /**
   * One ECS task of the user on a fresh work dir (Fargate's ephemeral disk), woken for one message
   * (seedWakingUser: settings, tab `tab-1`, the pending message, Idle → Starting). The user's API key
   * is stored first.
   */
  async wake(
    userId: string,
    message: PendingText | PendingText[],
    env: Record<string, string> = {},
  ): Promise<ManagedProcess> {
    if (!this.rpc || !this.pushServer) throw new Error("start() first");
    await this.stores.secrets.put(`users/${userId}/llm-api-key`, this.apiKey);
    const secret = await seedWakingUser(this.stores, { userId, llm: this.llm }, message);
    const workDir = await mkdtemp(join(tmpdir(), "container-image-task-"));
    this.paths.push(workDir);
    const { proc, bundle } = startImageTask({
      name: `agent task (${[message]
        .flat()
        .map((m) => m.clientMessageId)
        .join(", ")})`,
      workDir,
      env: {
        USER_ID: userId,
        AGENT_SECRET: secret,
        AGENT_WS_URL: this.gateway.url,
        LOCAL_STORE_URL: this.rpc.url,
        LOCAL_STORE_TOKEN: this.rpc.token,
        CLIENT_PUSH_ENDPOINT: `http://127.0.0.1:${(this.pushServer.address() as AddressInfo).port}`,
        ...env,
      },
    });
    this.paths.push(bundle);
    this.procs.push(proc);
    return proc;
  }

  async stop(): Promise<void> {
    for (const proc of this.procs) await proc.stop({ graceMs: 30_000 });
    await this.gateway.stop();
    await this.rpc?.close();
    await new Promise((r) => (this.pushServer ? this.pushServer.close(r) : r(undefined)));
    await this.llm?.stop();
    await Promise.all(this.paths.map((p) => rm(p, { recursive: true, force: true })));
  }
}
