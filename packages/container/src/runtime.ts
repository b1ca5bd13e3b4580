import { dirname, join } from "node:path";
import {
  type ClientPush,
  createRpcStores,
  createStores,
  type Stores,
} from "@serverless-openclaw/gateway/agent";
import { AGENT_USER_HEADER, type Logger, Redactor } from "@serverless-openclaw/shared";
import { AgentLinkRelay } from "./adapters/agent-link-relay";
import { HttpClientPush } from "./adapters/http-client-push";
import { UrlBlobStore } from "./adapters/url-blob-store";
import { AgentTask } from "./agent-task";
import { chromiumFromEnv } from "./chromium";
import { envApiKeys, openClawPassEnv, parseTaskEnv, type TaskEnv, withPipedSecrets, workDirOf } from "./env";
import { AgentTaskError } from "./errors";
import { createJsonLogger } from "./logger";
import { resolveOpenClawRuntime } from "./openclaw-runtime";
import { openClawUserFromEnv } from "./openclaw-user";
import { createConnectSigner, createSignedFetch } from "./sigv4";
import { DiscordReplySink } from "./sinks/discord";
import { SlackReplySink } from "./sinks/slack";
import { TelegramReplySink } from "./sinks/telegram";

/**
 * The ports of one task. Either way the task holds no store credentials of its own: local mode reaches
 * the local server's store RPC with its per-start token; on AWS the same RPC is the agent API's `/rpc`,
 * SigV4-signed with the task role, whose only permission is to call that API (and the agent
 * WebSocket's $connect). The gateway binds each call to this task's user and serves it through
 * scopeStores; blob bytes go over presigned URLs it signs for one of the user's keys.
 */
export function buildPorts(
  env: TaskEnv,
  options: { signedFetch?: typeof fetch } = {},
): { stores: Stores; clientPush: ClientPush } {
  if (env.LOCAL_STORE_URL && env.LOCAL_STORE_TOKEN) {
    const stores = createStores({ backend: createRpcStores(env.LOCAL_STORE_URL, env.LOCAL_STORE_TOKEN) });
    const endpoint = env.CLIENT_PUSH_ENDPOINT ?? new URL(env.LOCAL_STORE_URL).origin;
    return { stores, clientPush: new HttpClientPush(endpoint, env.LOCAL_STORE_TOKEN) };
  }
  const api = env.AGENT_API_URL;
  if (!api)
    throw new AgentTaskError("BAD_ENVIRONMENT", "Bad task environment: AGENT_API_URL is required on AWS");
  const signedFetch =
    options.signedFetch ??
    createSignedFetch({ region: env.AWS_REGION, headers: { [AGENT_USER_HEADER]: env.USER_ID } });
  const base = api.replace(/\/$/, "");
  const rpc = createRpcStores(`${base}/rpc`, undefined, { fetch: signedFetch });
  return {
    stores: createStores({
      backend: rpc,
      replace: { blobs: new UrlBlobStore(base, rpc.blobs, signedFetch) },
    }),
    clientPush: new HttpClientPush(base, undefined, { path: "connections", fetch: signedFetch }),
  };
}

/** Builds the task from the process environment (the only place the task reads env). */
export async function createTask(
  processEnv: NodeJS.ProcessEnv,
): Promise<{ task: AgentTask; logger: Logger }> {
  // Parsed once: from here on only the typed TaskEnv is read, and no raw variable reaches AgentTask.
  const env = parseTaskEnv(withPipedSecrets(processEnv));
  const redactor = new Redactor();
  redactor.add(env.AGENT_SECRET);
  redactor.add(env.LOCAL_STORE_TOKEN);
  const logger = createJsonLogger({
    redactor,
    level: env.LOG_LEVEL ?? "info",
    base: { service: "agent-task", userId: env.USER_ID },
  });
  const { stores, clientPush } = buildPorts(env);
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
    ...(env.DISCORD_API_BASE_URL ? { baseUrl: env.DISCORD_API_BASE_URL } : {}),
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
    stateCheckpoints: env.STATE_CHECKPOINTS,
    timings: {
      ...(env.INACTIVITY_MS ? { inactivityMs: env.INACTIVITY_MS } : {}),
      ...(env.DEFAULT_INACTIVITY_MINUTES ? { defaultInactivityMinutes: env.DEFAULT_INACTIVITY_MINUTES } : {}),
      ...(env.SHUTDOWN_GRACE_MS ? { shutdownGraceMs: env.SHUTDOWN_GRACE_MS } : {}),
      ...(env.TURN_TIMEOUT_MS ? { turnTimeoutMs: env.TURN_TIMEOUT_MS } : {}),
      ...(env.HEARTBEAT_INTERVAL_MS ? { heartbeatIntervalMs: env.HEARTBEAT_INTERVAL_MS } : {}),
      ...(env.OPENCLAW_READY_TIMEOUT_MS ? { openClawReadyTimeoutMs: env.OPENCLAW_READY_TIMEOUT_MS } : {}),
    },
    chromium: chromiumFromEnv(env),
    // Only local mode may take a key from the environment; a deployment uses Settings alone.
    envFallback: local,
    envApiKeys: envApiKeys(env),
    openClawPassEnv: openClawPassEnv(env),
    extraSinks: (m) => {
      if (m.replyTo.channel === "telegram") return [telegram];
      if (m.replyTo.channel === "discord") return [discord];
      if (m.replyTo.channel === "slack") return [slack];
      return [];
    },
  });
  return { task, logger };
}
