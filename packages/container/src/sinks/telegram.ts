import { autoRetry } from "@grammyjs/auto-retry";
import type { SecretStore } from "@serverless-openclaw/gateway/ports";
import type { PendingMessage } from "@serverless-openclaw/shared";
import { Api, GrammyError } from "grammy";
import type { Logger } from "../logger";
import type { ReplySink } from "./reply-sink";
import {
  fenceStateAfter,
  markdownToTelegramHtml,
  splitForTelegram,
  TELEGRAM_MAX_CHARS,
} from "./telegram-format";

export const TELEGRAM_BOT_TOKEN_SECRET = "telegram/bot-token";

export interface TelegramSinkDeps {
  secrets: SecretStore;
  logger: Logger;
  /** Bot API root (env TELEGRAM_API_ROOT); Telegram's own when absent. */
  apiRoot?: string;
  /** Told the bot token once it is read, so logs never carry it. */
  redactor?: { add(secret: string): void };
  /** Telegram allows about one edit per second per chat. */
  minEditIntervalMs?: number;
  /** "typing" shows for ~5 s; refreshed this often while a turn runs. */
  typingIntervalMs?: number;
  maxMessageChars?: number;
  now?: () => number;
}

/** One Telegram message of a reply: the Markdown piece it shows, and how. */
interface Shown {
  messageId: number;
  piece: string;
  html: boolean;
}

interface Turn {
  chatId: number;
  text: string;
  shown: Shown[];
  /** Serializes this turn's API calls, in order. */
  chain: Promise<void>;
  timer?: NodeJS.Timeout;
  typing?: NodeJS.Timeout;
}

/**
 * Streams a reply into Telegram: "typing" while the turn runs, the first text as a new message,
 * then edits of that message at most once per `minEditIntervalMs` per chat (and once more with the
 * final text), continuing in a new message at 4096 characters. Markdown is sent as Telegram HTML
 * and falls back to plain text when Telegram refuses the formatting. Messages from other channels
 * pass through untouched.
 */
export class TelegramReplySink implements ReplySink {
  private readonly turns = new Map<string, Turn>();
  /** Turns already answered, so a late delta cannot open a second reply. */
  private readonly finished = new Set<string>();
  private readonly lastSendAt = new Map<number, number>();
  private api: Promise<Api | undefined> | undefined;
  private readonly minEditMs: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(private readonly deps: TelegramSinkDeps) {
    this.minEditMs = deps.minEditIntervalMs ?? 1000;
    this.max = deps.maxMessageChars ?? TELEGRAM_MAX_CHARS;
    this.now = deps.now ?? Date.now;
  }

  async started(message: PendingMessage): Promise<void> {
    const turn = await this.turn(message);
    if (!turn) return;
    const api = await this.getApi();
    const typing = () =>
      api?.sendChatAction(turn.chatId, "typing").catch((error: unknown) => {
        this.deps.logger.debug("telegram typing failed", { error });
      });
    void typing();
    turn.typing = setInterval(typing, this.deps.typingIntervalMs ?? 4000);
    turn.typing.unref?.();
  }

  async delta(message: PendingMessage, _chunk: string, _seq: number, textSoFar: string): Promise<void> {
    const turn = await this.turn(message);
    if (!turn) return;
    turn.text = textSoFar;
    if (turn.timer) return; // an update is already scheduled and will read the latest text
    const wait = turn.shown.length === 0 ? 0 : this.waitFor(turn.chatId);
    turn.timer = setTimeout(() => {
      turn.timer = undefined;
      this.enqueue(turn, () => this.render(turn));
    }, wait);
  }

  async final(message: PendingMessage, text: string, _messageId: string, _createdAt: string): Promise<void> {
    const turn = await this.turn(message);
    if (!turn) return;
    this.finish(message, turn);
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
    await this.enqueue(turn, async () => {
      const api = await this.getApi();
      await api?.sendMessage(turn.chatId, `⚠️ ${errorMessage}`.slice(0, this.max));
    });
  }

