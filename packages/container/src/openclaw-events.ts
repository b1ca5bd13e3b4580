import { randomUUID } from "node:crypto";
import type { Logger } from "@serverless-openclaw/shared";
import WebSocket from "ws";
import * as z from "zod";

/** One tool lifecycle event of OpenClaw's agent runtime (`stream: "tool"`), as the task uses it. */
export interface OpenClawToolEvent {
  /** OpenClaw's session key, `agent:main:<our session key>`. */
  sessionKey: string;
  toolCallId: string;
  name: string;
  phase: "start" | "update" | "result";
  /** Milliseconds since the epoch, OpenClaw's clock. */
  ts: number;
  args?: unknown;
  result?: unknown;
  isError?: boolean;
}

export type ToolEventListener = (event: OpenClawToolEvent) => void;

const FrameSchema = z.looseObject({ type: z.string() });
const EventFrameSchema = z.looseObject({ type: z.literal("event"), event: z.string(), payload: z.unknown() });
const ResFrameSchema = z.looseObject({
  type: z.literal("res"),
  id: z.string(),
  ok: z.boolean(),
  error: z.unknown().optional(),
});
/** What one tool event of OpenClaw's agent runtime says, however it reached the task. */
const ToolDataSchema = z.looseObject({
  phase: z.enum(["start", "update", "result"]),
  name: z.string(),
  toolCallId: z.string(),
  args: z.unknown().optional(),
  result: z.unknown().optional(),
  isError: z.boolean().optional(),
});
const ToolPayloadSchema = z.looseObject({
  stream: z.literal("tool"),
  sessionKey: z.string(),
  ts: z.number().optional(),
  data: ToolDataSchema,
});

/**
 * One tool event from what OpenClaw sent (the gateway's `session.tool` payload's `data`, or the
 * embedded host's `tool` line): parsed, never trusted; undefined when it does not parse (OpenClaw's
 * approval "review" phase, say). Both modes go through here, so the chat sees the same shapes.
 */
export function parseToolEvent(
  sessionKey: string,
  ts: unknown,
  data: unknown,
): OpenClawToolEvent | undefined {
  const parsed = ToolDataSchema.safeParse(data);
  if (!parsed.success) return undefined;
  const d = parsed.data;
  return {
    sessionKey,
    toolCallId: d.toolCallId,
    name: d.name,
    phase: d.phase,
    ts: typeof ts === "number" && Number.isFinite(ts) ? ts : Date.now(),
    ...(d.args !== undefined ? { args: d.args } : {}),
    ...(d.result !== undefined ? { result: d.result } : {}),
    ...(d.isError !== undefined ? { isError: d.isError } : {}),
  };
}

/** Something that hands a session's tool events to listeners: the gateway's socket or the embedded host. */
export interface ToolEventSource {
  onTool(sessionKey: string, listener: ToolEventListener): () => void;
}

/**
 * The listeners of each session's tool events, for both sources (the gateway's socket, the embedded
 * host): a session's set is dropped with its last listener. A listener that throws does not stop the
 * others nor the turn's stream; `onError` hears of it.
 */
export class ToolListeners {
  private readonly bySession = new Map<string, Set<ToolEventListener>>();

  add(sessionKey: string, listener: ToolEventListener): () => void {
    let set = this.bySession.get(sessionKey);
    if (!set) {
      set = new Set();
      this.bySession.set(sessionKey, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.bySession.delete(sessionKey);
    };
  }

  emit(sessionKey: string, event: OpenClawToolEvent, onError: (error: unknown) => void = () => {}): void {
    for (const listener of this.bySession.get(sessionKey) ?? []) {
      try {
        listener(event);
      } catch (error) {
        onError(error);
      }
    }
  }
}

export interface OpenClawEventsOptions {
  /** `http://127.0.0.1:<port>` of OpenClaw's gateway (WebSocket and HTTP share the port). */
  baseUrl: string;
  token: string;
  logger: Logger;
  /** First reconnect delay; doubles up to 5 s. */
  retryMs?: number;
}

/**
 * Tool activity from OpenClaw's gateway WebSocket protocol (protocol 4). The chat itself goes over
 * `/v1/chat/completions`, whose stream carries only text; this socket, opened once at boot, subscribes
 * to session events (`sessions.subscribe`) and hands each `session.tool` event to the listeners of its
 * session. It connects as OpenClaw's trusted local backend client (`gateway-client`/`backend`, the
 * gateway token, loopback, read scope only), which needs no device pairing.
 */
export class OpenClawEvents implements ToolEventSource {
  private socket: WebSocket | undefined;
  private readonly listeners = new ToolListeners();
  private closed = false;
  private retryMs: number;
  private ready = false;
  private readonly pending = new Map<string, (ok: boolean, error: unknown) => void>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: OpenClawEventsOptions) {
    this.retryMs = options.retryMs ?? 250;
  }

