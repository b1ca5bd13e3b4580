import { createHmac, timingSafeEqual } from "node:crypto";
import type {
  PendingMessage,
  RelayCall,
  RelayHandle,
  RelayResult,
  ReplyTarget,
} from "@serverless-openclaw/shared";
import { SECRET_NAMES } from "@serverless-openclaw/shared";
import { DiscordRest } from "../channels/discord-api";
import { ChannelApiError } from "../channels/http-json";
import { SlackWeb } from "../channels/slack-api";
import { TelegramApiError, TelegramBotApi } from "../channels/telegram-api";
import type { Logger } from "../deps";
import type { PendingQueue, SecretStore } from "../ports";
import type { AgentScope } from "./agent-scope";
import { ChatRelayError } from "./chat-relay-port";

export { ChatRelayError, type ChatRelayPort } from "./chat-relay-port";

export interface ChatRelayDeps {
  pending: Pick<PendingQueue, "list">;
  secrets: Pick<SecretStore, "get">;
  logger: Logger;
  /** Platform API roots (tests and local fakes); the platforms' own when absent. */
  telegramApiRoot?: string;
  discordApiBaseUrl?: string;
  slackApiBaseUrl?: string;
}

const refuse = (code: string, message: string): never => {
  throw new ChatRelayError({ code, message });
};

/**
 * How deep into a user's queue the pending message may be. A task answers in order, so the message
 * it is replying to is at the front; a short page keeps the lookup one small query.
 */
const PENDING_LOOKUP = 25;

/**
 * The gateway's chat relay: an agent task's Telegram, Discord and Slack replies, sent with the bot
 * tokens only the gateway holds. A call names one pending message of the task's own user (the caller's
 * scope, established by the gateway, never what the task says) and goes to that message's chat only:
 * the chat id, channel and thread come from the stored message, not from the task. Edits need the
 * handle the relay returned when it sent the message (a MAC keyed by the bot token), so a task cannot
 * edit any other message of the bot, even in the same chat.
 */
export class ChatRelay {
  private telegram: Promise<{ api: TelegramBotApi; key: Buffer } | undefined> | undefined;
  private discord: Promise<{ rest: DiscordRest; key: Buffer } | undefined> | undefined;
  private slack: Promise<{ web: SlackWeb; key: Buffer } | undefined> | undefined;

  constructor(private readonly deps: ChatRelayDeps) {}

  async call(scope: AgentScope, pendingId: string, call: RelayCall): Promise<RelayResult> {
    const message = await this.pendingMessage(scope.userId, pendingId);
    try {
      return await this.dispatch(message, call);
    } catch (error) {
      const relayError = toRelayError(error);
      if (relayError.failure.code === "RELAY_FAILED")
        this.deps.logger.warn("chat relay call failed", { op: call.op, error });
      throw relayError;
    }
  }

  private async pendingMessage(userId: string, pendingId: string): Promise<PendingMessage> {
    const queued = await this.deps.pending.list(userId, PENDING_LOOKUP);
    const message = queued.find((m) => m.id === pendingId && m.userId === userId);
    if (!message)
      refuse("NOT_PENDING", "The relay sends only to the chat of one of your own pending messages.");
    return message as PendingMessage;
  }

  private async dispatch(message: PendingMessage, call: RelayCall): Promise<RelayResult> {
    const to = message.replyTo;
    const op = call.op;
    const platform = op.slice(0, op.indexOf("."));
    if (platform !== to.channel) refuse("WRONG_CHANNEL", `This message did not come from ${platform}.`);
    switch (call.op) {
      case "telegram.typing":
      case "telegram.send":
      case "telegram.edit":
        return this.telegramCall(message, to as Extract<ReplyTarget, { channel: "telegram" }>, call);
      case "discord.send":
      case "discord.edit":
        return this.discordCall(message, to as Extract<ReplyTarget, { channel: "discord" }>, call);
      case "slack.send":
      case "slack.edit":
        return this.slackCall(message, to as Extract<ReplyTarget, { channel: "slack" }>, call);
    }
  }

  private async telegramCall(
    message: PendingMessage,
    to: Extract<ReplyTarget, { channel: "telegram" }>,
    call: Extract<RelayCall, { op: `telegram.${string}` }>,
  ): Promise<RelayResult> {
    const bot = (await this.telegramApi()) ?? refuse("NOT_CONFIGURED", "No Telegram bot is set up.");
    if (call.op === "telegram.typing") {
      await bot.api.sendChatAction(to.chatId, "typing");
      return {};
    }
    if (call.op === "telegram.send") {
      const sent = await bot.api.sendMessage(to.chatId, call.text, call.html);
      return { message: handleOf(bot.key, message, String(to.chatId), String(sent.message_id)) };
    }
    const id = verified(bot.key, message, String(to.chatId), call.message);
    await bot.api.editMessageText(to.chatId, Number(id), call.text, call.html);
    return { message: call.message };
  }

