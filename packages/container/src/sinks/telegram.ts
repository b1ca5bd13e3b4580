import { ChatRelayError } from "@serverless-openclaw/gateway/agent";
import type { PendingMessage, RelayHandle } from "@serverless-openclaw/shared";
import { type ChatSinkDeps, EditingReplySink } from "./editing-sink";
import {
  fenceStateAfter,
  markdownToTelegramHtml,
  splitForTelegram,
  TELEGRAM_MAX_CHARS,
} from "./telegram-format";

export interface TelegramSinkDeps extends ChatSinkDeps {
  /** "typing" shows for ~5 s; refreshed this often while a turn runs. */
  typingIntervalMs?: number;
}

/** The message's chat (throttling key) and the pending message the relay sends for. */
interface Target {
  pendingId: string;
  chatId: number;
}

/** One Telegram message of a reply, as the relay handed it back, and whether it went out as HTML. */
interface Shown {
  message: RelayHandle;
  html: boolean;
}

/**
 * Streams a reply into Telegram: "typing" while the turn runs, the first text as a new message,
 * then edits of that message at most once per `minEditIntervalMs` per chat (and once more with the
 * final text), continuing in a new message at 4096 characters. Markdown is sent as Telegram HTML
 * and falls back to plain text when Telegram refuses the formatting. An error follows the reply in
 * a message of its own. Every call goes through the gateway's chat relay, which holds the bot token
 * and sends to the pending message's own chat. Messages from other channels pass through untouched.
 */
export class TelegramReplySink extends EditingReplySink<Target, Shown> {
  private readonly typing = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: TelegramSinkDeps) {
    super({
      logger: deps.logger,
      name: "telegram",
      maxChars: deps.maxMessageChars ?? TELEGRAM_MAX_CHARS,
      minEditIntervalMs: deps.minEditIntervalMs ?? 1000,
      errorReply: "new-message",
      ...(deps.now ? { now: deps.now } : {}),
    });
  }

  /** The chat; undefined when the message does not go to Telegram. */
  protected async targetOf(message: PendingMessage): Promise<Target | undefined> {
    if (message.replyTo.channel !== "telegram") return undefined;
    return { pendingId: message.id, chatId: message.replyTo.chatId };
  }

  protected keyOf(target: Target): string {
    return String(target.chatId);
  }

  protected override split(text: string): string[] {
    return splitForTelegram(text, this.options.maxChars);
  }

  protected override onStarted(message: PendingMessage, target: Target): void {
    if (this.typing.has(message.id)) return; // started twice (a redelivery): one "typing" loop
    const typing = () =>
      this.deps.relay.call(target.pendingId, { op: "telegram.typing" }).catch((error: unknown) => {
        this.deps.logger.debug("telegram typing failed", { error });
      });
    void typing();
    const timer = setInterval(typing, this.deps.typingIntervalMs ?? 4000);
    timer.unref?.();
    this.typing.set(message.id, timer);
  }

  protected override onFinished(message: PendingMessage): void {
    clearInterval(this.typing.get(message.id));
    this.typing.delete(message.id);
  }

  protected async send(
    target: Target,
    piece: string,
    index: number,
    pieces: readonly string[],
  ): Promise<Shown> {
    const relay = this.deps.relay;
    try {
      const html = htmlOf(pieces, index);
      const sent = await relay.call(target.pendingId, { op: "telegram.send", text: html, html: true });
      return { message: sentHandle(sent.message), html: true };
    } catch (error) {
      if (!isParseError(error)) throw error;
      const sent = await relay.call(target.pendingId, { op: "telegram.send", text: piece, html: false });
      return { message: sentHandle(sent.message), html: false };
    }
  }

  protected async edit(
    target: Target,
    shown: Shown,
    piece: string,
    index: number,
    pieces: readonly string[],
  ): Promise<Shown> {
    const relay = this.deps.relay;
    const message = shown.message;
    try {
      if (shown.html) {
        try {
          const html = htmlOf(pieces, index);
          await relay.call(target.pendingId, { op: "telegram.edit", message, text: html, html: true });
          return shown;
        } catch (error) {
          if (!isParseError(error)) throw error;
        }
      }
      await relay.call(target.pendingId, { op: "telegram.edit", message, text: piece, html: false });
      return { ...shown, html: false };
    } catch (error) {
      if (describe(error).includes("message is not modified")) return shown;
      // The user deleted the message we were editing: carry on in a new one.
      if (describe(error).includes("message to edit not found"))
        return this.send(target, piece, index, pieces);
      throw error;
    }
  }
}

function sentHandle(handle: RelayHandle | undefined): RelayHandle {
  if (!handle) throw new Error("the relay answered a send without the message");
  return handle;
}

/** Piece `index` as Telegram HTML; a code fence left open by the pieces before it carries over. */
function htmlOf(pieces: readonly string[], index: number): string {
  let fence: { lang: string } | undefined;
  for (const piece of pieces.slice(0, index)) fence = fenceStateAfter(piece, fence);
  return markdownToTelegramHtml(pieces[index] ?? "", fence);
}

/** Telegram's own error description, as the relay passed it on. */
function describe(error: unknown): string {
  return error instanceof ChatRelayError ? (error.failure.description ?? "") : "";
}

/** Telegram's 400 for formatting it cannot parse ("can't parse entities: …"). */
function isParseError(error: unknown): boolean {
  return (
    error instanceof ChatRelayError &&
    error.failure.status === 400 &&
    /can't parse entities/i.test(describe(error))
  );
}
