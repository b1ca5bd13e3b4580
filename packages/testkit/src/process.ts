import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { signalGroup } from "@serverless-openclaw/shared/process-group";
import { TestkitError } from "./errors";
import { until } from "./until";

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartProcessOptions {
  /** Short name used in error messages ("DynamoDB Local", "OpenClaw"). */
  name: string;
  command: string;
  args?: readonly string[];
  cwd?: string;
  /** The complete environment of the child (defaults to this process's). */
  env?: NodeJS.ProcessEnv;
  /** How much of the combined stdout+stderr to keep for diagnostics. */
  maxLogChars?: number;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the direct child has exited. */
  readonly exited: Promise<ProcessExit>;
  exitInfo(): ProcessExit | undefined;
  /** The captured output (the last `maxLogChars` characters of stdout and stderr, interleaved). */
  logs(): string;
  tail(lines?: number): string;
  /**
   * SIGTERM to the whole process group and every descendant, then SIGKILL to whatever is left once the
   * leader has exited or `graceMs` has passed. Idempotent.
   */
  stop(options?: { graceMs?: number }): Promise<ProcessExit>;
  /** SIGKILL to the whole group and every descendant at once, as a crash or OOM kill would. */
  crash(): Promise<ProcessExit>;
}

// Process groups we started and have not seen stopped, and temp dirs to remove. When the test process
// exits for any reason other than SIGKILL, nothing we started may outlive it (OpenClaw alone holds ~1 GB).
// Each group's leader start time (see ProcessId), so a kill long after it exited cannot reach a stranger.
const liveGroups = new Map<number, string | undefined>();
const dirsToRemove = new Set<string>();
let safetyNetInstalled = false;

/** A process identity that survives pid reuse: the pid plus its start time (field 22 of /proc/<pid>/stat). */
interface ProcessId {
  pid: number;
  start: string;
}

function readStat(pid: number): { ppid: number; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses; the fields after it do not.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), start: fields[19] ?? "" };
  } catch {
    return undefined;
  }
}

/**
 * Every live descendant of `pid`. Needed because some children leave our process group: OpenClaw's
 * spawn-broker worker calls setsid, so a group kill alone would orphan it.
 */
function descendants(pid: number): ProcessId[] {
  let pids: number[];
  try {
    pids = readdirSync("/proc")
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return []; // No procfs (not Linux): the group kill has to do.
  }
  const children = new Map<number, ProcessId[]>();
  for (const p of pids) {
    const stat = readStat(p);
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push({ pid: p, start: stat.start });
    children.set(stat.ppid, list);
  }
  const found: ProcessId[] = [];
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of children.get(next) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** The group `pgid` we started, unless its number has been reused since (signalGroup). */
function killGroup(pgid: number, signal: NodeJS.Signals): void {
  signalGroup(pgid, liveGroups.get(pgid), signal);
}

/** Kills each process that is still the same process (same start time) as when it was seen. */
function killExact(processes: readonly ProcessId[], signal: NodeJS.Signals): void {
  for (const p of processes) {
    if (readStat(p.pid)?.start !== p.start) continue;
    try {
      process.kill(p.pid, signal);
    } catch {
      // Gone meanwhile.
    }
  }
}

/** The leader's descendants while it is still the process we started (not a stranger with its pid). */
function groupTree(pgid: number): ProcessId[] {
  const start = liveGroups.get(pgid);
  return start !== undefined && readStat(pgid)?.start === start ? descendants(pgid) : [];
}

function killEverything(): void {
  for (const pgid of liveGroups.keys()) {
    const tree = groupTree(pgid);
    killGroup(pgid, "SIGKILL");
    killExact(tree, "SIGKILL");
  }
  for (const dir of dirsToRemove) rmSync(dir, { recursive: true, force: true });
}

/** Removes `dir` when this process exits, unless forgetDirOnExit(dir) ran first. */
export function removeDirOnExit(dir: string): void {
  installSafetyNet();
  dirsToRemove.add(dir);
}

export function forgetDirOnExit(dir: string): void {
  dirsToRemove.delete(dir);
}

function installSafetyNet(): void {
  if (safetyNetInstalled) return;
  safetyNetInstalled = true;
  process.on("exit", killEverything);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      // Someone else handles this signal (e.g. the local CLI's graceful shutdown, registered before or after
      // us): leave it to them; the exit hook still reaps. Otherwise behave like the default: exit.
      if (process.listenerCount(signal) > 1) return;
      killEverything();
      process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
    });
  }
}

