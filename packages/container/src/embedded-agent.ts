import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import * as z from "zod";
import { AgentTaskError } from "./errors";
import type { ChatEvent } from "./openclaw-chat";
import {
  parseToolEvent,
  type ToolEventListener,
  type ToolEventSource,
  ToolListeners,
} from "./openclaw-events";

const ReplySchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready") }),
  z.object({ type: z.literal("delta"), id: z.string(), text: z.string() }),
  z.object({ type: z.literal("error"), id: z.string(), message: z.string() }),
  z.object({ type: z.literal("done"), id: z.string() }),
  z.object({ type: z.literal("forgotten"), id: z.string(), rewound: z.boolean() }),
  // Its fields are parsed by parseToolEvent, the same parser the gateway's session.tool events go through.
  z.looseObject({ type: z.literal("tool"), id: z.string() }),
  z.object({ type: z.literal("unsupported"), message: z.string() }),
]);
type Reply = z.infer<typeof ReplySchema>;

type TurnEvent = Exclude<Reply, { type: "ready" | "tool" | "unsupported" }>;

/** How the host's start ended: OpenClaw loaded, or its internals were not found (an upgrade moved them). */
export type HostStart = { ok: true } | { ok: false; reason: "unsupported" | "exited"; message: string };

/**
 * The task's side of the embedded agent host (embedded-agent-program.ts): sends turns on its stdin,
 * reads their streamed replies from its fd 3. The host is OpenClaw, so what it sends is parsed,
 * never trusted: a line that does not parse is dropped, and a reply for an unknown turn is ignored.
 */
export class EmbeddedAgentClient implements ToolEventSource {
  private readonly turns = new Map<string, (event: TurnEvent | "closed") => void>();
  /** The session of each running turn: a tool event belongs to the turn it names, whatever it claims. */
  private readonly sessions = new Map<string, string>();
  private readonly toolListeners = new ToolListeners();
  private closed = false;
  private settleStart!: (start: HostStart) => void;
  /** Settles once the host has loaded OpenClaw's agent, or could not (the first turn waits for it anyway). */
  readonly started = new Promise<HostStart>((r) => {
    this.settleStart = r;
  });

  constructor(
    private readonly input: NodeJS.WritableStream,
    output: NodeJS.ReadableStream,
  ) {
    createInterface({ input: output })
      .on("line", (line) => this.onLine(line))
      .on("close", () => {
        this.closed = true;
        this.settleStart({ ok: false, reason: "exited", message: "the embedded agent host exited at start" });
        for (const notify of this.turns.values()) notify("closed");
      });
    // Writing to a host that died must not crash the task: the turn ends when the pipe closes.
    input.on("error", () => undefined);
  }

  private onLine(line: string): void {
    let parsed: Reply;
    try {
      const result = ReplySchema.safeParse(JSON.parse(line));
      if (!result.success) return;
      parsed = result.data;
    } catch {
      return;
    }
    if (parsed.type === "ready") this.settleStart({ ok: true });
    else if (parsed.type === "unsupported")
      this.settleStart({ ok: false, reason: "unsupported", message: parsed.message });
    else if (parsed.type === "tool") this.onToolLine(parsed);
    else this.turns.get(parsed.id)?.(parsed);
  }

  /** Tool events of one session (our key) while its turns run, until the returned function is called. */
  onTool(sessionKey: string, listener: ToolEventListener): () => void {
    return this.toolListeners.add(sessionKey, listener);
  }

  private onToolLine(line: { id: string; ts?: unknown }): void {
    const sessionKey = this.sessions.get(line.id);
    if (sessionKey === undefined) return;
    const event = parseToolEvent(sessionKey, line.ts, line);
    if (!event) return;
    this.toolListeners.emit(sessionKey, event);
  }

  /**
   * Stop's rewind (the host's "forget"): queued behind the stopped turn in the host, so it runs once
   * that run has ended. Resolves whether the session was rewound; rejects when the host failed.
   */
  async forget(sessionKey: string, text: string): Promise<boolean> {
    if (this.closed) throw new AgentTaskError("OPENCLAW_EXITED", "the embedded agent host is not running");
    const id = randomUUID();
    try {
      const event = await new Promise<TurnEvent | "closed">((resolve) => {
        this.turns.set(id, resolve);
        this.input.write(`${JSON.stringify({ type: "forget", id, sessionKey, text })}\n`);
      });
      if (event === "closed")
        throw new AgentTaskError("OPENCLAW_EXITED", "the embedded agent host exited during a rewind");
      if (event.type === "forgotten") return event.rewound;
      throw new Error(event.type === "error" ? event.message : `unexpected reply to a rewind: ${event.type}`);
    } finally {
      this.turns.delete(id);
    }
  }

  /** One turn; yields deltas, then ends (done) or yields one error. Abort sends a cancel and throws. */
  async *chat(request: { sessionKey: string; text: string; signal: AbortSignal }): AsyncGenerator<ChatEvent> {
    if (this.closed) throw new AgentTaskError("OPENCLAW_EXITED", "the embedded agent host is not running");
    const id = randomUUID();
    const queue: Array<TurnEvent | "closed" | "aborted"> = [];
    let wake: (() => void) | undefined;
    const push = (event: TurnEvent | "closed" | "aborted") => {
      queue.push(event);
      wake?.();
    };
    const onAbort = () => {
      this.input.write(`${JSON.stringify({ type: "cancel", id })}\n`);
      push("aborted");
    };
    this.turns.set(id, push);
    this.sessions.set(id, request.sessionKey);
    request.signal.addEventListener("abort", onAbort, { once: true });
    try {
      this.input.write(
        `${JSON.stringify({ type: "turn", id, sessionKey: request.sessionKey, text: request.text })}\n`,
      );
      for (;;) {
        const event = queue.shift();
        if (!event) {
          await new Promise<void>((r) => {
            wake = r;
          });
          wake = undefined;
          continue;
        }
        if (event === "aborted") throw request.signal.reason ?? new Error("aborted");
        if (event === "closed")
          throw new AgentTaskError("OPENCLAW_EXITED", "the embedded agent host exited during a turn");
        if (event.type === "done") return;
        if (event.type === "forgotten") continue;
        if (event.type === "error") {
          yield { type: "error", message: event.message };
          return;
        }
        yield { type: "delta", text: event.text };
      }
    } finally {
      request.signal.removeEventListener("abort", onAbort);
      this.turns.delete(id);
      this.sessions.delete(id);
    }
  }
}
