import type { ChatRelayPort } from "@serverless-openclaw/gateway/agent";
import type { Logger } from "@serverless-openclaw/shared";
import {
  activityLine,
  type PendingMessage,
  type ToolActivity,
  upsertActivity,
} from "@serverless-openclaw/shared";
import type { ReplySink } from "./reply-sink";

/** What a chat platform's reply sink is given (Telegram, Discord, Slack). */
export interface ChatSinkDeps {
  /** The gateway's chat relay: it holds the bot tokens and sends only to the message's own chat. */
  relay: ChatRelayPort;
  logger: Logger;
  /** Told a credential the task does hold (a Discord interaction token), so logs never carry it. */
  redactor?: { add(secret: string): void };
  /** At most one call per this interval per conversation; the platform's default when absent. */
  minEditIntervalMs?: number;
  maxMessageChars?: number;
  now?: () => number;
}

export interface EditingSinkOptions {
  logger: Logger;
  /** For log lines ("discord", "slack"). */
  name: string;
  /** The platform's message length limit; longer replies continue in new messages. */
  maxChars: number;
  /** At most one call per this interval per conversation (platform rate limits). */
  minEditIntervalMs: number;
  /**
   * How a failed turn shows: `replace` edits the turn's first message into the error (a status the
   * user saw becomes the error); `new-message` leaves what was shown and sends the error after it.
   */
  errorReply?: "replace" | "new-message";
  now?: () => number;
}

/** Compact lines of the latest tool calls shown under a reply while it is written. */
const ACTIVITY_LINES = 3;

interface Turn<T, H> {
  target: T;
  text: string;
  /** The turn's tool calls; the latest few show as compact lines until the reply is final. */
  activity: ToolActivity[];
  /** False once the final text or the error is set: then only that shows. */
  live: boolean;
  shown: Array<{ handle: H; piece: string }>;
  /** Serializes this turn's API calls, in order. */
  chain: Promise<void>;
  timer?: NodeJS.Timeout | undefined;
}

/**
 * A reply streamed into a chat platform by editing: the first text goes out (or replaces a status
 * message), later text edits it at most once per `minEditIntervalMs`, and text beyond `maxChars`
 * continues in new messages. Subclasses say where a message goes and make the platform calls.
 * Failures are logged, never thrown at the turn: the reply is stored and shown in the web app anyway.
 */
export abstract class EditingReplySink<T, H> implements ReplySink {
  private readonly turns = new Map<string, Turn<T, H>>();
  /** Turns already answered, so a late delta cannot open a second reply. */
  private readonly finished = new Set<string>();
  private readonly lastCallAt = new Map<string, number>();
  private readonly now: () => number;

