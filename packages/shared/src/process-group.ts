import { readFileSync } from "node:fs";

/**
 * A process's start time (clock ticks since boot, field 22 of /proc/<pid>/stat): with the pid, an
 * identity that survives pid reuse. Undefined when no process has that pid, or there is no procfs.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses; the fields after it do not.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/**
 * Signals the process group `pgid` of a process we started (its leader, whose start time was
 * `leaderStart`), unless that number now belongs to another process. Linux keeps a pid number taken
 * while any process still has it as its group id, so when no process `pgid` exists the members left
 * are the leader's; a process `pgid` with another start time took the number after the whole group
 * had gone, and a group signal would reach it and its group instead. That happens: pid_max is 32,768
 * on many machines (this one too), and a test suite cycles through it in under an hour, so a "kill
 * whatever is left of the group" minutes after the leader exited could hit another user's agent or
 * another test's server. Without procfs (or without a start time) it signals as `kill -- -pgid` does.
 */
export function signalGroup(pgid: number, leaderStart: string | undefined, signal: NodeJS.Signals): void {
  const now = processStartTime(pgid);
  if (leaderStart !== undefined && now !== undefined && now !== leaderStart) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is gone.
  }
}
