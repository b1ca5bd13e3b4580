import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Stores } from "@serverless-openclaw/gateway/agent";
import { createMemoryStores } from "@serverless-openclaw/gateway/local";
import { KEYS, type PendingMessage, Redactor, type Settings } from "@serverless-openclaw/shared";
import { type FakeLlm, startFakeLlm } from "@serverless-openclaw/testkit/fake-llm";
import { until as waitFor } from "@serverless-openclaw/testkit/until";
import { AgentTask } from "../../src/agent-task";
import type { AgentTaskDeps, AgentTaskTimings } from "../../src/agent-task-deps";
import { createJsonLogger } from "../../src/logger";
import { resolveOpenClawRuntime } from "../../src/openclaw-runtime";
import { FakeAgentGateway, RecordingClientPush } from "./fake-gateway";

export const USER_ID = "user-1";

/** What OpenClaw logs when its state-lease heartbeat thread missed its 5 s start (see bootConnected). */
export const OPENCLAW_STARTUP_LIMIT = "state lease heartbeat did not become ready";

/** Everything a test needs around one user: stores, a fake gateway, recorded pushes, captured logs. */
export class TaskHarness {
  readonly stores: Stores = createMemoryStores();
  readonly push = new RecordingClientPush();
  readonly gateway = new FakeAgentGateway(this.stores);
  readonly logs: string[] = [];
  workDirs: string[] = [];
  /** The user's language model, once useFakeLlm gave them one; stopped with the harness. */
  llm: FakeLlm | undefined;
  /** Every task booted, so stop() can end one a failed test left running before its dir goes. */
  private readonly runs: RunningTask[] = [];
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

  /**
   * Gives the user a provider: a fake LLM (that wants this API key, when given) configured as an
   * OpenAI-compatible endpoint, with any other settings the test needs.
   */
  async useFakeLlm(apiKey?: string, settings: Partial<Settings> = {}): Promise<FakeLlm> {
    const llm = await startFakeLlm(apiKey === undefined ? {} : { apiKey });
    this.llm = llm;
    await this.configure(
      { provider: "openai-compatible", baseUrl: llm.baseUrl, model: llm.model, ...settings },
      apiKey,
    );
    return llm;
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
    extra: Partial<Pick<AgentTaskDeps, "chromium" | "openClawMode" | "stateCheckpoints" | "runtime">> & {
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
    const run = { task, exit, workDir };
    this.runs.push(run);
    return run;
  }

  /**
   * Boots the task (`boot`, default `boot()`) and waits until its agent socket is connected. The
   * task's exit ends the wait at once, with its log. Why not just wait for "connected": OpenClaw gives
   * the worker thread of its state-lease heartbeat a fixed 5 s to start (not configurable); on a
   * CPU-starved machine that thread can miss it, OpenClaw exits 1 during start-up ("state lease
   * heartbeat did not become ready"), and the task stops and goes Idle. That one start-up limit (load,
   * not a fault) gets another boot, up to `attempts` in all; any other exit fails.
   */
  async bootConnected(
    options: {
      boot?: () => Promise<RunningTask>;
      log?: (line: string) => void;
      attempts?: number;
      timeoutMs?: number;
    } = {},
  ): Promise<RunningTask> {
    const { boot = () => this.boot(), log = () => {}, attempts = 3, timeoutMs = 280_000 } = options;
    for (let attempt = 1; ; attempt++) {
      const connectedBefore = this.gateway.connected;
      const logsBefore = this.logs.length;
      const run = await boot();
      let exited: number | undefined;
      void run.exit.then((code) => {
        exited = code;
      });
      try {
        await until(
          "the agent task connected",
          () => {
            if (exited !== undefined)
              throw new Error(`the agent task exited with code ${exited} before connecting`);
            return this.gateway.connected > connectedBefore;
          },
          timeoutMs,
        );
        return run;
      } catch (error) {
        const lines = this.logs.slice(logsBefore);
        const startupLimit = lines.some((l) => l.includes(OPENCLAW_STARTUP_LIMIT));
        if (exited !== undefined && startupLimit && attempt < attempts) {
          log(
            `OpenClaw missed its own 5 s start-up limit (machine load); booting again (${attempt + 1}/${attempts})`,
          );
          await until(
            "the agent Idle again",
            async () => (await this.stores.taskState.get(USER_ID)).state === "Idle",
          );
          continue;
        }
        if (exited === undefined) await run.task.stop("signal");
        throw new Error(`${(error as Error).message}\nLast task log lines:\n${lines.slice(-40).join("\n")}`);
      }
    }
  }

  /** Every log line of every run, plus OpenClaw's own log files. */
  async allLogs(): Promise<string> {
    const files = await Promise.all(
      this.workDirs.map((d) => readFile(join(d, "logs", "openclaw.log"), "utf8").catch(() => "")),
    );
    return [...this.logs, ...files].join("\n");
  }

  /** Stops what is still running (tasks, the gateway, the LLM) and removes the work dirs. */
  async stop(): Promise<void> {
    for (const run of this.runs) await run.task.stop("signal").catch(() => undefined);
    await this.gateway.stop();
    await Promise.all(this.workDirs.map((d) => rm(d, { recursive: true, force: true })));
    await this.llm?.stop();
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
