import {
  type ChatSend,
  type ClientMessage,
  type ServerEvent,
  ServerEventSchema,
} from "@serverless-openclaw/shared";

/**
 * The browser's WebSocket connection to the gateway, as plain TypeScript (no React, no DOM
 * globals) so tests drive it against a real `ws` server.
 *
 * Delivery: every chat.send stays in an outbox until the gateway acknowledges it (chat.ack of
 * any state, or a chat.final / chat.error for it). After a reconnect the outbox is sent again
 * with the same clientMessageId; the gateway stores each id once and answers a repeat with
 * `chat.ack {state: "duplicate"}`, so nothing is lost and nothing is doubled.
 */

/** The part of the WebSocket API we use; the browser's WebSocket and `ws`'s both fit. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<MessageLike> | null;
  onclose: Handler<unknown> | null;
  onerror: Handler<unknown> | null;
}

/** Method-style (bivariant) handler, so DOM and `ws` handler types with richer events fit. */
type Handler<E> = { bivarianceHack(ev: E): void }["bivarianceHack"];

export interface MessageLike {
  readonly data: unknown;
}

const OPEN = 1;

export type ConnectionState =
  | { status: "connecting" }
  | { status: "open" }
  | { status: "reconnecting"; attempt: number; retryAt: number }
  | { status: "offline"; reason: "stopped" | "signed-out" | "network" };

export interface WsClientOptions {
  url: string;
  /** A valid id token; the auth session refreshes it first when it has expired. */
  getToken: () => Promise<string>;
  createSocket: (url: string) => SocketLike;
  /** First retry delay; doubles per attempt up to maxDelayMs, with jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Keep-alive: API Gateway closes connections idle for 10 minutes. */
  pingIntervalMs?: number;
  /** No frame within this long after a ping means a dead connection: reconnect. */
  pongTimeoutMs?: number;
  /** agent.wake is sent at most once per this interval. */
  wakeThrottleMs?: number;
  random?: () => number;
  now?: () => number;
  /** Called with a short reason when an incoming frame is not a valid server event. */
  onInvalid?: (reason: string) => void;
  /** Tells whether an error from getToken means the user is signed out (stop retrying). */
  isSignedOutError?: (error: unknown) => boolean;
}

type Listener<T> = (value: T) => void;

export class WsClient {
  private socket: SocketLike | null = null;
  private state: ConnectionState = { status: "offline", reason: "stopped" };
  private running = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;
  private lastWakeAt = Number.NEGATIVE_INFINITY;
  private readonly outbox = new Map<string, ChatSend>();
  private readonly lastSeq = new Map<string, { stream?: string; seq: number }>();
  private readonly eventListeners = new Set<Listener<ServerEvent>>();
  private readonly stateListeners = new Set<Listener<ConnectionState>>();
  private readonly o: Required<Omit<WsClientOptions, "onInvalid" | "isSignedOutError">> &
    Pick<WsClientOptions, "onInvalid" | "isSignedOutError">;

  constructor(options: WsClientOptions) {
    this.o = {
      baseDelayMs: 500,
      maxDelayMs: 30_000,
      pingIntervalMs: 4 * 60_000,
      pongTimeoutMs: 10_000,
      wakeThrottleMs: 30_000,
      random: Math.random,
      now: Date.now,
      ...options,
    };
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  /** Messages sent but not yet acknowledged, oldest first. */
  get pending(): ChatSend[] {
    return [...this.outbox.values()];
  }

  onEvent(listener: Listener<ServerEvent>): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onStateChange(listener: Listener<ConnectionState>): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    void this.connect();
  }

  stop(): void {
    this.running = false;
    this.teardown();
    this.setState({ status: "offline", reason: "stopped" });
  }

  /** Skip the backoff wait (the browser came back online, the user clicked "retry now"). */
  reconnectNow(): void {
    if (!this.running) return;
    if (this.state.status === "open" || this.state.status === "connecting") return;
    this.teardown();
    void this.connect();
  }

  /** The browser reports it lost the network: show offline; reconnectNow() when it returns. */
  networkLost(): void {
    if (!this.running) return;
    this.teardown();
    this.setState({ status: "offline", reason: "network" });
  }

  /** Queues a chat message; it is (re)sent until acknowledged. Returns the message. */
  sendChat(message: Omit<ChatSend, "type">): ChatSend {
    const chat: ChatSend = { type: "chat.send", ...message };
    this.outbox.set(chat.clientMessageId, chat);
    this.write(chat);
    return chat;
  }

  /** Sends a non-queued message if connected. False when it could not be sent now. */
  send(message: Exclude<ClientMessage, ChatSend>): boolean {
    return this.write(message);
  }