  private async discordCall(
    message: PendingMessage,
    to: Extract<ReplyTarget, { channel: "discord" }>,
    call: Extract<RelayCall, { op: `discord.${string}` }>,
  ): Promise<RelayResult> {
    const bot = (await this.discordRest()) ?? refuse("NOT_CONFIGURED", "No Discord bot token is stored.");
    const channelId = to.channelId ?? refuse("NO_CHANNEL", "This Discord message has no channel to post in.");
    if (call.op === "discord.send") {
      const sent = await bot.rest.createMessage(channelId, call.text);
      return { message: handleOf(bot.key, message, channelId, sent.id) };
    }
    const id = verified(bot.key, message, channelId, call.message);
    await bot.rest.editMessage(channelId, id, call.text);
    return { message: call.message };
  }

  private async slackCall(
    message: PendingMessage,
    to: Extract<ReplyTarget, { channel: "slack" }>,
    call: Extract<RelayCall, { op: `slack.${string}` }>,
  ): Promise<RelayResult> {
    const bot = (await this.slackWeb()) ?? refuse("NOT_CONFIGURED", "No Slack bot token is stored.");
    if (call.op === "slack.send") {
      // The first piece replaces the status message the gateway posted for this very message.
      if (call.first && to.messageTs) {
        await bot.web.update({ channel: to.channelId, ts: to.messageTs, text: call.text });
        return { message: handleOf(bot.key, message, to.channelId, to.messageTs) };
      }
      const ts = await bot.web.postMessage({ channel: to.channelId, text: call.text, threadTs: to.threadTs });
      return { message: handleOf(bot.key, message, to.channelId, ts) };
    }
    const ts = verified(bot.key, message, to.channelId, call.message);
    await bot.web.update({ channel: to.channelId, ts, text: call.text });
    return { message: call.message };
  }

  private telegramApi() {
    // 429s carry retry_after: waited out (briefly: a Lambda has seconds) and tried again.
    this.telegram ??= this.load(SECRET_NAMES.telegramBotToken, (token) => ({
      api: new TelegramBotApi({
        token,
        maxWaitMs: 10_000,
        ...(this.deps.telegramApiRoot ? { apiRoot: this.deps.telegramApiRoot } : {}),
      }),
    }));
    return this.telegram;
  }

  private discordRest() {
    this.discord ??= this.load(SECRET_NAMES.discordBotToken, (botToken) => ({
      rest: new DiscordRest({
        botToken,
        maxWaitMs: 10_000,
        ...(this.deps.discordApiBaseUrl ? { baseUrl: this.deps.discordApiBaseUrl } : {}),
      }),
    }));
    return this.discord;
  }

  private slackWeb() {
    this.slack ??= this.load(SECRET_NAMES.slackBotToken, (token) => ({
      web: new SlackWeb({
        token,
        maxWaitMs: 10_000,
        ...(this.deps.slackApiBaseUrl ? { baseUrl: this.deps.slackApiBaseUrl } : {}),
      }),
    }));
    return this.slack;
  }

  /** A platform client from its bot token (read once), and the handle key derived from that token. */
  private load<T extends object>(
    secret: string,
    build: (token: string) => T,
  ): Promise<(T & { key: Buffer }) | undefined> {
    return this.deps.secrets.get(secret).then(
      (token) => {
        if (!token) return undefined;
        const key = createHmac("sha256", token).update("chat-relay handle v1").digest();
        return { ...build(token), key };
      },
      (error: unknown) => {
        // Not cached: the next call reads the secret again.
        if (secret === SECRET_NAMES.telegramBotToken) this.telegram = undefined;
        if (secret === SECRET_NAMES.discordBotToken) this.discord = undefined;
        if (secret === SECRET_NAMES.slackBotToken) this.slack = undefined;
        throw error;
      },
    );
  }
}

function proofOf(key: Buffer, message: PendingMessage, chat: string, id: string): string {
  return createHmac("sha256", key)
    .update(`${message.userId}\n${message.id}\n${chat}\n${id}`)
    .digest("base64url");
}

function handleOf(key: Buffer, message: PendingMessage, chat: string, id: string): RelayHandle {
  return { id, proof: proofOf(key, message, chat, id) };
}

/** The platform id of a handle the relay gave out for this message and chat; refused otherwise. */
function verified(key: Buffer, message: PendingMessage, chat: string, handle: RelayHandle): string {
  const expected = Buffer.from(proofOf(key, message, chat, handle.id));
  const presented = Buffer.from(handle.proof);
  if (expected.length !== presented.length || !timingSafeEqual(expected, presented))
    refuse("NOT_YOURS", "The relay edits only messages it sent for this pending message.");
  return handle.id;
}

/** The platform's own error (status, description), so the task's sink can react as before. */
function toRelayError(error: unknown): ChatRelayError {
  if (error instanceof ChatRelayError) return error;
  if (error instanceof TelegramApiError)
    return new ChatRelayError({
      code: "PLATFORM_ERROR",
      message: error.message.slice(0, 1000),
      status: error.errorCode,
      description: error.description.slice(0, 1000),
    });
  if (error instanceof ChannelApiError)
    return new ChatRelayError({
      code: error.code.slice(0, 64),
      message: error.message.slice(0, 1000),
      status: error.status,
    });
  // Anything else (a network error) is logged by the caller; its text stays in the gateway.
  return new ChatRelayError({ code: "RELAY_FAILED", message: "The relay could not reach the platform." });
}