/**
 * Spawns a long-running helper in its own process group (so stop() also reaches its workers), captures its
 * output for error messages, and registers it with the exit-time safety net.
 */
export function startProcess(options: StartProcessOptions): ManagedProcess {
  installSafetyNet();
  const maxLogChars = options.maxLogChars ?? 200_000;
  const child = spawn(options.command, [...(options.args ?? [])], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) {
    throw new TestkitError("STANDIN_EXITED", `${options.name}: could not spawn ${options.command}`);
  }
  const pid = child.pid;
  liveGroups.set(pid, readStat(pid)?.start);

  let log = "";
  const append = (chunk: Buffer) => {
    log += chunk.toString("utf8");
    if (log.length > maxLogChars) log = log.slice(log.length - maxLogChars);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);

  let exit: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
    child.on("error", (err) => {
      append(Buffer.from(`\n[spawn error] ${err.message}\n`));
      exit = exit ?? { code: null, signal: null };
      resolve(exit);
    });
  });

  let stopping: Promise<ProcessExit> | undefined;
  const stop = (stopOptions?: { graceMs?: number }): Promise<ProcessExit> => {
    stopping ??= (async () => {
      const graceMs = stopOptions?.graceMs ?? 10_000;
      const tree = groupTree(pid);
      if (!exit) killGroup(pid, "SIGTERM");
      killExact(tree, "SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), graceMs);
      });
      const first = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      // Also reaps workers that outlived the leader, right away so the pgid cannot be reused meanwhile.
      killGroup(pid, "SIGKILL");
      killExact(tree, "SIGKILL");
      const result = first === "timeout" ? await exited : first;
      liveGroups.delete(pid);
      return result;
    })();
    return stopping;
  };

  const crash = async (): Promise<ProcessExit> => {
    const tree = groupTree(pid);
    killGroup(pid, "SIGKILL");
    killExact(tree, "SIGKILL");
    const result = await exited;
    liveGroups.delete(pid);
    return result;
  };

  const tail = (lines = 40) => log.split("\n").slice(-lines).join("\n");
  return { name: options.name, pid, child, exited, exitInfo: () => exit, logs: () => log, tail, stop, crash };
}

export interface WaitUntilOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Fail at once (with its last log lines) when this process exits while we wait. */
  process?: ManagedProcess;
}

/** True once `url` answers HTTP at all (any status); the body is discarded so the socket is freed. */
export async function isListening(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await response.body?.cancel();
  return response.status > 0;
}

/**
 * Polls `check` until it returns true, for a stand-in to come up: a thrown error counts as "not yet",
 * and the process exiting meanwhile fails at once (`until` with TestkitErrors).
 */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  options: WaitUntilOptions,
): Promise<void> {
  const proc = options.process;
  let lastError = "";
  await until(
    what,
    async () => {
      const exit = proc?.exitInfo();
      if (proc && exit) {
        throw new TestkitError(
          "STANDIN_EXITED",
          `${proc.name} exited (code ${exit.code}, signal ${exit.signal}) before ${what}. Last output:\n${proc.tail()}`,
        );
      }
      try {
        return await check();
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
        return false;
      }
    },
    {
      timeoutMs: options.timeoutMs,
      intervalMs: options.intervalMs ?? 100,
      timeoutError: () => {
        const output = proc ? `\nLast output:\n${proc.tail()}` : "";
        const last = lastError ? ` Last error: ${lastError}.` : "";
        return new TestkitError(
          "STANDIN_TIMEOUT",
          `Timed out after ${options.timeoutMs} ms waiting for ${what}.${last}${output}`,
        );
      },
    },
  );
}
