import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { StartTaskRequest, TaskRunner } from "@serverless-openclaw/gateway";
import type { Redactor } from "@serverless-openclaw/shared";
import { signalGroup } from "@serverless-openclaw/shared/process-group";
import type { LocalLogger } from "../support/local-logger";
import { formatAgentLine } from "./agent-log";
import type { AgentTokens } from "./agent-tokens";
import { descendantsOf, isSameAlive, signalIfSame, startTimeOf } from "./process-tree";

export interface ProcessTaskRunnerOptions {
  /** Working directory of the child (the repo root, so `--import tsx` resolves). */
  cwd: string;
  /** The agent task entrypoint (packages/container/src/main.ts). */
  entry: string;
  /** Per-user work dirs go under `<dataDir>/agents/<userId>`; wiped at each start, like ECS storage. */
  dataDir: string;
  agentWsUrl: string;
  clientPushEndpoint: string;
  storeUrl: string;
  /** Issues each start its own token for the store RPC and the Management API, scoped to its user. */
  tokens: AgentTokens;
  openclawHome: string;
  openclawCompileCache?: string;
  logger: LocalLogger;
  redactor: Redactor;
  /** SIGTERM → SIGKILL grace: long enough for the task to back OpenClaw's state up (default 45 s). */
  graceMs?: number;
  /**
   * What of the host's environment the child inherits (support/local-env.ts `agentInheritedEnv`: PATH,
   * locale, Chromium, OpenClaw's mode). Only what the task needs: the server's own secrets (API keys in
   * env) must not leak into OpenClaw.
   */
  inheritedEnv?: Readonly<Record<string, string>>;
  /** Added to the child's environment (timeouts in tests, chat API base URLs, …). */
  extraEnv?: Record<string, string>;
  /** Replaces `node --import tsx <entry>` (tests use a stand-in script). */
  command?: { file: string; args: string[] };
  onExit?: (info: {
    taskArn: string;
    userId: string;
    code: number | null;
    signal: NodeJS.Signals | null;
    /** Whether stop() asked it to end (StopTask), rather than it ending by itself. */
    stopRequested: boolean;
  }) => void;
}

interface AgentChild {
  taskArn: string;
  userId: string;
  child: ChildProcess;
  pid: number;
  /** The task's start time: its group is signalled only while its pid is not someone else's. */
  start: string | undefined;
  exited: Promise<void>;
  done: boolean;
  stopRequested: boolean;
  /** Every process seen under this task (pid → start time), so none survives the task itself. */
  seen: Map<number, string>;
}

/**
 * How long a new start waits for the user's previous task to exit (it has gone Idle and only backs out
 * then: a second or two, more on a loaded machine) before killing it.
 */
const PREVIOUS_EXIT_MS = 30_000;

/**
 * TaskRunner for local mode: each start spawns the real agent task entrypoint as a child process in its
 * own process group, with the environment ECS would give it (pointing at the local server).
 */
export class ProcessTaskRunner implements TaskRunner {
  private readonly children = new Map<string, AgentChild>();
  private readonly everSeen = new Map<number, string>();
  private watcher?: NodeJS.Timeout;

  constructor(private readonly options: ProcessTaskRunnerOptions) {}

  /**
   * Every process any agent ever ran (pid → start time), for no-orphan checks: after stopAll, none of
   * them may be alive (`isSameAlive`).
   */
  spawnedProcesses(): Map<number, string> {
    return new Map(this.everSeen);
  }

