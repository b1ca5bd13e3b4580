import type { Connection } from "@serverless-openclaw/shared";
import {
  ChatSendSchema,
  type ClientMessage,
  ClientMessageSchema,
  LIMITS,
  parseJson,
  type ServerEvent,
} from "@serverless-openclaw/shared";
import type { GatewayDeps } from "../deps";
import { AuthError, errorSummary } from "../errors";
import { createServices, type GatewayServices } from "../services";
import { broadcast, pushTo } from "../services/broadcast";
import {
  bodyText,
  type HandlerResult,
  type ParsedWebSocketEvent,
  type WebSocketEvent,
  WebSocketEventSchema,
} from "./events";

export type WebSocketHandler = (event: WebSocketEvent) => Promise<HandlerResult>;

const OK: HandlerResult = { statusCode: 200 };

/**
 * The browser's WebSocket API. `$connect` verifies the Cognito id token from `?token=` and records the
 * connection; `$default` takes the shared client protocol. Replies go out through ClientPush, because
 * API Gateway only relays Lambda return bodies on routes with route responses.
 *
 * `$connect` does not push the current status: on AWS a connection cannot receive pushes until
 * `$connect` has returned. The client asks with `status.get` (or `agent.wake`) once the socket opens.
 */
export function createWebSocketHandler(
  deps: GatewayDeps,
  services: GatewayServices = createServices(deps),
): WebSocketHandler {
  const { logger } = deps;

  async function connect(event: ParsedWebSocketEvent): Promise<HandlerResult> {
    const token = event.queryStringParameters?.token;
    try {
      if (!token) throw new AuthError("TOKEN_MISSING", "sign in first: the token query parameter is missing");
      const user = await deps.tokenVerifier.verify(token);
      if (await services.sessions.revoked(user.userId, user.issuedAt)) {
        throw new AuthError(
          "TOKEN_REVOKED",
          "you signed out everywhere after this token was issued; sign in again",
        );
      }
      const now = deps.clock.now();
      await deps.connections.put({
        connectionId: event.requestContext.connectionId,
        userId: user.userId,
        kind: "client",
        connectedAt: now.toISOString(),
        expiresAt: Math.floor(now.getTime() / 1000) + LIMITS.connectionTtlSeconds,
      });
      logger.info("client connected", {
        userId: user.userId,
        connectionId: event.requestContext.connectionId,
      });
      return OK;
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      logger.info("client connect rejected", { code: error.code });
      return {
        statusCode: 401,
        body: JSON.stringify({ error: { code: error.code, message: error.message } }),
      };
    }
  }

  async function message(event: ParsedWebSocketEvent): Promise<HandlerResult> {
    const connectionId = event.requestContext.connectionId;
    const reply = (e: ServerEvent) => pushTo(deps, connectionId, e);
    const connection = await deps.connections.get(connectionId);
    if (connection?.kind !== "client") {
      await reply({
        type: "error",
        code: "NOT_CONNECTED",
        message: "this connection is not signed in; reconnect",
      });
      return { statusCode: 403 };
    }
    const body = bodyText(event);
    const tooLong = overlongChatMessage(body);
    if (tooLong) {
      await reply(tooLong);
      return { statusCode: 400 };
    }
    const parsed = parseJson(ClientMessageSchema, body, LIMITS.maxBodyBytes);
    if (!parsed.ok) {
      await reply({ type: "error", code: "BAD_REQUEST", message: parsed.message });
      return { statusCode: 400 };
    }
    await dispatch(connection, parsed.value, reply);
    return OK;
  }

  async function dispatch(
    connection: Connection,
    msg: ClientMessage,
    reply: (e: ServerEvent) => Promise<boolean>,
  ): Promise<void> {
    const { userId } = connection;
    switch (msg.type) {
      case "chat.send": {
        const { clientMessageId, conversationId } = msg;
        const result = await services.chat.send(
          {
            userId,
            conversationId,
            clientMessageId,
            text: msg.text,
            channel: "web",
            replyTo: { channel: "web" },
          },
          // At once, before any wait for a stopping agent.
          {
            acknowledged: async ({ ack }) =>
              void (await reply({ type: "chat.ack", clientMessageId, conversationId, state: ack })),
          },
        );
        if (result.answered) {
          // Every tab of the user shows the answer, as when an agent replies.
          const { code, message, retryable } = result.answered;
          await broadcast(deps, userId, {
            type: "chat.error",
            clientMessageId,
            conversationId,
            code,
            message,
            retryable,
          });
        }
        return;
      }
      case "chat.cancel": {
        const dequeued = await services.chat.cancel(userId, msg.clientMessageId);
        for (const m of dequeued) {
          await reply({
            type: "chat.error",
            clientMessageId: m.clientMessageId,
            conversationId: m.conversationId,
            code: "CANCELLED",
            message: "Cancelled before the agent started on it.",
            retryable: true,
          });
        }
        return;
      }
      case "agent.wake":
        await services.lifecycle.wake(userId);
        await reply(await services.lifecycle.status(userId));
        return;
      case "status.get": {
        // A message can sit pending behind an Idle agent: its turn was abandoned when the task was
        // stopped (Spot, a restart) after the grace. Nothing else starts an agent for it, and this
        // user is waiting for that reply, so a client (re)connecting wakes one.
        const status = await services.lifecycle.status(userId);
        if (status.state === "Idle" && (await deps.pending.list(userId, 1)).length > 0) {
          await services.lifecycle.wake(userId);
          await reply(await services.lifecycle.status(userId));
          return;
        }
        await reply(status);
        return;
      }
      case "history.get": {
        const page = await services.conversations.history(userId, msg.conversationId, {
          ...(msg.before !== undefined ? { before: msg.before } : {}),
          ...(msg.limit !== undefined ? { limit: msg.limit } : {}),
        });
        await reply({ type: "history.page", ...page });
        return;
      }
      case "ping":
        await reply({ type: "pong" });
        return;
    }
  }

  return async (rawEvent) => {
    const parsed = WebSocketEventSchema.safeParse(rawEvent);
    if (!parsed.success) return { statusCode: 400 };
    const event = parsed.data;
    const connectionId = event.requestContext.connectionId;
    try {
      switch (event.requestContext.routeKey) {
        case "$connect":
          return await connect(event);
        case "$disconnect":
          // Read first: a disconnect for a connection never stored ($connect refused) writes nothing.
          if (await deps.connections.get(connectionId)) await deps.connections.delete(connectionId);
          return OK;
        default:
          return await message(event);
      }
    } catch (error) {
      logger.error("web socket handler failed", {
        connectionId,
        route: event.requestContext.routeKey,
        ...errorSummary(error),
      });
      if (event.requestContext.routeKey !== "$connect") {
        await pushTo(deps, connectionId, failureEvent(bodyText(event)));
      }
      return { statusCode: 500 };
    }
  };
}

