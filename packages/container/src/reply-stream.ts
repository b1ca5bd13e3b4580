import {
  LIMITS,
  type PendingMessage,
  type StoredMessage,
  type ToolActivity,
  upsertActivity,
} from "@serverless-openclaw/shared";
import type { ReplySink } from "./sinks/reply-sink";

// What one turn sends to its sinks (web, Telegram, Discord, Slack): the streamed text in batches and its
// tool calls, in the order they happened, then the reply. The turn's rules (queue, timeouts, storing
// exactly once) stay in turns.ts.

/** Sends a turn's reply as what it is: a final, or the error it ended with. */
export function sendReply(sink: ReplySink, message: PendingMessage, reply: StoredMessage): Promise<void> {
  if (reply.error)
    return sink.error(
      message,
      reply.error.code,
      reply.error.message,
      reply.error.retryable ?? true,
      reply.activity,
    );
  return sink.final(message, reply.text, reply.messageId, reply.createdAt, reply.activity);
}

/** Runs a call on every sink; one sink failing (Telegram down) must not stop the others. */
export async function each(sinks: ReplySink[], call: (sink: ReplySink) => Promise<void>): Promise<void> {
  const results = await Promise.allSettled(sinks.map(call));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed && results.every((r) => r.status === "rejected")) throw failed.reason;
}

/**
 * Gathers stream deltas for a few tens of milliseconds (or until a size is reached) before
 * handing them to the sinks, in order, each push ≤ LIMITS.maxDeltaChars.
 */
export class DeltaBatcher {
  text = "";
  /** The turn's tool calls so far, in start order (stored with the reply). */
  activities: ToolActivity[] = [];
  private buffer = "";
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly sinks: ReplySink[],
    private readonly message: PendingMessage,
    private readonly delayMs: number,
    private readonly flushChars: number,
  ) {}

  add(chunk: string): void {
    this.text += chunk;
    this.buffer += chunk;
    // The first piece goes out at once (time to first token); later ones are batched.
    if (this.seq === 0 || this.buffer.length >= this.flushChars) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.buffer) {
      const piece = this.buffer.slice(0, LIMITS.maxDeltaChars);
      this.buffer = this.buffer.slice(piece.length);
      const seq = this.seq++;
      const soFar = this.text.slice(0, this.text.length - this.buffer.length);
      this.chain = this.chain.then(() =>
        each(this.sinks, (s) => s.delta(this.message, piece, seq, soFar)).catch(() => undefined),
      );
    }
  }

  /**
   * A tool call started or ended: the text before it goes out first, then the call, on the same
   * chain, so every sink sees text and activity in the order they happened.
   */
  activity(item: ToolActivity): void {
    this.activities = upsertActivity(this.activities, item);
    const stored = this.activities.find((a) => a.id === item.id);
    if (!stored) return; // over the per-turn cap
    this.flush();
    this.chain = this.chain.then(() =>
      each(this.sinks, (s) => s.activity?.(this.message, stored) ?? Promise.resolve()).catch(() => undefined),
    );
  }

  async close(): Promise<void> {
    this.flush();
    await this.chain;
  }
}
