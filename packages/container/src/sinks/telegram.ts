import { autoRetry } from "@grammyjs/auto-retry";
import type { PendingMessage } from "@serverless-openclaw/shared";
import { Api, GrammyError } from "grammy";
import { type ChatSinkDeps, EditingReplySink } from "./editing-sink";
import type { ReplySink } from "./reply-sink";
import {
  fenceStateAfter,
  markdownToTelegramHtml,
  splitForTelegram,
  TELEGRAM_MAX_CHARS,
} from "./telegram-format";

export const TELEGRAM_BOT_TOKEN_SECRET = "telegram/bot-token";

export interface TelegramSinkDeps extends ChatSinkDeps {
  /** Bot API root (env TELEGRAM_API_ROOT); Telegram's own when absent. */
  apiRoot?: string;
  /** "typing" shows for ~5 s; refreshed this often while a turn runs. */
  typingIntervalMs?: number;
}

/** One Telegram message of a reply, and whether it went out as HTML (else plain text). */
interface Shown {
  messageId: number;
  html: boolean;
}

/**
 * Streams a reply into Telegram: "typing" while the turn runs, the first text as a new message,
 * then edits of that message at most once per `minEditIntervalMs` per chat (and once more with the
 * final text), continuing in a new message at 4096 characters. Markdown is sent as Telegram HTML
 * and falls back to plain text when Telegram refuses the formatting. An error follows the reply in
 * a message of its own. Messages from other channels pass through untouched.
 */
export class TelegramReplySink extends EditingReplySink<{ chatId: number }, Shown> {
  private api: Promise<Api | undefined> | undefined;
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

  /** The chat; undefined when the message does not go to Telegram or no bot token is set. */
  protected async targetOf(message: PendingMessage): Promise<{ chatId: number } | undefined> {
    if (message.replyTo.channel !== "telegram") return undefined;
    const chatId = message.replyTo.chatId;
    return (await this.getApi()) ? { chatId } : undefined;
  }

  protected keyOf(target: { chatId: number }): string {
    return String(target.chatId);
  }

  protected override split(text: string): string[] {
    return splitForTelegram(text, this.options.maxChars);
  }

  protected override onStarted(message: PendingMessage, target: { chatId: number }): void {
    if (this.typing.has(message.id)) return; // started twice (a redelivery): one "typing" loop
    const typing = () =>
      this.api
        ?.then((api) => api?.sendChatAction(target.chatId, "typing"))
        .catch((error: unknown) => {
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
    target: { chatId: number },
    piece: string,
    index: number,
    pieces: readonly string[],
  ): Promise<Shown> {
    const api = await this.requireApi();
    const options = { link_preview_options: { is_disabled: true } };
    try {
      const html = htmlOf(pieces, index);
      const sent = await api.sendMessage(target.chatId, html, { ...options, parse_mode: "HTML" });
      return { messageId: sent.message_id, html: true };
    } catch (error) {
      if (!isParseError(error)) throw error;
      const sent = await api.sendMessage(target.chatId, piece, options);
      return { messageId: sent.message_id, html: false };
    }
  }

  protected async edit(
    target: { chatId: number },
    shown: Shown,
    piece: string,
    index: number,
    pieces: readonly string[],
  ): Promise<Shown> {
    const api = await this.requireApi();
    const options = { link_preview_options: { is_disabled: true } };
    try {
      if (shown.html) {
        try {
          const html = htmlOf(pieces, index);
          await api.editMessageText(target.chatId, shown.messageId, html, { ...options, parse_mode: "HTML" });
          return shown;
        } catch (error) {
          if (!isParseError(error)) throw error;
        }
      }
      await api.editMessageText(target.chatId, shown.messageId, piece, options);
      return { ...shown, html: false };
    } catch (error) {
      if (describe(error).includes("message is not modified")) return shown;
      // The user deleted the message we were editing: carry on in a new one.
      if (describe(error).includes("message to edit not found"))
        return this.send(target, piece, index, pieces);
      throw error;
    }
  }

  private async requireApi(): Promise<Api> {
    const api = await this.getApi();
    if (!api) throw new Error("no Telegram bot token");
    return api;
  }

  private getApi(): Promise<Api | undefined> {
    this.api ??= this.deps.secrets.get(TELEGRAM_BOT_TOKEN_SECRET).then(
      (token) => {
        if (!token) {
          this.deps.logger.warn(
            `no Telegram bot token (secret ${TELEGRAM_BOT_TOKEN_SECRET}): replies go to the web only`,
          );
          return undefined;
        }
        this.deps.redactor?.add(token);
        const api = new Api(token, this.deps.apiRoot ? { apiRoot: this.deps.apiRoot } : undefined);
        // 429 answers carry retry_after: wait that long and try again.
        api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));
        return api;
      },
      (error: unknown) => {
        this.api = undefined; // try again on the next reply
        throw error;
      },
    );
    return this.api;
  }
}

/** Piece `index` as Telegram HTML; a code fence left open by the pieces before it carries over. */
function htmlOf(pieces: readonly string[], index: number): string {
  let fence: { lang: string } | undefined;
  for (const piece of pieces.slice(0, index)) fence = fenceStateAfter(piece, fence);
  return markdownToTelegramHtml(pieces[index] ?? "", fence);
}

function describe(error: unknown): string {
  return error instanceof GrammyError ? error.description : "";
}

/** Telegram's 400 for formatting it cannot parse ("can't parse entities: …"). */
function isParseError(error: unknown): boolean {
  return (
    error instanceof GrammyError &&
    error.error_code === 400 &&
    /can't parse entities/i.test(error.description)
  );
}

/**
 * For AgentTaskDeps.extraSinks: one Telegram sink for the task, used for messages that came from
 * Telegram. `apiRoot` comes from env TELEGRAM_API_ROOT when set.
 */
export function telegramExtraSinks(deps: TelegramSinkDeps): (message: PendingMessage) => ReplySink[] {
  const sink = new TelegramReplySink(deps);
  return (message) => (message.replyTo.channel === "telegram" ? [sink] : []);
}