/** Frames up to this size are still read to tell an over-long chat message from junk (API Gateway's own cap is 128 KB). */
const READABLE_OVERSIZE_BYTES = 4 * LIMITS.maxBodyBytes;

/**
 * A chat message over the length limit (even one over the size the gateway parses) is refused with the limit a person can act on (the
 * character count), tied to the message when its ids can be read, instead of a byte count of the frame.
 */
export function overlongChatMessage(body: string | undefined): ServerEvent | undefined {
  if (!body) return undefined;
  const bytes = Buffer.byteLength(body, "utf8");
  // A body this small cannot hold an over-long text: the common path parses once.
  if (bytes <= LIMITS.maxMessageChars || bytes > READABLE_OVERSIZE_BYTES) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof data !== "object" || data === null) return undefined;
  const { type, text, clientMessageId, conversationId } = data as Record<string, unknown>;
  if (type !== "chat.send" || typeof text !== "string" || text.trim().length <= LIMITS.maxMessageChars)
    return undefined;
  const message = tooLongMessage(text.length);
  const ids = ChatSendSchema.pick({ clientMessageId: true, conversationId: true }).safeParse({
    clientMessageId,
    conversationId,
  });
  return ids.success
    ? { type: "chat.error", ...ids.data, code: "MESSAGE_TOO_LONG", message, retryable: false }
    : { type: "error", code: "MESSAGE_TOO_LONG", message };
}

/** "Messages can be at most 16,000 characters; this one has 100,000. …" */
export function tooLongMessage(chars: number): string {
  const n = (x: number) => x.toLocaleString("en-US");
  return `Messages can be at most ${n(LIMITS.maxMessageChars)} characters; this one has ${n(chars)}. Shorten it or send it in parts.`;
}

/**
 * What the client hears when its message could not be handled (a storage outage, say). A chat message
 * gets a chat.error of its own, retryable, so the UI offers to send it again and does not wait for an
 * ack that will never come; nothing of it was stored, or the resend is deduplicated.
 */
function failureEvent(body: string | undefined): ServerEvent {
  const parsed = parseJson(ClientMessageSchema, body, LIMITS.maxBodyBytes);
  if (parsed.ok && parsed.value.type === "chat.send") {
    return {
      type: "chat.error",
      clientMessageId: parsed.value.clientMessageId,
      conversationId: parsed.value.conversationId,
      code: "UNAVAILABLE",
      message: "Your message could not be taken just now. Send it again in a moment.",
      retryable: true,
    };
  }
  return {
    type: "error",
    code: "INTERNAL",
    message: "Something went wrong on our side; try again in a moment.",
  };
}
