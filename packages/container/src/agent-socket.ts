import type { Logger } from "@serverless-openclaw/shared";
import {
  type AgentToGateway,
  type GatewayToAgent,
  GatewayToAgentSchema,
  safeParse,
} from "@serverless-openclaw/shared";
import WebSocket from "ws";

export interface AgentSocketOptions {
  /** AGENT_WS_URL without the query; `?userId=&secret=` is added here. */
  url: string;
  userId: string;
  secret: string;
  logger: Logger;
  /** Signs the upgrade request (IAM on AWS); returns extra headers. */
  sign?: (url: string) => Promise<Record<string, string>>;
  onMessage: (message: GatewayToAgent) => void;
  onOpen: () => void;
  /** Called after this many consecutive refusals (401/403): the gateway no longer wants this task. */
  onRejected: (status: number) => void;
  pingIntervalMs?: number;
  backoff?: { baseMs: number; maxMs: number };
  maxRejections?: number;
}

/**
 * The task's one outbound WebSocket to the gateway's agent API. API Gateway drops connections
 * idle for 10 minutes and every connection after 2 hours, so it pings well inside that and
 * reconnects (backoff with jitter) whenever the socket closes, until close() is called.
 */
export class AgentSocket {
  private ws: WebSocket | undefined;
  private closed = false;
  private attempt = 0;
  private rejections = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: AgentSocketOptions) {}

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Sends one frame if the socket is open; false when it is not (the caller may wait and retry). */
  send(frame: AgentToGateway): boolean {
    const ws = this.ws;
    if (ws?.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  start(): void {
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const { url, userId, secret, logger } = this.options;
    const target = new URL(url);
    target.searchParams.set("userId", userId);
    target.searchParams.set("secret", secret);
    let headers: Record<string, string> = {};
    try {
      if (this.options.sign) headers = await this.options.sign(target.toString());
    } catch (err) {
      logger.error("could not sign the agent connection", { error: err });
      this.scheduleReconnect();
      return;
    }
    const ws = new WebSocket(target, { headers, handshakeTimeout: 15_000 });
    this.ws = ws;
    ws.on("open", () => {
      this.attempt = 0;
      this.rejections = 0;
      logger.info("connected to the gateway");
      this.startPing(ws);
      this.options.onOpen();
    });
    ws.on("message", (data) => this.handle(data.toString()));
    ws.on("unexpected-response", (_req, res) => {
      const status = res.statusCode ?? 0;
      logger.warn("the gateway refused the agent connection", { status });
      res.resume();
      if (status === 401 || status === 403) {
        this.rejections += 1;
        if (this.rejections >= (this.options.maxRejections ?? 3)) {
          this.closed = true;
          this.options.onRejected(status);
        }
      }
      ws.terminate();
    });
    ws.on("error", (err) => logger.warn("agent connection error", { error: err }));
    ws.on("close", (code) => {
      this.stopPing();
      if (this.ws === ws) this.ws = undefined;
      if (!this.closed) {
        logger.info("agent connection closed; reconnecting", { code });
        this.scheduleReconnect();
      }
    });
  }

  private handle(raw: string): void {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.options.logger.warn("ignoring a non-JSON frame from the gateway");
      return;
    }
    const parsed = safeParse(GatewayToAgentSchema, json);
    if (!parsed.ok) {
      this.options.logger.warn("ignoring an unknown frame from the gateway", { reason: parsed.message });
      return;
    }
    this.options.onMessage(parsed.value);
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const { baseMs, maxMs } = this.options.backoff ?? { baseMs: 500, maxMs: 30_000 };
    // The first retry after a long-lived connection is immediate (API Gateway's 2-hour cut).
    const ceiling = Math.min(maxMs, baseMs * 2 ** this.attempt);
    const delay = this.attempt === 0 ? 0 : Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
    this.attempt += 1;
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private startPing(ws: WebSocket): void {
    this.stopPing();
    this.pingTimer = setInterval(
      () => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "agent.ping" }));
      },
      this.options.pingIntervalMs ?? 4 * 60_000,
    );
  }

  private stopPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopPing();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 2_000);
      ws.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      ws.close(1000, "agent stopping");
    });
  }
}
