import type { AddressInfo } from "node:net";
import type { ServerEvent } from "@serverless-openclaw/shared";
import { type WebSocket, WebSocketServer } from "ws";

/**
 * A loopback stand-in for the client WebSocket API with the gateway's delivery rules: it stores
 * each clientMessageId once and answers a repeat with `chat.ack {state: "duplicate"}`.
 */
export class FakeGateway {
  readonly server: WebSocketServer;
  readonly sockets: WebSocket[] = [];
  readonly received: Record<string, unknown>[] = [];
  readonly tokens: string[] = [];
  /** clientMessageIds stored, in order: a resend must not add a second entry. */
  readonly stored: string[] = [];
  /** When set, chat.send is recorded but not acknowledged (to simulate a drop before the ack). */
  holdAcks = false;
  /** When set, new connections are cut at once (the gateway is unreachable). */
  refuse = false;

  private constructor(server: WebSocketServer) {
    this.server = server;
    server.on("connection", (socket, req) => {
      if (this.refuse) {
        socket.terminate();
        return;
      }
      const url = new URL(req.url ?? "/", "http://x");
      this.tokens.push(url.searchParams.get("token") ?? "");
      this.sockets.push(socket);
      socket.on("message", (data) => this.onMessage(socket, JSON.parse(String(data))));
    });
  }

  static async start(): Promise<FakeGateway> {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    return new FakeGateway(server);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/ws`;
  }

  get current(): WebSocket | undefined {
    return this.sockets.at(-1);
  }

  push(event: ServerEvent | Record<string, unknown> | string, socket = this.current): void {
    socket?.send(typeof event === "string" ? event : JSON.stringify(event));
  }

  /** Drops every connection abruptly, like a network cut or API Gateway's 2-hour limit. */
  dropAll(): void {
    for (const s of this.server.clients) s.terminate();
  }

  of(type: string): Record<string, unknown>[] {
    return this.received.filter((m) => m.type === type);
  }

  async close(): Promise<void> {
    for (const s of this.server.clients) s.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onMessage(socket: WebSocket, msg: Record<string, unknown>): void {
    this.received.push(msg);
    if (msg.type === "status.get") this.push({ type: "agent.status", state: "Idle" }, socket);
    if (msg.type === "chat.send" && !this.holdAcks) {
      const id = String(msg.clientMessageId);
      const duplicate = this.stored.includes(id);
      if (!duplicate) this.stored.push(id);
      this.push(
        {
          type: "chat.ack",
          clientMessageId: id,
          conversationId: String(msg.conversationId),
          state: duplicate ? "duplicate" : "queued",
        },
        socket,
      );
    } else if (msg.type === "chat.send") {
      const id = String(msg.clientMessageId);
      if (!this.stored.includes(id)) this.stored.push(id);
    }
  }
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
