import type { Redactor } from "@serverless-openclaw/shared";
import type { AgentTokens } from "../agent/agent-tokens";
import { ProcessTaskRunner } from "../agent/process-task-runner";
import type { ApiGatewayServer } from "../server/api-gateway-server";
import type { LocalLogger } from "../support/local-logger";
import type { RepoPaths } from "../support/repo-paths";
import type { Cleanups } from "./cleanups";
import { RPC_PATH } from "./rpc-route";

export interface AgentRunner {
  runner: ProcessTaskRunner;
  onTaskStopped(handler: (event: unknown) => Promise<unknown>): void;
}

/**
 * The agents as child processes of this server, reaching it the way a task reaches API Gateway. A task
 * that exits goes to the watchdog as ECS's stopped-task event would (`onTaskStopped`, set once the
 * handlers exist).
 */
export function startAgentRunner(options: {
  paths: RepoPaths;
  dataDir: string;
  server: ApiGatewayServer;
  tokens: AgentTokens;
  logger: LocalLogger & { redactor: Redactor };
  command: { file: string; args: string[] };
  graceMs?: number;
  agentEnv?: Record<string, string>;
  /** What agents inherit of the host's environment (`agentInheritedEnv`). */
  inheritedEnv: Readonly<Record<string, string>>;
  cleanups: Cleanups;
}): AgentRunner {
  const { paths, server, logger } = options;
  let taskStopped: ((event: unknown) => Promise<unknown>) | undefined;
  const runner = new ProcessTaskRunner({
    cwd: paths.root,
    entry: paths.containerMain,
    dataDir: options.dataDir,
    agentWsUrl: server.agentWsUrl,
    clientPushEndpoint: server.url,
    storeUrl: `${server.url}${RPC_PATH}`,
    tokens: options.tokens,
    openclawHome: paths.openclawHome,
    openclawCompileCache: paths.openclawCompileCache,
    logger,
    redactor: logger.redactor,
    graceMs: options.graceMs,
    inheritedEnv: options.inheritedEnv,
    // No bot token and no Bot API root reach the agent: its replies go through the gateway's relay.
    extraEnv: { ...options.agentEnv },
    command: options.command,
    onExit: (exit) => void taskStopped?.(ecsTaskStoppedEvent(exit)),
  });
  // Agents go first (they save their state through the server), so this cleanup runs before it closes.
  options.cleanups.push(() => {
    taskStopped = undefined; // shutting down: no agent is started again for pending messages
    return runner.stopAll("local mode is shutting down");
  });
  return {
    runner,
    onTaskStopped: (handler) => {
      taskStopped = handler;
    },
  };
}

/** The EventBridge event ECS sends when a task stops, for a local agent process that exited. */
function ecsTaskStoppedEvent(exit: { taskArn: string; userId: string; stopRequested: boolean }) {
  return {
    source: "aws.ecs",
    "detail-type": "ECS Task State Change",
    detail: {
      taskArn: exit.taskArn,
      startedBy: exit.userId,
      lastStatus: "STOPPED",
      stopCode: exit.stopRequested ? "UserInitiated" : "EssentialContainerExited",
    },
  };
}
