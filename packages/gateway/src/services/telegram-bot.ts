import { autoRetry } from "@grammyjs/auto-retry";
import type { AgentState, AgentStatusEvent, Channel, ReplyTarget } from "@serverless-openclaw/shared";
import { Bot, type Context } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { Logger } from "../deps";
import { GatewayError } from "../errors";
import type { Clock, SettingsStore } from "../ports";
import type { PairingService } from "./pairing";
import { currentConversation, startNewConversation } from "./telegram-conversations";
import { describeFailure, describeStartFailure, describeStatus, TELEGRAM_TEXT } from "./telegram-messages";

/** What the bot needs from ChatService (services/chat.ts); the real service satisfies it. */
export interface TelegramChatPort {
  send(input: {
    userId: string;
    conversationId: string;
    clientMessageId: string;
    text: string;
    channel: Channel;
    replyTo: ReplyTarget;
  }): Promise<{ ack: "queued" | "delivered" | "duplicate"; agentState: AgentState }>;
}

/** What the bot needs from LifecycleService (services/lifecycle.ts). */
export interface TelegramLifecyclePort {
  status(userId: string): Promise<AgentStatusEvent>;
  stop(userId: string, reason: string): Promise<AgentStatusEvent>;
}

export interface TelegramBotDeps {
  token: string;
  /** Given, so grammY never calls getMe on a cold start (see telegram-bot-info.ts). */
  botInfo: UserFromGetMe;
  /** Bot API root; tests point it at a fake server on loopback. */
  apiRoot?: string;
  settings: SettingsStore;
  clock: Clock;
  pairing: PairingService;
  chat: TelegramChatPort;
  lifecycle: TelegramLifecyclePort;
  logger: Logger;
}

/**
 * The bot's update handling, shared by the webhook (AWS) and long polling (local mode).
 * Only private chats are served; everything but /start, /help and /pair needs a paired account,
 * and an unpaired account gets one short explanation and nothing else (no enqueue, no wake).
 */
export function createTelegramBot(deps: TelegramBotDeps): Bot {
  const { pairing, settings, clock } = deps;
  const bot = new Bot(deps.token, {
    botInfo: deps.botInfo,
    client: { ...(deps.apiRoot ? { apiRoot: deps.apiRoot } : {}), timeoutSeconds: 10 },
  });
  // Honour 429 retry_after, but briefly: a webhook must answer Telegram within its timeout.
  // Server errors and network failures are not retried here: the 500 we answer makes Telegram redeliver.
  bot.api.config.use(
    autoRetry({
      maxRetryAttempts: 2,
      maxDelaySeconds: 5,
      rethrowInternalServerErrors: true,
      rethrowHttpErrors: true,
    }),
  );

  const chats = bot.chatType("private");

  const pair = async (ctx: Context, input: string) => {
    const from = ctx.from;
    if (!from) return;
    if (input.trim() === "") return void (await ctx.reply(TELEGRAM_TEXT.pairUsage));
    const result = await pairing.redeem(input, { id: from.id, username: from.username });
    if (result.ok) {
      deps.logger.info("telegram account paired", { userId: result.pairing.userId });
      return void (await ctx.reply(TELEGRAM_TEXT.paired));
    }
    await ctx.reply(result.reason === "malformed" ? TELEGRAM_TEXT.pairMalformed : TELEGRAM_TEXT.pairUnknown);
  };

  /** Runs `handler` for a paired account; explains pairing to anyone else. */
  const paired =
    (handler: (ctx: Context, userId: string, telegramUserId: number) => Promise<unknown>) =>
    async (ctx: Context) => {
      const from = ctx.from;
      if (!from) return;
      const userId = await pairing.lookup(from.id);
      if (!userId) return void (await ctx.reply(TELEGRAM_TEXT.notPaired));
      try {
        await handler(ctx, userId, from.id);
      } catch (error) {
        // Errors a person can act on are answered; anything else is rethrown so the update is retried.
        if (!(error instanceof GatewayError)) throw error;
        deps.logger.warn("telegram request refused", { code: error.code, userId });
        await ctx.reply(describeFailure(error));
      }
    };

  chats.command("start", async (ctx) => {
    if (ctx.match.trim() !== "") return pair(ctx, ctx.match);
    const userId = await pairing.lookup(ctx.from.id);
    await ctx.reply(userId ? TELEGRAM_TEXT.help : TELEGRAM_TEXT.notPaired);
  });
  chats.command("help", async (ctx) => {
    const userId = await pairing.lookup(ctx.from.id);
    await ctx.reply(userId ? TELEGRAM_TEXT.help : `${TELEGRAM_TEXT.help}\n\n${TELEGRAM_TEXT.notPaired}`);
  });
  chats.command("pair", (ctx) => pair(ctx, ctx.match));
  chats.command(
    "unpair",
    paired(async (ctx, userId, telegramUserId) => {
      await pairing.unpair(userId, telegramUserId);
      await ctx.reply(TELEGRAM_TEXT.unpaired);
    }),
  );
  chats.command(
    "status",
    paired(async (ctx, userId) => ctx.reply(describeStatus(await deps.lifecycle.status(userId)))),
  );
  chats.command(
    "stop",
    paired(async (ctx, userId) => {
      const before = await deps.lifecycle.status(userId);
      if (before.state === "Idle") return ctx.reply(TELEGRAM_TEXT.notRunning);
      await deps.lifecycle.stop(userId, "stopped from Telegram");
      return ctx.reply(TELEGRAM_TEXT.stopping);
    }),
  );
  chats.command(
    "new",
    paired(async (ctx, userId, telegramUserId) => {
      await startNewConversation({ settings, clock }, userId, telegramUserId);
      await ctx.reply(TELEGRAM_TEXT.newConversation);
    }),
  );
  chats.on(
    "message:text",
    paired(async (ctx, userId, telegramUserId) => {
      const message = ctx.message;
      const chat = ctx.chat;
      if (!message?.text || !chat || message.text.trim() === "") return;
      const conversationId = await currentConversation({ settings, clock }, userId, telegramUserId);
      const result = await deps.chat.send({
        userId,
        conversationId,
        clientMessageId: `tg-${ctx.update.update_id}`,
        text: message.text,
        channel: "telegram",
        replyTo: { channel: "telegram", chatId: chat.id, messageId: message.message_id },
      });
      if (result.ack === "duplicate") return;
      if (result.agentState === "Starting") return ctx.reply(TELEGRAM_TEXT.waking);
      if (result.agentState === "Idle") {
        // Idle right after a send means the start failed (the message stays queued for the next one).
        const status = await deps.lifecycle.status(userId);
        return ctx.reply(status.error ? describeStartFailure(status.error) : TELEGRAM_TEXT.waking);
      }
    }),
  );
  chats.on(
    "message",
    paired((ctx) => ctx.reply(TELEGRAM_TEXT.textOnly)),
  );
  // Groups and channels: ignored without a word, so adding the bot to a group costs nothing.
  return bot;
}