  async start(request: StartTaskRequest): Promise<{ taskArn: string }> {
    const { userId, agentSecret } = request;
    const taskArn = `arn:aws:ecs:local:000000000000:task/local/${randomUUID().replaceAll("-", "")}`;
    const workDir = join(this.options.dataDir, "agents", userId);
    await this.previousGone(userId);
    await rm(workDir, { recursive: true, force: true });
    await mkdir(join(workDir, "home"), { recursive: true });
    // Outside the wiped work dir: tsx keeps its transform cache here (a cold cache costs seconds per start).
    const tmpDir = join(this.options.dataDir, "cache", "tmp");
    await mkdir(tmpDir, { recursive: true });
    // The start's own token: the store RPC and pushes for this user only, revoked when the task exits.
    const storeToken = this.options.tokens.issue({
      userId,
      agentSecretHash: createHash("sha256").update(agentSecret, "utf8").digest("hex"),
    });
    this.options.redactor.add(agentSecret, storeToken);

    const env: Record<string, string> = { ...this.options.inheritedEnv };
    Object.assign(env, {
      HOME: join(workDir, "home"),
      TMPDIR: tmpDir,
      USER_ID: userId,
      AGENT_WS_URL: this.options.agentWsUrl,
      CLIENT_PUSH_ENDPOINT: this.options.clientPushEndpoint,
      LOCAL_STORE_URL: this.options.storeUrl,
      // The secrets come on this pipe, not in the environment: /proc/<pid>/environ of the task is
      // readable by everything running as this OS user, the agents' shells included.
      AGENT_SECRETS_FD: "3",
      OPENCLAW_HOME: this.options.openclawHome,
      WORK_DIR: join(workDir, "work"),
      ...(this.options.openclawCompileCache
        ? { OPENCLAW_COMPILE_CACHE: this.options.openclawCompileCache }
        : {}),
      ...this.options.extraEnv,
    });
    const command = this.options.command ?? {
      file: process.execPath,
      args: ["--import", "tsx", this.options.entry],
    };
    const child = spawn(command.file, command.args, {
      cwd: this.options.cwd,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe", "pipe"],
    });
    if (child.pid === undefined) {
      this.options.tokens.revoke(storeToken);
      const error = await new Promise<Error>((resolve) => child.once("error", resolve));
      throw new Error(`could not start the agent task: ${error.message}`);
    }
    const secrets = child.stdio[3] as NodeJS.WritableStream | null;
    secrets?.on("error", () => undefined); // a task that dies at once closes the pipe first
    secrets?.end(JSON.stringify({ AGENT_SECRET: agentSecret, LOCAL_STORE_TOKEN: storeToken }));
    const pid = child.pid;
    const start = startTimeOf(pid);
    const label = `[agent ${userId.slice(0, 8)}]`;
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on("line", (line) => {
        if (!line.trim()) return;
        const { level, text } = formatAgentLine(line);
        this.options.logger[level](`${label} ${this.options.redactor.redact(text)}`);
      });
    }
    const entry: AgentChild = {
      taskArn,
      userId,
      child,
      pid,
      done: false,
      stopRequested: false,
      start,
      seen: new Map([[pid, start ?? ""]]),
      exited: new Promise((resolve) => {
        child.once("exit", (code, sig) => {
          entry.done = true;
          // Whatever the task left behind (its OpenClaw runs in a group of its own) goes with it.
          this.killTree(entry, "SIGKILL");
          this.children.delete(taskArn);
          if (this.children.size === 0) {
            clearInterval(this.watcher);
            this.watcher = undefined; // the next start sets up a new one
          }
          this.options.tokens.revoke(storeToken);
          this.options.redactor.remove(agentSecret);
          this.options.logger.info(`${label} exited (${sig ? `signal ${sig}` : `code ${code}`})`);
          this.options.onExit?.({ taskArn, userId, code, signal: sig, stopRequested: entry.stopRequested });
          resolve();
        });
      }),
    };
    this.children.set(taskArn, entry);
    this.refreshSeen(entry);
    // Descendants are re-read while the task runs: once it dies they are reparented and untraceable.
    this.watcher ??= setInterval(() => {
      for (const e of this.children.values()) if (!e.done) this.refreshSeen(e);
    }, 1_000);
    this.watcher.unref();
    this.options.logger.info(`${label} started (pid ${pid})`);
    return { taskArn };
  }

  /** SIGTERM now (the task backs its state up and exits), SIGKILL for everything left after the grace. */
  async stop(taskArn: string, reason: string): Promise<void> {
    const entry = this.children.get(taskArn);
    if (!entry || entry.done) return;
    this.options.logger.info(`[agent ${entry.userId.slice(0, 8)}] stopping: ${reason}`);
    entry.stopRequested = true;
    this.refreshSeen(entry);
    signalGroup(entry.pid, entry.start, "SIGTERM");
    const timer = setTimeout(() => this.killTree(entry, "SIGKILL"), this.options.graceMs ?? 45_000);
    timer.unref();
    void entry.exited.then(() => clearTimeout(timer));
  }

  async running(taskArns: readonly string[]): Promise<Set<string>> {
    return new Set(taskArns.filter((arn) => this.children.has(arn)));
  }

  /** Stops every agent and waits until each one and all its descendants are gone. */
  async stopAll(reason: string): Promise<void> {
    const entries = [...this.children.values()];
    await Promise.all(entries.map((e) => this.stop(e.taskArn, reason)));
    await Promise.all(entries.map((e) => e.exited));
    for (const e of entries) await this.waitGone(e);
  }

  /** SIGKILL for every agent and everything it started, now (a second Ctrl-C, or process exit). */
  killAll(): void {
    for (const entry of this.children.values()) this.killTree(entry, "SIGKILL");
  }

  /**
   * Waits until every earlier task of this user has exited with all it started. On ECS each task has a
   * disk of its own; here a user's tasks share one work dir, and a task that has gone Idle is still
   * exiting when the next start comes (a page restarts the agent the moment it goes Idle after a
   * settings change). Wiping the dir under it made the new start fail (`rm` racing its last writes) or
   * its OpenClaw exit during start-up. One that does not exit within PREVIOUS_EXIT_MS is killed.
   */
  private async previousGone(userId: string): Promise<void> {
    const previous = [...this.children.values()].filter((e) => e.userId === userId);
    for (const entry of previous) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"late">((resolve) => {
        timer = setTimeout(() => resolve("late"), PREVIOUS_EXIT_MS);
      });
      const outcome = await Promise.race([entry.exited, late]);
      clearTimeout(timer);
      if (outcome === "late") {
        this.options.logger.warn(
          `[agent ${userId.slice(0, 8)}] the previous task has not exited ${PREVIOUS_EXIT_MS / 1000} s into a new start; killing it`,
        );
        this.killTree(entry, "SIGKILL");
        await entry.exited;
      }
      await this.waitGone(entry);
    }
  }

  private refreshSeen(entry: AgentChild): void {
    for (const [pid, start] of descendantsOf(entry.pid)) {
      entry.seen.set(pid, start);
      this.everSeen.set(pid, start);
    }
    const own = entry.seen.get(entry.pid);
    if (own !== undefined) this.everSeen.set(entry.pid, own);
  }

  private killTree(entry: AgentChild, sig: NodeJS.Signals): void {
    if (!entry.done) this.refreshSeen(entry);
    signalGroup(entry.pid, entry.start, sig);
    // Each one only if it is still the process we saw (a pid may have been reused since).
    for (const [pid, start] of entry.seen) signalIfSame(pid, start, sig);
  }

  private async waitGone(entry: AgentChild): Promise<void> {
    const deadline = Date.now() + 5_000;
    const alive = () => [...entry.seen].some(([pid, start]) => isSameAlive(pid, start));
    while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }
}
