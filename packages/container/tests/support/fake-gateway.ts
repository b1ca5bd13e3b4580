import { createHash } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { ClientPush, Stores } from "@serverless-openclaw/gateway/agent";
import type { GatewayToAgent, PendingMessage } from "@serverless-openclaw/shared";
import { type WebSocket, WebSocketServer } from "ws";

export interface PushedEvent {
  connectionId: string;
  event: Record<string, unknown>;
}

/** Records what the task pushes to browser tabs; a connection id in `gone` answers 410. */
export class RecordingClientPush implements ClientPush {
  readonly events: PushedEvent[] = [];
  readonly gone = new Set<string>();

  async send(connectionId: string, event: object): Promise<boolean> {
    if (this.gone.has(connectionId)) return false;
    this.events.push({ connectionId, event: event as Record<string, unknown> });
    return true;
  }

  async disconnect(): Promise<void> {}

  of(type: string, connectionId?: string): Array<Record<string, unknown>> {
    return this.events
      .filter((e) => e.event.type === type && (!connectionId || e.connectionId === connectionId))
      .map((e) => e.event);
  }
}

/**
 * Plays the gateway's agent API on loopback: checks `?userId=&secret=` against TaskState like the
 * real $connect does, flips Starting → Running, and lets a test push frames to the agent.
 */
export class FakeAgentGateway {
  private wss!: WebSocketServer;
  private sockets = new Set<WebSocket>();
  readonly frames: Array<Record<string, unknown>> = [];
  connects = 0;
  refused = 0;
  url = "";

  constructor(private readonly stores: Stores) {}

  async start(): Promise<void> {
    this.wss = new WebSocketServer({
      host: "127.0.0.1",
      port: 0,
      path: "/agent",
      verifyClient: (info, done) => {
        void this.admit(info.req.url ?? "").then(
          (ok) => {
            if (!ok) this.refused += 1;
            done(ok, ok ? undefined : 401);
          },
          () => done(false, 500),
        );
      },
    });
    await new Promise<void>((r) => this.wss.once("listening", () => r()));
    this.url = `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/agent`;
    this.wss.on("connection", (ws) => {
      this.connects += 1;
      this.sockets.add(ws);
      ws.on("message", (data) => this.frames.push(JSON.parse(data.toString()) as Record<string, unknown>));
      ws.on("close", () => this.sockets.delete(ws));
    });
  }

  private async admit(rawUrl: string): Promise<boolean> {
    const url = new URL(rawUrl, "http://x");
    const userId = url.searchParams.get("userId") ?? "";
    const secret = url.searchParams.get("secret") ?? "";
    const row = await this.stores.taskState.get(userId);
    const hash = createHash("sha256").update(secret).digest("hex");
    if ((row.state !== "Starting" && row.state !== "Running") || row.agentSecretHash !== hash) return false;
    const now = new Date().toISOString();
    const next = await this.stores.taskState.transition({
      userId,
      expectState: ["Starting", "Running"],
      set: { state: "Running", runningAt: now, heartbeatAt: now, step: "ready", stepAt: now },
    });
    return next !== undefined;
  }

  get connected(): number {
    return this.sockets.size;
  }

  send(frame: GatewayToAgent): void {
    for (const ws of this.sockets) ws.send(JSON.stringify(frame));
  }

  deliver(message: PendingMessage): void {
    this.send({ type: "agent.deliver", message });
  }

  /** Drops every agent connection, as API Gateway does after 2 hours. */
  dropAll(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }
}
