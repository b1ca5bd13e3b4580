import {
  type AgentRelay,
  type AgentRelayResult,
  AgentToGatewaySchema,
  type Connection,
  LIMITS,
  parseJson,
  UserIdSchema,
} from "@serverless-openclaw/shared";
// Namespace import: `import { z }` defeats tree-shaking and adds ~350 KB of zod to every Lambda bundle.
import * as z from "zod";
import type { GatewayDeps } from "../deps";
import { AuthError, errorSummary } from "../errors";
import { createServices, type GatewayServices } from "../services";
import { bindAgentTask, callerTaskId } from "../services/agent-binding";
import { ChatRelay, ChatRelayError } from "../services/chat-relay";
import { bodyText, type HandlerResult, type ParsedWebSocketEvent, WebSocketEventSchema } from "./events";
import type { WebSocketHandler } from "./web-socket";

const AgentConnectQuerySchema = z.object({
  userId: UserIdSchema,
  secret: z.string().min(16).max(256),
});

/** The IAM caller of an IAM-authorized WebSocket `$connect` (API Gateway's `requestContext.identity`). */
const IamIdentitySchema = z.object({
  requestContext: z.object({ identity: z.object({ userArn: z.string().max(2048).nullish() }).nullish() }),
});

export interface AgentSocketOptions {
  /**
   * AWS: the task role's name. `$connect` is IAM-authorized, and the caller must be a session of this
   * role whose name (the ECS task id) is the `taskArn` of the user's current start; the per-start
   * secret alone (readable in the RunTask overrides) then opens nothing.
   */
  taskRoleName?: string;
}

/**
 * The agent task's WebSocket API. On AWS its `$connect` route is IAM-authorized, so only the task role
 * reaches it, and the caller's role session (the ECS task id) must be the task of the user's current
 * start. On top of that the task presents `?userId=&secret=`, the per-start secret whose hash the
 * gateway stored when it started the task (local mode's only check), so a task can only ever act for
 * its own user.
 */
export function createAgentSocketHandler(
  deps: GatewayDeps,
  services: GatewayServices = createServices(deps),
  options: AgentSocketOptions = {},
): WebSocketHandler {
  const { logger } = deps;
  // Bot tokens stay here: a task's Telegram/Discord/Slack replies go through this relay (docs/security.md).
  const relay = new ChatRelay({
    pending: deps.pending,
    secrets: deps.secrets,
    logger,
    ...(deps.config.telegramApiRoot ? { telegramApiRoot: deps.config.telegramApiRoot } : {}),
    ...(deps.config.discordApiBaseUrl ? { discordApiBaseUrl: deps.config.discordApiBaseUrl } : {}),
    ...(deps.config.slackApiBaseUrl ? { slackApiBaseUrl: deps.config.slackApiBaseUrl } : {}),
  });

  /**
   * One relay call, for the user this agent connection was bound to at $connect (never a user the
   * frame names); the answer goes back on the same connection.
   */
  async function relayCall(connection: Connection, request: AgentRelay): Promise<void> {
    let answer: AgentRelayResult;
    try {
      const result = await relay.call({ userId: connection.userId }, request.pendingId, request.call);
      answer = { type: "agent.relay-result", id: request.id, result };
    } catch (error) {
      if (!(error instanceof ChatRelayError)) throw error;
      if (error.failure.code === "NOT_PENDING" || error.failure.code === "NOT_YOURS")
        logger.warn("chat relay refused", { userId: connection.userId, code: error.failure.code });
      answer = { type: "agent.relay-result", id: request.id, error: error.failure };
    }
    await deps.agentPush.send(connection.connectionId, answer);
  }

  async function connect(event: ParsedWebSocketEvent, raw: unknown): Promise<HandlerResult> {
    const query = AgentConnectQuerySchema.safeParse(event.queryStringParameters ?? {});
    if (!query.success) return { statusCode: 401 };
    let taskId: string | undefined;
    if (options.taskRoleName !== undefined) {
      const identity = IamIdentitySchema.safeParse(raw);
      taskId = callerTaskId(
        identity.success ? identity.data.requestContext.identity?.userArn : undefined,
        options.taskRoleName,
      );
      const bound = taskId && (await bindAgentTask(deps.taskState, { userId: query.data.userId, taskId }));
      if (!bound) {
        logger.warn("agent connect rejected", { userId: query.data.userId, reason: "not the user's task" });
        return { statusCode: 401 };
      }
    }
    try {
      await services.lifecycle.agentConnected({
        connectionId: event.requestContext.connectionId,
        userId: query.data.userId,
        secret: query.data.secret,
        ...(taskId ? { taskId } : {}),
      });
      logger.info("agent connected", {
        userId: query.data.userId,
        connectionId: event.requestContext.connectionId,
      });
      return { statusCode: 200 };
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      logger.warn("agent connect rejected", { userId: query.data.userId, reason: error.message });
      return { statusCode: 401 };
    }
  }

  async function disconnect(connectionId: string): Promise<HandlerResult> {
    const connection = await deps.connections.get(connectionId);
    if (!connection) return { statusCode: 200 };
    await deps.connections.delete(connectionId);
    if (connection.kind === "agent") {
      await services.lifecycle.agentDisconnected(connection.userId, connectionId);
      logger.info("agent disconnected", { userId: connection.userId, connectionId });
    }
    return { statusCode: 200 };
  }

  async function message(event: ParsedWebSocketEvent): Promise<HandlerResult> {
    const connectionId = event.requestContext.connectionId;
    const connection = await deps.connections.get(connectionId);
    if (connection?.kind !== "agent") return { statusCode: 403 };
    const parsed = parseJson(AgentToGatewaySchema, bodyText(event), LIMITS.maxBodyBytes);
    if (!parsed.ok)
      return {
        statusCode: 400,
        body: JSON.stringify({ error: { code: "BAD_REQUEST", message: parsed.message } }),
      };
    if (parsed.value.type === "agent.relay") {
      await relayCall(connection, parsed.value);
      return { statusCode: 200 };
    }
    // agent.ping: keep the connection row alive as long as the socket is (API Gateway's own idle limit
    // is what the ping is really for). The heartbeat itself is written by the task into TaskState.
    const now = deps.clock.now();
    await deps.connections.put({
      ...connection,
      expiresAt: Math.floor(now.getTime() / 1000) + LIMITS.connectionTtlSeconds,
    });
    return { statusCode: 200 };
  }

  return async (rawEvent) => {
    const parsed = WebSocketEventSchema.safeParse(rawEvent);
    if (!parsed.success) return { statusCode: 400 };
    const event = parsed.data;
    try {
      switch (event.requestContext.routeKey) {
        case "$connect":
          return await connect(event, rawEvent);
        case "$disconnect":
          return await disconnect(event.requestContext.connectionId);
        default:
          return await message(event);
      }
    } catch (error) {
      logger.error("agent socket handler failed", {
        connectionId: event.requestContext.connectionId,
        route: event.requestContext.routeKey,
        ...errorSummary(error),
      });
      return { statusCode: 500 };
    }
  };
}
