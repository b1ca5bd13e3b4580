import { type IncomingMessage, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import type { LocalLogger } from "../support/local-logger";
import { newConnectionId, newRequestId } from "./aws-ids";
import { type LambdaHandler, lambdaContext } from "./lambda-context";
import {
  type ConnectionContext,
  connectEvent,
  connectionContext,
  disconnectEvent,
  messageEvent,
  type WebSocketEvent,
} from "./websocket-events";

/** API Gateway's WebSocket quotas: 128 KB per message, 10 min idle, 2 h per connection. */
export const WEBSOCKET_LIMITS = {
  maxMessageBytes: 128 * 1024,
  idleTimeoutMs: 10 * 60_000,
  maxConnectionMs: 2 * 60 * 60_000,
} as const;

export interface WebSocketApiOptions {
  /** "client" or "agent": names the API in logs and in its Lambda context. */
  name: string;
  apiId: string;
  stage: string;
  domainName: () => string;
  handler: () => LambdaHandler<WebSocketEvent> | undefined;
  logger: LocalLogger;
  idleTimeoutMs?: number;
  maxConnectionMs?: number;
}

interface LiveConnection {
  ctx: ConnectionContext;
  socket: WebSocket;
  lastActiveAt: number;
  idleTimer?: NodeJS.Timeout;
  lifetimeTimer?: NodeJS.Timeout;
  disconnected?: Promise<void>;
}

/** GetConnection's wire shape (the SDK maps it to ConnectedAt / Identity / LastActiveAt). */
export interface ConnectionInfo {
  connectedAt: string;
  identity: { sourceIp: string; userAgent?: string };
  lastActiveAt: string;
}

function statusOf(result: unknown): number {
  if (result !== null && typeof result === "object" && "statusCode" in result) {
    const code = Number((result as { statusCode: unknown }).statusCode);
    if (Number.isInteger(code)) return code;
  }
  return 200;
}

/**
 * One API Gateway WebSocket API: turns upgrades, messages and closes into `$connect`, `$default` and
 * `$disconnect` Lambda events, and implements the management operations (`@connections`) for its sockets.
 */
export class WebSocketApi {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: WEBSOCKET_LIMITS.maxMessageBytes,
  });
  private readonly live = new Map<string, LiveConnection>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing = false;

  constructor(private readonly options: WebSocketApiOptions) {}

  get size(): number {
    return this.live.size;
  }

  has(connectionId: string): boolean {
    return this.live.has(connectionId);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const handler = this.options.handler();
    if (this.closing || !handler) {
      rejectUpgrade(socket, 503);
      return;
    }
    const ctx = connectionContext(req, newConnectionId(), {
      apiId: this.options.apiId,
      stage: this.options.stage,
      domainName: this.options.domainName(),
    });
    let clientGone = false;
    socket.once("close", () => {
      clientGone = true;
    });
    this.track(
      this.invoke(handler, connectEvent(ctx)).then((outcome) => {
        const status = outcome.ok ? statusOf(outcome.result) : 500;
        if (status < 200 || status > 299) {
          rejectUpgrade(socket, status);
          return;
        }
        if (clientGone || this.closing) {
          // The handler stored the connection; let it clean up as API Gateway would.
          this.track(this.invoke(handler, disconnectEvent(ctx, 1006, "Client closed during $connect")));
          socket.destroy();
          return;
        }
        this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ctx, ws));
      }),
    );
  }

  private accept(ctx: ConnectionContext, socket: WebSocket): void {
    const conn: LiveConnection = { ctx, socket, lastActiveAt: Date.now() };
    this.live.set(ctx.connectionId, conn);
    this.touch(conn);
    const maxMs = this.options.maxConnectionMs ?? WEBSOCKET_LIMITS.maxConnectionMs;
    conn.lifetimeTimer = setTimeout(() => socket.close(1001, "Going away"), maxMs);
    conn.lifetimeTimer.unref();
    socket.on("message", (data: Buffer, isBinary: boolean) => {
      this.touch(conn);
      const handler = this.options.handler();
      if (!handler) return;
      this.track(
        this.invoke(handler, messageEvent(ctx, data, isBinary)).then((outcome) => {
          // API Gateway tells the client when the integration failed, and nothing when it succeeded
          // (there is no route response on our $default route).
          if (!outcome.ok && socket.readyState === WebSocket.OPEN) {
            socket.send(
              JSON.stringify({
                message: "Internal server error",
                connectionId: ctx.connectionId,
                requestId: newRequestId(),
              }),
            );
          }
        }),
      );
    });
    socket.once("close", (code: number, reason: Buffer) => {
      this.forget(conn);
      const handler = this.options.handler();
      if (!handler) return;
      const text = reason.toString("utf8") || (code === 1005 ? "Client-side close frame status not set" : "");
      conn.disconnected = this.track(this.invoke(handler, disconnectEvent(ctx, code, text)).then(() => {}));
    });
    socket.on("error", (err) => this.options.logger.debug(`[${this.options.name} ws] ${err.message}`));
  }

  private touch(conn: LiveConnection): void {
    conn.lastActiveAt = Date.now();
    if (conn.idleTimer) clearTimeout(conn.idleTimer);
    const idleMs = this.options.idleTimeoutMs ?? WEBSOCKET_LIMITS.idleTimeoutMs;
    conn.idleTimer = setTimeout(() => conn.socket.close(1001, "Going away"), idleMs);
    conn.idleTimer.unref();
  }

  private forget(conn: LiveConnection): void {
    if (conn.idleTimer) clearTimeout(conn.idleTimer);
    if (conn.lifetimeTimer) clearTimeout(conn.lifetimeTimer);
    this.live.delete(conn.ctx.connectionId);
  }

  private async invoke(
    handler: LambdaHandler<WebSocketEvent>,
    event: WebSocketEvent,
  ): Promise<{ ok: true; result: unknown } | { ok: false }> {
    try {
      const result = await handler(event, lambdaContext(`${this.options.name}-socket`));
      return { ok: true, result };
    } catch (err) {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      this.options.logger.error(
        `[${this.options.name} ws] ${event.requestContext.routeKey} handler failed: ${message}`,
      );
      return { ok: false };
    }
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
    return promise;
  }

  /** PostToConnection. `false` = GoneException (unknown, closed, or still inside `$connect`). */
  post(connectionId: string, data: Buffer): boolean {
    const conn = this.live.get(connectionId);
    if (!conn || conn.socket.readyState !== WebSocket.OPEN) return false;
    this.touch(conn);
    const text = new TextDecoder("utf-8", { fatal: false }).decode(data);
    const isText = Buffer.from(text, "utf8").equals(data);
    conn.socket.send(isText ? text : data, { binary: !isText });
    return true;
  }

  info(connectionId: string): ConnectionInfo | undefined {
    const conn = this.live.get(connectionId);
    if (!conn) return undefined;
    return {
      connectedAt: new Date(conn.ctx.connectedAt).toISOString(),
      identity: {
        sourceIp: conn.ctx.sourceIp,
        ...(conn.ctx.userAgent ? { userAgent: conn.ctx.userAgent } : {}),
      },
      lastActiveAt: new Date(conn.lastActiveAt).toISOString(),
    };
  }

  /** DeleteConnection: closes the socket; `$disconnect` follows as on AWS. */
  disconnect(connectionId: string): boolean {
    const conn = this.live.get(connectionId);
    if (!conn) return false;
    conn.socket.close(1000, "");
    return true;
  }

  /** Closes every socket, waits for their `$disconnect` events and any handler still running. */
  async close(): Promise<void> {
    this.closing = true;
    for (const conn of this.live.values()) conn.socket.close(1001, "Going away");
    const deadline = Date.now() + 5_000;
    while (this.live.size > 0 && Date.now() < deadline) await sleep(20);
    for (const conn of this.live.values()) conn.socket.terminate();
    // A handler that never settles must not keep the process from exiting.
    const giveUp = Date.now() + 10_000;
    while (this.inFlight.size > 0 && Date.now() < giveUp) {
      await Promise.race([Promise.allSettled([...this.inFlight]), sleep(100)]);
    }
    this.wss.close();
  }
}

function rejectUpgrade(socket: Duplex, status: number): void {
  if (socket.destroyed) return;
  const text = STATUS_CODES[status] ?? "Error";
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