  cancel(clientMessageId: string): void {
    // A message still in the outbox may not have reached the gateway: drop it so a reconnect
    // does not send it after all; the cancel covers it if it did arrive.
    this.outbox.delete(clientMessageId);
    this.write({ type: "chat.cancel", clientMessageId });
  }

  /**
   * Pre-warm the agent, at most once per wakeThrottleMs (`force`: regardless, for the restart after a
   * settings change). True when a wake was sent.
   */
  wake(force = false): boolean {
    const now = this.o.now();
    if (!force && now - this.lastWakeAt < this.o.wakeThrottleMs) return false;
    if (!this.write({ type: "agent.wake" })) return false;
    this.lastWakeAt = now;
    return true;
  }

  /** Probe a possibly half-open connection (e.g. after the tab becomes visible again). */
  checkAlive(): void {
    if (this.state.status !== "open") return;
    this.write({ type: "ping" });
    this.armPongTimer();
  }

  private async connect(): Promise<void> {
    this.setState({ status: "connecting" });
    let token: string;
    try {
      token = await this.o.getToken();
    } catch (error) {
      if (!this.running) return;
      if (this.o.isSignedOutError?.(error)) {
        this.running = false;
        this.setState({ status: "offline", reason: "signed-out" });
      } else {
        this.scheduleReconnect();
      }
      return;
    }
    if (!this.running) return;
    const url = new URL(this.o.url);
    url.searchParams.set("token", token);
    let socket: SocketLike;
    try {
      socket = this.o.createSocket(url.toString());
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.setState({ status: "open" });
      this.write({ type: "status.get" });
      for (const chat of this.outbox.values()) this.write(chat);
      this.pingTimer = setInterval(() => this.checkAlive(), this.o.pingIntervalMs);
    };
    socket.onmessage = (ev) => {
      if (this.socket !== socket) return;
      clearTimeout(this.pongTimer);
      this.handleFrame(ev.data);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearTimers();
      if (this.running) this.scheduleReconnect();
    };
    // An error is always followed by close, which does the work.
    socket.onerror = () => undefined;
  }

  private handleFrame(data: unknown): void {
    if (typeof data !== "string") {
      this.o.onInvalid?.("binary frame");
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      this.o.onInvalid?.("frame is not JSON");
      return;
    }
    const parsed = ServerEventSchema.safeParse(json);
    if (!parsed.success) {
      this.o.onInvalid?.(`unknown event: ${parsed.error.issues[0]?.message ?? ""}`);
      return;
    }
    const event = parsed.data;
    // A frame from the gateway proves the connection works: later drops start backoff afresh.
    this.attempt = 0;
    switch (event.type) {
      case "chat.ack":
        this.outbox.delete(event.clientMessageId);
        break;
      case "chat.delta": {
        // Repeats of one run are dropped; a new run (another agent answering again) starts over.
        const last = this.lastSeq.get(event.clientMessageId);
        if (last && last.stream === event.stream && event.seq <= last.seq) return;
        this.lastSeq.set(event.clientMessageId, { stream: event.stream, seq: event.seq });
        break;
      }
      case "chat.final":
      case "chat.error":
        this.outbox.delete(event.clientMessageId);
        this.lastSeq.delete(event.clientMessageId);
        break;
    }
    for (const listener of this.eventListeners) listener(event);
  }

  private write(message: ClientMessage): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN || this.state.status !== "open") return false;
    try {
      socket.send(JSON.stringify(message));
      return true;
    } catch {
      return false;
    }
  }

  private scheduleReconnect(): void {
    const ceiling = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** this.attempt);
    // "Equal jitter": at least half the ceiling, so clients that dropped together spread out
    // without any of them retrying instantly.
    const delay = Math.round(ceiling / 2 + (this.o.random() * ceiling) / 2);
    this.attempt += 1;
    this.setState({ status: "reconnecting", attempt: this.attempt, retryAt: this.o.now() + delay });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (this.running) void this.connect();
    }, delay);
  }

  private armPongTimer(): void {
    clearTimeout(this.pongTimer);
    this.pongTimer = setTimeout(() => {
      // Half-open: closing fires onclose, which schedules the reconnect.
      const socket = this.socket;
      this.socket = null;
      this.clearTimers();
      socket?.close(4000, "no pong");
      if (this.running) this.scheduleReconnect();
    }, this.o.pongTimeoutMs);
  }

  private teardown(): void {
    clearTimeout(this.retryTimer);
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.onopen = null;
      try {
        socket.close(1000, "client closing");
      } catch {
        // Closing a socket that never opened may throw in some implementations.
      }
    }
  }

  private clearTimers(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}
