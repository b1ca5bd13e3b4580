import type { TaskStateStore } from "@serverless-openclaw/gateway";
import { STARTUP_STEP_LABELS, type TaskState } from "@serverless-openclaw/shared";

/**
 * Prints the wake-up of each agent as it happens ("Starting OpenClaw… (4.2 s)"), from TaskState, the
 * same steps the browser sees. Polling keeps it independent of whether a browser is connected.
 */
export function watchAgentProgress(options: {
  taskState: TaskStateStore;
  print: (line: string) => void;
  /** Short names for user ids (the login name), when known. */
  nameOf?: (userId: string) => string | undefined;
  intervalMs?: number;
}): { stop(): void } {
  const last = new Map<string, string>();
  let busy = false;
  const describe = (row: TaskState): string | undefined => {
    if (row.state === "Starting") return row.step ? STARTUP_STEP_LABELS[row.step] : "Starting…";
    if (row.state === "Running") return "Ready";
    if (row.state === "Stopping") return "Stopping (saving memory)…";
    return undefined;
  };
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const active = await options.taskState.listActive();
      const seen = new Set<string>();
      for (const row of active) {
        seen.add(row.userId);
        const label = describe(row);
        if (!label || last.get(row.userId) === label) continue;
        last.set(row.userId, label);
        const since = row.startedAt
          ? ` (${((Date.now() - Date.parse(row.startedAt)) / 1000).toFixed(1)} s)`
          : "";
        const name = options.nameOf?.(row.userId) ?? row.userId.slice(0, 8);
        options.print(`agent ${name}: ${label}${row.state === "Stopping" ? "" : since}`);
      }
      for (const userId of [...last.keys()]) {
        if (seen.has(userId)) continue;
        last.delete(userId);
        options.print(`agent ${options.nameOf?.(userId) ?? userId.slice(0, 8)}: idle (stopped)`);
      }
    } catch {
      // The store may be closing during shutdown; the next tick tries again.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), options.intervalMs ?? 250);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
