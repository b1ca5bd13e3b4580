import { autoRetry } from "@grammyjs/auto-retry";
import { Bot, type Context } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { Logger } from "../deps";
import type { Clock, SettingsStore } from "../ports";
import { type ChannelChatPort, ChannelCore, type ChannelLifecyclePort } from "./core";
import type { ChannelPairingService } from "./pairing";
import type { ChannelSchedulesPort } from "./schedule-commands";
import { CHANNEL_SPECS } from "./spec";
import { TELEGRAM_TEXT } from "./telegram-messages";

export interface TelegramBotDeps {
  token: string;
  /** Given, so grammY never calls getMe on a cold start (see telegram-bot-info.ts). */
  botInfo: UserFromGetMe;
  /** Bot API root; tests point it at a fake server on loopback. */
  apiRoot?: string;
  settings: SettingsStore;
  clock: Clock;
  pairing: ChannelPairingService;
  chat: ChannelChatPort;
  lifecycle: ChannelLifecyclePort;
  logger: Logger;
  /** /schedule creates and changes schedules through it (services/schedules.ts). */
  schedules?: ChannelSchedulesPort;
}

/**
 * The bot's update handling, shared by the webhook (AWS) and long polling (local mode).
 * Only private chats are served; everything but /start, /help and /pair needs a paired account,
 * and an unpaired account gets one short explanation and nothing else (no enqueue, no wake).
 */
export function createTelegramBot(deps: TelegramBotDeps): Bot {
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
  const core = new ChannelCore({
    spec: CHANNEL_SPECS.telegram,
    settings: deps.settings,
    clock: deps.clock,
    logger: deps.logger,
    chat: deps.chat,
    lifecycle: deps.lifecycle,
    pairing: deps.pairing,
    ...(deps.schedules ? { schedules: deps.schedules } : {}),
  });
  const account = (ctx: Context) =>
    ctx.from ? { id: String(ctx.from.id), username: ctx.from.username } : undefined;
  // `/start CODE` is what the t.me deep link sends. Anyone can send a person such a link, so it only
  // names the web account and offers `/pair CODE` as a one-tap button; a bare /start is help.
  chats.command("start", async (ctx) => {
    const from = account(ctx);
    if (!from) return;
    if (ctx.match.trim() !== "") {
      const { text, confirm } = await core.pairPreview(from, ctx.match);
      const button = {
        keyboard: [[{ text: confirm ?? "" }]],
        one_time_keyboard: true,
        resize_keyboard: true,
      };
      return void (await ctx.reply(text, confirm ? { reply_markup: button } : {}));
    }
    const userId = await core.lookup(from.id);
    await ctx.reply(userId ? core.texts.help : core.texts.notPaired);
  });
  // Every channel command (channels/commands.ts), including ones added later, e.g. /schedule.
  for (const command of core.commands) {
    chats.command(command.name, async (ctx) => {
      const from = account(ctx);
      if (!from) return;
      const answer = await core.command(command.name, from, ctx.match);
      // /pair may follow the deep link's one-tap keyboard: take it away once used.
      await ctx.reply(answer, command.name === "pair" ? { reply_markup: { remove_keyboard: true } } : {});
    });
  }
  chats.on("message:text", async (ctx) => {
    const from = account(ctx);
    const message = ctx.message;
    if (!from || message.text.trim() === "") return;
    const outcome = await core.message({
      account: from,
      text: message.text,
      clientMessageId: `tg-${ctx.update.update_id}`,
      replyTo: { channel: "telegram", chatId: ctx.chat.id, messageId: message.message_id },
    });
    if ("reply" in outcome && outcome.reply) await ctx.reply(outcome.reply);
  });
  chats.on("message", async (ctx) => {
    const from = account(ctx);
    if (!from) return;
    const userId = await core.lookup(from.id);
    await ctx.reply(userId ? TELEGRAM_TEXT.textOnly : core.texts.notPaired);
  });
  // Groups and channels: ignored without a word, so adding the bot to a group costs nothing.
  return bot;
}
