import { dirname, join } from "node:path";
import { ApiGatewayClientPush } from "@serverless-openclaw/gateway/adapters/aws/api-gateway-client-push";
import { createRpcStores } from "@serverless-openclaw/gateway/adapters/local/rpc-client";
import { createAwsStores, type Stores } from "@serverless-openclaw/gateway/adapters/stores";
import type { ClientPush } from "@serverless-openclaw/gateway/ports";
import { withUsageRecording } from "@serverless-openclaw/gateway/services/usage-recording";
import { AgentLinkRelay } from "./adapters/agent-link-relay";
import { HttpClientPush } from "./adapters/http-client-push";
import { AgentTask } from "./agent-task";
import { chromiumFromEnv } from "./chromium";
import { parseTaskEnv, type TaskEnv, withPipedSecrets, workDirOf } from "./env";
import { AgentTaskError } from "./errors";
import { createJsonLogger, type Logger } from "./logger";
import { resolveOpenClawRuntime } from "./openclaw-runtime";
import { openClawUserFromEnv } from "./openclaw-user";
import { Redactor } from "./redact";
import { createConnectSigner } from "./sigv4";
import { DiscordReplySink } from "./sinks/discord";
import { SlackReplySink } from "./sinks/slack";
import { TelegramReplySink } from "./sinks/telegram";

/** The ports of one task, from its environment: local mode (store RPC) or AWS (DynamoDB, S3, SSM). */
export function buildPorts(env: TaskEnv, raw: NodeJS.ProcessEnv): { stores: Stores; clientPush: ClientPush } {
  if (env.LOCAL_STORE_URL && env.LOCAL_STORE_TOKEN) {
    const stores = createRpcStores(env.LOCAL_STORE_URL, env.LOCAL_STORE_TOKEN);
    const endpoint = env.CLIENT_PUSH_ENDPOINT ?? new URL(env.LOCAL_STORE_URL).origin;
    return { stores, clientPush: new HttpClientPush(endpoint, env.LOCAL_STORE_TOKEN) };
  }
  const need = (name: string): string => {
    const value = raw[name];
    if (!value)
      throw new AgentTaskError("BAD_ENVIRONMENT", `Bad task environment: ${name} is required on AWS`);
    return value;
  };
  const stores = createAwsStores({
    tables: {
      conversations: need("TABLE_CONVERSATIONS"),
      settings: need("TABLE_SETTINGS"),
      taskState: need("TABLE_TASK_STATE"),
      connections: need("TABLE_CONNECTIONS"),
      pending: need("TABLE_PENDING"),
    },
    bucket: need("DATA_BUCKET"),
    secretPrefix: need("SECRET_PREFIX"),
  });
  // The task's own clean stop books the run to the user's monthly usage (local mode books it behind the
  // store RPC; failed starts and crashes are booked by the gateway's lifecycle and watchdog).
  const warn = (message: string, attributes?: Record<string, unknown>) =>
    process.stderr.write(`${JSON.stringify({ level: "warn", message, ...attributes })}\n`);
  // "agent run booked" lines become the AgentRunSeconds metric, and AgentOnDemandSeconds when the run
  // was on on-demand Fargate (metric filters on the task's log group; the spend alarm prices both).
  const taskState = withUsageRecording(stores.taskState, stores.settings, { warn }, (seconds, capacity) =>
    process.stdout.write(
      `${JSON.stringify({ level: "info", message: "agent run booked", seconds, capacity })}\n`,
    ),
  );
  return {
    stores: { ...stores, taskState },
    clientPush: new ApiGatewayClientPush(need("CLIENT_PUSH_ENDPOINT")),
  };
}

/** Builds the task from the process environment (the only place the task reads env). */
export async function createTask(
  processEnv: NodeJS.ProcessEnv,
): Promise<{ task: AgentTask; logger: Logger }> {
  const raw = withPipedSecrets(processEnv);
  const env = parseTaskEnv(raw);
  const redactor = new Redactor();
  redactor.add(env.AGENT_SECRET);
  redactor.add(env.LOCAL_STORE_TOKEN);
  const logger = createJsonLogger({
    redactor,
    level: env.LOG_LEVEL ?? "info",
    base: { service: "agent-task", userId: env.USER_ID },
  });
  const { stores, clientPush } = buildPorts(env, raw);
  const local = env.LOCAL_STORE_URL !== undefined;
  const runtime = resolveOpenClawRuntime(env.OPENCLAW_HOME);
  const sign = env.AGENT_WS_SIGN === "1" && env.AGENT_WS_URL.startsWith("wss://");
  // Telegram, Discord and Slack replies go through the gateway's chat relay on the agent link: the task
  // holds no bot token (docs/security.md). Discord's interaction webhooks (the interaction token is the
  // credential, one interaction for 15 minutes) are called directly; base URL from env only in tests.
  const relay = new AgentLinkRelay();
  const telegram = new TelegramReplySink({ relay, logger });
  const discord = new DiscordReplySink({
    relay,
    logger,
    redactor,
    ...(raw.DISCORD_API_BASE_URL ? { baseUrl: raw.DISCORD_API_BASE_URL } : {}),
  });
  const slack = new SlackReplySink({ relay, logger });
  const task = new AgentTask({
    userId: env.USER_ID,
    agentSecret: env.AGENT_SECRET,
    agentWsUrl: env.AGENT_WS_URL,
    stores,
    clientPush,
    relay,
    signConnect: sign ? createConnectSigner({ region: env.AWS_REGION }) : undefined,
    runtime,
    workDir: workDirOf(env),
    openclawUser: openClawUserFromEnv(env.OPENCLAW_UID, env.OPENCLAW_GID),
    logger,
    redactor,
    // A persistent compile cache next to the runtime (warmed at image build) saves seconds per boot.
    compileCacheDir: env.OPENCLAW_COMPILE_CACHE ?? join(dirname(runtime.home), "node-compile-cache"),
    openClawMode: env.OPENCLAW_MODE,
    timings: {
      ...(env.INACTIVITY_MS ? { inactivityMs: env.INACTIVITY_MS } : {}),
      ...(env.DEFAULT_INACTIVITY_MINUTES ? { defaultInactivityMinutes: env.DEFAULT_INACTIVITY_MINUTES } : {}),
      ...(env.SHUTDOWN_GRACE_MS ? { shutdownGraceMs: env.SHUTDOWN_GRACE_MS } : {}),
      ...(env.TURN_TIMEOUT_MS ? { turnTimeoutMs: env.TURN_TIMEOUT_MS } : {}),
      ...(env.HEARTBEAT_INTERVAL_MS ? { heartbeatIntervalMs: env.HEARTBEAT_INTERVAL_MS } : {}),
      ...(env.OPENCLAW_READY_TIMEOUT_MS ? { openClawReadyTimeoutMs: env.OPENCLAW_READY_TIMEOUT_MS } : {}),
    },
    chromium: chromiumFromEnv(raw),
    // Only local mode may take a key from the environment; a deployment uses Settings alone.
    envFallback: local,
    env: raw,
    extraSinks: (m) => {
      if (m.replyTo.channel === "telegram") return [telegram];
      if (m.replyTo.channel === "discord") return [discord];
      if (m.replyTo.channel === "slack") return [slack];
      return [];
    },
  });
  return { task, logger };
}