  constructor(protected readonly options: EditingSinkOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Where the message's reply goes; undefined when it is not for this platform or it is not set up. */
  protected abstract targetOf(message: PendingMessage): Promise<T | undefined>;
  /** Throttling key: one conversation. */
  protected abstract keyOf(target: T): string;
  /** Shows piece `index` of the reply (`pieces` is the whole reply, split) for the first time. */
  protected abstract send(target: T, piece: string, index: number, pieces: readonly string[]): Promise<H>;
  /** Replaces piece `index`, shown before as `handle`. */
  protected abstract edit(
    target: T,
    handle: H,
    piece: string,
    index: number,
    pieces: readonly string[],
  ): Promise<H>;

  /** The reply in pieces of at most `maxChars`; platforms with formatting split where it stays whole. */
  protected split(text: string): string[] {
    return splitText(text, this.options.maxChars);
  }

  /** A turn for this platform began (e.g. show "typing"). */
  protected onStarted(_message: PendingMessage, _target: T): void {}

  /** The turn ended, answered or failed. */
  protected onFinished(_message: PendingMessage): void {}

  async started(message: PendingMessage): Promise<void> {
    const turn = await this.turn(message);
    if (turn) this.onStarted(message, turn.target);
  }

  async delta(message: PendingMessage, _chunk: string, _seq: number, textSoFar: string): Promise<void> {
    const turn = await this.turn(message);
    if (!turn) return;
    turn.text = textSoFar;
    this.schedule(turn);
  }

  /** A tool call shows as a compact line under the text ("⚙ exec `ls` ✓"), edited in place: never a message of its own. */
  async activity(message: PendingMessage, activity: ToolActivity): Promise<void> {
    const turn = await this.turn(message);
    if (!turn) return;
    turn.activity = upsertActivity(turn.activity, activity);
    this.schedule(turn);
  }

  private schedule(turn: Turn<T, H>): void {
    if (turn.timer) return; // an update is already scheduled and will read the latest text
    turn.timer = setTimeout(() => {
      turn.timer = undefined;
      void this.enqueue(turn, () => this.render(turn));
    }, this.waitFor(turn.target));
  }

  async final(message: PendingMessage, text: string, _messageId: string, _createdAt: string): Promise<void> {
    const turn = await this.turn(message);
    if (!turn) return;
    this.finish(message, turn);
    turn.live = false;
    turn.text = text.trim() === "" ? "(empty reply)" : text;
    await this.enqueue(turn, () => this.render(turn));
  }

  async error(
    message: PendingMessage,
    _code: string,
    errorMessage: string,
    _retryable: boolean,
  ): Promise<void> {
    const turn = await this.turn(message);
    if (!turn) return;
    this.finish(message, turn);
    turn.live = false;
    turn.text = `⚠️ ${errorMessage}`.slice(0, this.options.maxChars);
    // Either the error replaces what the conversation showed for this turn (a status, part of a
    // reply), or it follows it in a message of its own.
    turn.shown = this.options.errorReply === "new-message" ? [] : turn.shown.slice(0, 1);
    await this.enqueue(turn, () => this.render(turn));
  }

  private async turn(message: PendingMessage): Promise<Turn<T, H> | undefined> {
    const existing = this.turns.get(message.id);
    if (existing) return existing;
    if (this.finished.has(message.id)) return undefined;
    const target = await this.targetOf(message);
    if (!target) return undefined;
    const again = this.turns.get(message.id); // another call got here first while we waited
    if (again) return again;
    const turn: Turn<T, H> = {
      target,
      text: "",
      activity: [],
      live: true,
      shown: [],
      chain: Promise.resolve(),
    };
    this.turns.set(message.id, turn);
    return turn;
  }

  private finish(message: PendingMessage, turn: Turn<T, H>): void {
    clearTimeout(turn.timer);
    turn.timer = undefined;
    this.onFinished(message);
    this.turns.delete(message.id);
    this.finished.add(message.id);
    if (this.finished.size > 1000) this.finished.delete(this.finished.values().next().value ?? "");
  }

  private waitFor(target: T): number {
    const last = this.lastCallAt.get(this.keyOf(target));
    return last === undefined ? 0 : Math.max(0, last + this.options.minEditIntervalMs - this.now());
  }

  private enqueue(turn: Turn<T, H>, work: () => Promise<void>): Promise<void> {
    turn.chain = turn.chain.then(work).catch((error: unknown) => {
      this.options.logger.warn(`${this.options.name} reply failed`, { error });
    });
    return turn.chain;
  }

  /** Brings the conversation in line with the turn's text: edit what changed, send what is new. */
  private async render(turn: Turn<T, H>): Promise<void> {
    const text = turn.live ? withActivity(turn.text, turn.activity) : turn.text;
    if (text === "") return;
    const pieces = this.split(text);
    for (const [i, piece] of pieces.entries()) {
      const shown = turn.shown[i];
      if (piece.trim() === "" || shown?.piece === piece) continue;
      await sleep(this.waitFor(turn.target));
      const key = this.keyOf(turn.target);
      this.lastCallAt.set(key, this.now());
      const handle = shown
        ? await this.edit(turn.target, shown.handle, piece, i, pieces)
        : await this.send(turn.target, piece, i, pieces);
      turn.shown[i] = { handle, piece };
      this.lastCallAt.set(key, this.now());
    }
  }
}

/** The reply so far with the latest tool calls as compact lines under it. */
export function withActivity(text: string, activity: readonly ToolActivity[]): string {
  // Without tool calls the text goes out exactly as streamed, as it did before activity lines existed.
  if (activity.length === 0) return text;
  const lines = activity.slice(-ACTIVITY_LINES).map(activityLine).join("\n");
  return [text.trimEnd(), lines].filter(Boolean).join("\n\n");
}

/**
 * Splits at the last line break (or space) before `max`, so words and lines stay whole where possible.
 * `width` is what a character costs on the platform (Slack's escaping makes `&` five); one by default.
 */
export function splitText(text: string, max: number, width?: (char: string) => number): string[] {
  const pieces: string[] = [];
  let rest = text;
  for (;;) {
    const limit = width ? fitting(rest, max, width) : Math.min(rest.length, max);
    if (limit >= rest.length) break;
    const window = rest.slice(0, limit);
    let cut = window.lastIndexOf("\n");
    if (cut < limit / 2) cut = window.lastIndexOf(" ");
    if (cut < limit / 2) cut = limit;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  pieces.push(rest);
  return pieces;
}

/** How many leading characters of `text` fit in `max` (at least one, so splitting always advances). */
function fitting(text: string, max: number, width: (char: string) => number): number {
  let used = 0;
  for (let i = 0; i < text.length; i++) {
    used += width(text[i] ?? "");
    if (used > max) return Math.max(1, i);
  }
  return text.length;
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((r) => setTimeout(r, ms));
}
