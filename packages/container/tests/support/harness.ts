import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createMemoryStores } from "@serverless-openclaw/gateway/adapters/local/embedded-stores";
import type { Stores } from "@serverless-openclaw/gateway/adapters/stores";
import { KEYS, type PendingMessage, Redactor, type Settings } from "@serverless-openclaw/shared";
import { until as waitFor } from "@serverless-openclaw/testkit/until";
import { AgentTask, type AgentTaskDeps, type AgentTaskTimings } from "../../src/agent-task";
import { createJsonLogger } from "../../src/logger";
import { resolveOpenClawRuntime } from "../../src/openclaw-runtime";
import { FakeAgentGateway, RecordingClientPush } from "./fake-gateway";

export const USER_ID = "user-1";

/** Everything a test needs around one user: stores, a fake gateway, recorded pushes, captured logs. */
export class TaskHarness {
  readonly stores: Stores = createMemoryStores();
  readonly push = new RecordingClientPush();
  readonly gateway = new FakeAgentGateway(this.stores);
  readonly logs: string[] = [];
  workDirs: string[] = [];
  private clientCount = 0;
  /** receivedAt of the last enqueue (ms): each next one is later, see enqueue(). */
  private lastReceivedMs = 0;

  async start(): Promise<void> {
    await this.gateway.start();
  }

  async configure(settings: Partial<Settings>, apiKey?: string): Promise<void> {
    await this.stores.settings.put(USER_ID, KEYS.settings.settings, {
      apiKeySet: apiKey !== undefined,
      ...settings,
    });
    if (apiKey) await this.stores.secrets.put(`users/${USER_ID}/llm-api-key`, apiKey);
  }

  /** A browser tab of the user (a client connection row). */
  async addClient(): Promise<string> {
    const connectionId = `client-${++this.clientCount}`;
    await this.stores.connections.put({
      connectionId,
      userId: USER_ID,
      kind: "client",
      connectedAt: new Date().toISOString(),
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    });
    return connectionId;
  }

  /** What the gateway does on chat.send: store it pending (idempotent on clientMessageId). */
  async enqueue(
    text: string,
    conversationId = "conv-1",
    clientMessageId: string = randomUUID(),
  ): Promise<PendingMessage> {
    // Pending ids sort by receivedAt (ms), then a random uuid: two messages enqueued within the same
    // millisecond would be answered in random order (a test's hanging turn could then run before the
    // message it must follow, and nothing would ever answer that one). The gateway gets messages in
    // separate requests; a test enqueues them back to back, so each gets a strictly later time.
    const ms = Math.max(Date.now(), this.lastReceivedMs + 1);
    this.lastReceivedMs = ms;
    const receivedAt = new Date(ms).toISOString();
    const message: PendingMessage = {
      userId: USER_ID,
      id: KEYS.pending.message(receivedAt, randomUUID()),
      clientMessageId,
      conversationId,
      text,
      channel: "web",
      replyTo: { channel: "web" },
      receivedAt,
    };
    const result = await this.stores.pending.enqueue(message);
    if (result.status !== "queued") throw new Error("duplicate enqueue");
    return result.message;
  }

  /** What the gateway does on wake: Idle → Starting with a fresh secret; then the task boots. */
  async boot(
    timings: Partial<AgentTaskTimings> = {},
    extra: Pick<AgentTaskDeps, "chromium" | "openClawMode"> & {
      /**
       * Boot in this (wiped) directory instead of a new temporary one: an ECS task's work dir is the
       * same path on every start, so the OpenClaw config a returning user gets is the same too.
       */
      workDir?: string;
    } = {},
  ): Promise<RunningTask> {
    const secret = randomBytes(24).toString("hex");
    const started = await this.stores.taskState.transition({
      userId: USER_ID,
      expectState: "Idle",
      set: {
        state: "Starting",
        startedAt: new Date().toISOString(),
        taskArn: `local-${randomUUID()}`,
        agentSecretHash: createHash("sha256").update(secret).digest("hex"),
        step: "provisioning",
      },
    });
    if (!started) throw new Error("the agent is not Idle");
    const { workDir: fixedWorkDir, ...deps } = extra;
    if (fixedWorkDir) await rm(fixedWorkDir, { recursive: true, force: true });
    const workDir = fixedWorkDir ?? (await mkdtemp(join(tmpdir(), "container-test-")));
    if (fixedWorkDir) await mkdir(fixedWorkDir, { recursive: true });
    if (!this.workDirs.includes(workDir)) this.workDirs.push(workDir);
    const redactor = new Redactor();
    const logger = createJsonLogger({ redactor, level: "debug", write: (line) => this.logs.push(line) });
    const runtime = resolveOpenClawRuntime();
    const task = new AgentTask({
      userId: USER_ID,
      agentSecret: secret,
      agentWsUrl: this.gateway.url,
      stores: this.stores,
      clientPush: this.push,
      runtime,
      compileCacheDir: join(dirname(runtime.home), "node-compile-cache"),
      workDir,
      logger,
      redactor,
      timings: { heartbeatIntervalMs: 1_000, pendingRescanMs: 2_000, ...timings },
      onOpenClawLine: (line) => this.logs.push(line),
      ...deps,
    });
    const exit = task.run();
    return { task, exit, workDir };
  }

  /** Every log line of every run, plus OpenClaw's own log files. */
  async allLogs(): Promise<string> {
    const files = await Promise.all(
      this.workDirs.map((d) => readFile(join(d, "logs", "openclaw.log"), "utf8").catch(() => "")),
    );
    return [...this.logs, ...files].join("\n");
  }

  async stop(): Promise<void> {
    await this.gateway.stop();
    await Promise.all(this.workDirs.map((d) => rm(d, { recursive: true, force: true })));
  }
}

export interface RunningTask {
  task: AgentTask;
  exit: Promise<number>;
  workDir: string;
}

/** testkit's until, with this suite's default bound (an OpenClaw boot on a busy machine). */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 120_000,
): Promise<void> {
  await waitFor(what, check, { timeoutMs, intervalMs: 100 });
}