  /** The turn's state; undefined when the message does not go to Telegram or no token is set. */
  private async turn(message: PendingMessage): Promise<Turn | undefined> {
    if (message.replyTo.channel !== "telegram") return undefined;
    const existing = this.turns.get(message.id);
    if (existing) return existing;
    if (this.finished.has(message.id)) return undefined;
    if (!(await this.getApi())) return undefined;
    const turn: Turn = { chatId: message.replyTo.chatId, text: "", shown: [], chain: Promise.resolve() };
    this.turns.set(message.id, turn);
    return turn;
  }

  private finish(message: PendingMessage, turn: Turn): void {
    clearTimeout(turn.timer);
    clearInterval(turn.typing);
    turn.timer = undefined;
    this.turns.delete(message.id);
    this.finished.add(message.id);
    if (this.finished.size > 1000) this.finished.delete(this.finished.values().next().value ?? "");
  }

  private waitFor(chatId: number): number {
    const last = this.lastSendAt.get(chatId);
    return last === undefined ? 0 : Math.max(0, last + this.minEditMs - this.now());
  }

  /** Runs `work` after the turn's earlier calls; a failure is logged, never thrown at the turn. */
  private enqueue(turn: Turn, work: () => Promise<void>): Promise<void> {
    turn.chain = turn.chain.then(work).catch((error: unknown) => {
      this.deps.logger.warn("telegram reply failed", { chatId: turn.chatId, error });
    });
    return turn.chain;
  }

  /** Brings the chat in line with the turn's text: edit what changed, send what is new. */
  private async render(turn: Turn): Promise<void> {
    const api = await this.getApi();
    if (!api || turn.text === "") return;
    const pieces = splitForTelegram(turn.text, this.max);
    let fence: { lang: string } | undefined;
    for (const [i, piece] of pieces.entries()) {
      const html = markdownToTelegramHtml(piece, fence);
      fence = fenceStateAfter(piece, fence);
      const shown = turn.shown[i];
      if (piece.trim() === "" || shown?.piece === piece) continue;
      await sleep(this.waitFor(turn.chatId));
      this.lastSendAt.set(turn.chatId, this.now());
      turn.shown[i] = shown
        ? await this.edit(api, turn.chatId, shown, piece, html)
        : await this.send(api, turn.chatId, piece, html);
      // Counted from when Telegram answered: it has surely received the call by then.
      this.lastSendAt.set(turn.chatId, this.now());
    }
  }

  private async send(api: Api, chatId: number, piece: string, html: string): Promise<Shown> {
    const options = { link_preview_options: { is_disabled: true } };
    try {
      const sent = await api.sendMessage(chatId, html, { ...options, parse_mode: "HTML" });
      return { messageId: sent.message_id, piece, html: true };
    } catch (error) {
      if (!isParseError(error)) throw error;
      const sent = await api.sendMessage(chatId, piece, options);
      return { messageId: sent.message_id, piece, html: false };
    }
  }

  private async edit(api: Api, chatId: number, shown: Shown, piece: string, html: string): Promise<Shown> {
    const options = { link_preview_options: { is_disabled: true } };
    try {
      if (shown.html) {
        try {
          await api.editMessageText(chatId, shown.messageId, html, { ...options, parse_mode: "HTML" });
          return { ...shown, piece };
        } catch (error) {
          if (!isParseError(error)) throw error;
        }
      }
      await api.editMessageText(chatId, shown.messageId, piece, options);
      return { ...shown, piece, html: false };
    } catch (error) {
      if (describe(error).includes("message is not modified")) return { ...shown, piece };
      // The user deleted the message we were editing: carry on in a new one.
      if (describe(error).includes("message to edit not found")) return this.send(api, chatId, piece, html);
      throw error;
    }
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

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((r) => setTimeout(r, ms));
}

/**
 * For AgentTaskDeps.extraSinks: one Telegram sink for the task, used for messages that came from
 * Telegram. `apiRoot` comes from env TELEGRAM_API_ROOT when set.
 */
export function telegramExtraSinks(deps: TelegramSinkDeps): (message: PendingMessage) => ReplySink[] {
  const sink = new TelegramReplySink(deps);
  return (message) => (message.replyTo.channel === "telegram" ? [sink] : []);
}
