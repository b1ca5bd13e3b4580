import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createServer } from "node:net";
import type { Logger, Redactor } from "@serverless-openclaw/shared";
import { processStartTime, signalGroup } from "@serverless-openclaw/shared/process-group";
import { AgentTaskError } from "./errors";
import type { OpenClawRuntime } from "./openclaw-runtime";
import type { OpenClawUser } from "./openclaw-user";

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SupervisorOptions {
  runtime: OpenClawRuntime;
  port: number;
  /** The complete environment of OpenClaw (built by the caller; never this process's whole env). */
  env: Record<string, string>;
  cwd: string;
  /** Run OpenClaw as this uid/gid (the task runs as root in the image); else as this process's. */
  user?: OpenClawUser;
  logger: Logger;
  redactor: Redactor;
  /** Every line OpenClaw prints, already redacted (tests capture them). */
  onLine?: (line: string) => void;
  /**
   * Run this instead of `openclaw gateway run` (the embedded agent host: `node --eval <program>`),
   * with stdin and a fourth pipe (fd 3) open for its request/reply protocol.
   */
  program?: { args: string[] };
}

/** How many of OpenClaw's last output lines a start-up failure logs. */
const LAST_LINES = 20;

// biome-ignore lint/suspicious/noControlCharactersInRegex: strips terminal colour codes from OpenClaw's output
const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * Runs `openclaw gateway run` bound to loopback, in its own process group so a stop reaches its
 * workers too; passes its output (redacted) to the logger; tells a crash from a requested stop.
 */
export class OpenClawSupervisor {
  private child: ChildProcess | undefined;
  /** The child's start time: its group is signalled only while the number is not someone else's. */
  private childStart: string | undefined;
  private exit: ProcessExit | undefined;
  private stopRequested = false;
  private exitedPromise: Promise<ProcessExit> | undefined;
  private crashHandlers: Array<(exit: ProcessExit) => void> = [];
  /** OpenClaw's last lines (redacted): logged when it exits during start-up, where they say why. */
  private readonly lastLines: string[] = [];
  private outputClosed: Promise<void> = Promise.resolve();

