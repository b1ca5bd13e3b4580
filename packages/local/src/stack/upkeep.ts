import type { Stores } from "@serverless-openclaw/gateway";
import { watchAgentProgress } from "../agent/agent-progress";
import type { LocalIdentity } from "../identity/local-identity";
import type { Cleanups } from "./cleanups";

/**
 * What runs in the background while the stack is up: the watchdog on a timer (EventBridge runs it every
 * 5 min on AWS) and the wake-up progress lines in the terminal.
 */
export async function startUpkeep(options: {
  watchdog: (event: unknown) => Promise<unknown>;
  intervalMs: number;
  taskState: Stores["taskState"];
  identity: LocalIdentity;
  print: (line: string) => void;
  cleanups: Cleanups;
}): Promise<void> {
  const { watchdog, cleanups } = options;
  // Rows left Starting/Running by a previous run have no process any more: the watchdog repairs them.
  await watchdog({});
  const watchdogTimer = setInterval(() => void watchdog({}), options.intervalMs);
  watchdogTimer.unref();
  cleanups.push(async () => clearInterval(watchdogTimer));

  const progress = watchAgentProgress({
    taskState: options.taskState,
    print: options.print,
    nameOf: (userId) => options.identity.users.bySub(userId)?.username,
  });
  cleanups.push(async () => progress.stop());
}