  /** True once subscribed (events of turns before that are not seen). */
  get subscribed(): boolean {
    return this.ready;
  }

  start(): void {
    if (this.closed || this.socket) return;
    const url = this.options.baseUrl.replace(/^http/, "ws");
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.on("message", (raw) => this.onFrame(String(raw)));
    socket.on("error", (error) => this.options.logger.debug("openclaw events socket error", { error }));
    socket.on("close", () => {
      this.socket = undefined;
      this.ready = false;
      for (const done of this.pending.values()) done(false, "closed");
      this.pending.clear();
      if (this.closed) return;
      this.timer = setTimeout(() => this.start(), this.retryMs);
      this.timer.unref?.();
      this.retryMs = Math.min(this.retryMs * 2, 5_000);
    });
  }

  /** Listens to the tool events of one session (our key, as sent in `x-openclaw-session-key`) until the returned function is called. */
  onTool(sessionKey: string, listener: ToolEventListener): () => void {
    return this.listeners.add(normalizeKey(sessionKey), listener);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.socket?.close();
    this.socket = undefined;
  }

  private onFrame(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return;
    }
    const frame = FrameSchema.safeParse(json);
    if (!frame.success) return;
    if (frame.data.type === "res") {
      const res = ResFrameSchema.safeParse(json);
      if (res.success) {
        this.pending.get(res.data.id)?.(res.data.ok, res.data.error);
        this.pending.delete(res.data.id);
      }
      return;
    }
    const event = EventFrameSchema.safeParse(json);
    if (!event.success) return;
    if (event.data.event === "connect.challenge") void this.handshake();
    else if (event.data.event === "session.tool") this.dispatchTool(event.data.payload);
  }

  private async handshake(): Promise<void> {
    const connected = await this.request("connect", {
      minProtocol: 4,
      maxProtocol: 4,
      client: { id: "gateway-client", version: "1.0.0", platform: process.platform, mode: "backend" },
      role: "operator",
      scopes: ["operator.read"],
      caps: [],
      auth: { token: this.options.token },
    });
    if (!connected) return;
    if (await this.request("sessions.subscribe", {})) {
      this.ready = true;
      this.retryMs = this.options.retryMs ?? 250;
    }
  }

  private request(method: string, params: unknown): Promise<boolean> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.resolve(false);
    const id = randomUUID();
    return new Promise((resolve) => {
      this.pending.set(id, (ok, error) => {
        if (!ok) this.options.logger.warn(`openclaw events: ${method} refused`, { error });
        resolve(ok);
      });
      socket.send(JSON.stringify({ type: "req", id, method, params }));
    });
  }

  private dispatchTool(payload: unknown): void {
    const parsed = ToolPayloadSchema.safeParse(payload);
    if (!parsed.success) return;
    const { sessionKey, data, ts } = parsed.data;
    const event = parseToolEvent(sessionKey, ts, data);
    if (!event) return;
    this.listeners.emit(normalizeKey(sessionKey), event, (error) =>
      this.options.logger.warn("tool activity listener failed", { error }),
    );
  }
}

/** OpenClaw keys a session `agent:<agentId>:<key>` and lower-cases it; ours is the bare key. */
function normalizeKey(key: string): string {
  const lower = key.toLowerCase();
  const match = /^agent:[^:]+:(.*)$/.exec(lower);
  return match?.[1] ?? lower;
}