  constructor(private readonly options: SupervisorOptions) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.exit === undefined;
  }

  /** The program's stdin and fd 3 (only with `program`). */
  get pipes(): { input: NodeJS.WritableStream; output: NodeJS.ReadableStream } | undefined {
    const input = this.child?.stdin;
    const output = this.child?.stdio[3] as NodeJS.ReadableStream | null | undefined;
    return input && output ? { input, output } : undefined;
  }

  /** OpenClaw's last output lines (redacted), oldest first. */
  get lastOutput(): readonly string[] {
    return this.lastLines;
  }

  /** How the process exited; undefined while it runs (or before it started). */
  get exitStatus(): ProcessExit | undefined {
    return this.exit;
  }

  /** Resolves when the process has exited (at once when it never started). */
  exited(): Promise<ProcessExit> {
    return this.exitedPromise ?? Promise.resolve({ code: null, signal: null });
  }

  /** Called when OpenClaw exits without stop() having been asked for. */
  onCrash(handler: (exit: ProcessExit) => void): void {
    this.crashHandlers.push(handler);
  }

  start(): void {
    const { runtime, port, env, cwd, program, user } = this.options;
    const args = program?.args ?? [
      runtime.entry,
      "gateway",
      "run",
      "--port",
      String(port),
      "--bind",
      "loopback",
    ];
    const child = spawn(runtime.node, args, {
      cwd,
      env,
      detached: true,
      stdio: program ? ["pipe", "pipe", "pipe", "pipe"] : ["ignore", "pipe", "pipe"],
      // Node's spawn sets the gid, drops supplementary groups and sets the uid before exec.
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    this.child = child;
    this.childStart = child.pid ? processStartTime(child.pid) : undefined;
    this.outputClosed = new Promise((resolve) => child.once("close", () => resolve()));
    this.exitedPromise = new Promise<ProcessExit>((resolve) => {
      child.once("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
        if (!this.stopRequested) for (const handler of this.crashHandlers) handler(this.exit);
      });
      child.once("error", (err) => {
        this.options.logger.error("could not spawn OpenClaw", { error: err });
        this.exit ??= { code: null, signal: null };
        resolve(this.exit);
      });
    });
    // If this process dies without stopping OpenClaw (a crash, an uncaught error), take it along:
    // it sits in its own process group and would otherwise outlive us holding ~1 GB.
    const reap = () => {
      if (child.pid && !this.exit) signalGroup(child.pid, this.childStart, "SIGKILL");
    };
    process.once("exit", reap);
    child.once("exit", () => process.off("exit", reap));
    this.pipeLines(child.stdout);
    this.pipeLines(child.stderr);
    this.options.logger.info("openclaw starting", { pid: child.pid, port });
  }

  private pipeLines(stream: NodeJS.ReadableStream | null): void {
    if (!stream) return;
    let buffer = "";
    stream.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      let newline = buffer.indexOf("\n");
      while (newline >= 0) {
        this.emitLine(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf("\n");
      }
    });
    stream.on("end", () => {
      if (buffer) this.emitLine(buffer);
    });
  }

  private emitLine(raw: string): void {
    const line = this.options.redactor.redact(raw.replace(ANSI, "").trimEnd());
    if (!line) return;
    this.options.onLine?.(line);
    this.options.logger.debug("openclaw", { line });
    this.lastLines.push(line);
    if (this.lastLines.length > LAST_LINES) this.lastLines.shift();
  }

  /** Resolves once GET /readyz answers 200; rejects when OpenClaw exits first or the time runs out. */
  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exit) {
        // Its last lines may still be in the pipes when the exit is seen.
        await Promise.race([this.outputClosed, new Promise((r) => setTimeout(r, 2_000))]);
        this.options.logger.error("OpenClaw exited during start-up; its last output", {
          ...this.exit,
          lines: this.lastLines,
        });
        throw new AgentTaskError(
          "OPENCLAW_EXITED",
          `OpenClaw exited during start-up (code ${this.exit.code}, signal ${this.exit.signal}); see the task log.`,
        );
      }
      try {
        const res = await fetch(`${this.baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
        await res.body?.cancel();
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new AgentTaskError("OPENCLAW_START_TIMEOUT", `OpenClaw was not ready after ${timeoutMs} ms.`);
  }

  /** SIGTERM to the process group, SIGKILL after `graceMs`. Idempotent. */
  async stop(graceMs = 10_000): Promise<ProcessExit> {
    this.stopRequested = true;
    const child = this.child;
    if (!child?.pid || !this.exitedPromise) return { code: null, signal: null };
    const pid = child.pid;
    if (!this.exit) signalGroup(pid, this.childStart, "SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((r) => {
      timer = setTimeout(() => r("timeout"), graceMs);
    });
    const first = await Promise.race([this.exitedPromise, timedOut]);
    clearTimeout(timer);
    if (first === "timeout")
      this.options.logger.warn("openclaw did not stop in time; killing it", { graceMs });
    // Also reaps workers that outlived the leader.
    signalGroup(pid, this.childStart, "SIGKILL");
    const exit = first === "timeout" ? await this.exitedPromise : first;
    this.options.logger.info("openclaw stopped", { ...exit });
    return exit;
  }
}

/** A free TCP port on 127.0.0.1 (OpenClaw binds loopback only). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

/**
 * A loopback port that is the same on every boot for the same seed while it is free, another free one
 * when it is taken. For ports written into OpenClaw's config: OpenClaw boots about 3 s slower whenever
 * its config differs from the one it last started with, so a port picked at random each boot costs
 * every boot. The range sits below Linux's ephemeral ports (32768+), where outgoing connections live.
 */
export async function stableLoopbackPort(seed: string): Promise<number> {
  const RANGE = { from: 20_000, size: 10_000 };
  const start = createHash("sha256").update(seed).digest().readUInt32BE(0) % RANGE.size;
  for (let i = 0; i < 8; i++) {
    const port = RANGE.from + ((start + i) % RANGE.size);
    if (await loopbackPortFree(port)) return port;
  }
  return freeLoopbackPort();
}

function loopbackPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
