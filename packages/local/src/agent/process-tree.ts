import { readdirSync, readFileSync } from "node:fs";

interface ProcInfo {
  ppid: number;
  /** Start time in clock ticks since boot: tells a process from a later one that reused its pid. */
  start: string;
}

function readStat(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 2 (comm) may contain spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), start: fields[19] ?? "" };
  } catch {
    return undefined; // exited while we looked
  }
}

/** Parent pid of every process, from /proc (Linux). Empty where /proc is missing. */
function parentMap(): Map<number, ProcInfo> {
  const parents = new Map<number, ProcInfo>();
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return parents;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readStat(Number(entry));
    if (info) parents.set(Number(entry), info);
  }
  return parents;
}

/**
 * Every live descendant of `pid`. Needed because the agent task starts OpenClaw in a process group of its
 * own, so killing the task's group alone could leave OpenClaw (~1 GB) running.
 */
export function descendantsOf(pid: number): Map<number, string> {
  const parents = parentMap();
  const found = new Map<number, string>();
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift() as number;
    for (const [child, info] of parents) {
      if (info.ppid === current && !found.has(child)) {
        found.set(child, info.start);
        queue.push(child);
      }
    }
  }
  return found;
}

/** The start time of a live process (see ProcInfo), or undefined. */
export function startTimeOf(pid: number): string | undefined {
  return readStat(pid)?.start;
}

/** Signals `pid` (and the group it leads) only if it is still the process we saw start at `start`. */
export function signalIfSame(pid: number, start: string, sig: NodeJS.Signals): void {
  if (startTimeOf(pid) !== start) return;
  signal(-pid, sig);
  signal(pid, sig);
}

/** Whether the process we saw start at `start` still exists (zombies count as gone). */
export function isSameAlive(pid: number, start: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[0] !== "Z" && fields[19] === start;
  } catch {
    return false;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // ESRCH: already gone.
  }
}
