import { SECRET_NAMES } from "@serverless-openclaw/shared";
import type { Bot } from "grammy";
import { Api } from "grammy";
import { GatewayError } from "../errors";
import type { ChannelEntryDeps } from "./core";
import { channelPairing } from "./registry";
import type { ChannelSchedulesPort } from "./schedule-commands";
import { createTelegramBot } from "./telegram-bot";
import { loadBotInfo } from "./telegram-bot-info";

export interface TelegramBotLoaderDeps extends ChannelEntryDeps {
  /** Bot API root (tests, local fakes); Telegram's own when absent. */
  apiRoot?: string;
  /** Overrides the token in the SecretStore (local mode's TELEGRAM_BOT_TOKEN). */
  token?: string;
  /** For /schedule (services/schedules.ts). */
  schedules?: ChannelSchedulesPort;
}

/** The bot, built from the token in the SecretStore and the cached bot info. */
export async function loadTelegramBot(deps: TelegramBotLoaderDeps): Promise<Bot> {
  const token = deps.token ?? (await deps.secrets.get(SECRET_NAMES.telegramBotToken));
  if (!token) {
    throw new GatewayError(
      "TELEGRAM_NOT_CONFIGURED",
      `No Telegram bot token is stored (secret ${SECRET_NAMES.telegramBotToken}); see docs/telegram.md.`,
      503,
    );
  }
  const apiRoot = deps.apiRoot ? { apiRoot: deps.apiRoot } : {};
  const botInfo = await loadBotInfo({ settings: deps.settings, api: new Api(token, apiRoot), token });
  return createTelegramBot({
    ...apiRoot,
    token,
    botInfo,
    settings: deps.settings,
    clock: deps.clock,
    logger: deps.logger,
    chat: deps.chat,
    lifecycle: deps.lifecycle,
    ...(deps.schedules ? { schedules: deps.schedules } : {}),
    pairing: channelPairing(
      { settings: deps.settings, clock: deps.clock, telegramBotUsername: botInfo.username },
      "telegram",
    ),
  });
}

/** Memoizes an async load; a failed load is forgotten so the next call tries again. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
