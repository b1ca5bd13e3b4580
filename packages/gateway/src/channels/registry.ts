import { type ChatChannel, LIMITS } from "@serverless-openclaw/shared";
import { readBotInfo } from "../channels/telegram-bot-info";
import type { GatewayConfig } from "../deps";
import type { Clock, SettingsStore } from "../ports";
import { ChannelPairingService, type PairingInstruction } from "./pairing";
import { CHANNEL_SPECS } from "./spec";

/** Whether a chat channel is turned on in this deployment (CDK context / local-mode env). */
export function channelEnabled(config: GatewayConfig, channel: ChatChannel): boolean {
  switch (channel) {
    case "telegram":
      return config.telegramEnabled;
    case "discord":
      return config.discordEnabled === true;
    case "slack":
      return config.slackEnabled === true;
  }
}

export interface ChannelPairingDeps {
  settings: SettingsStore;
  clock: Clock;
  /** Telegram's bot @username for its instruction and t.me link; read from the cached bot info when absent. */
  telegramBotUsername?: string | undefined;
}

/** Pairing for one chat channel, with the instruction the web app shows next to a new code. */
export function channelPairing(deps: ChannelPairingDeps, channel: ChatChannel): ChannelPairingService {
  const spec = CHANNEL_SPECS[channel];
  return new ChannelPairingService({
    channel,
    settings: deps.settings,
    clock: deps.clock,
    describe:
      channel === "telegram"
        ? async (code) =>
            telegramInstruction(
              code,
              deps.telegramBotUsername ?? (await readBotInfo(deps.settings))?.username,
            )
        : (code, minutes) => ({
            instruction: `Send ${spec.command("pair", code)} to the OpenClaw app in ${spec.label} within ${minutes} minutes.`,
          }),
  });
}

/** Telegram names its bot, and offers the deep link that opens it with `/start CODE`. */
export function telegramInstruction(code: string, username: string | undefined): PairingInstruction {
  const bot = username ? `@${username}` : "the bot";
  const minutes = LIMITS.pairingCodeTtlSeconds / 60;
  return {
    instruction: `Send /pair ${code} to ${bot} on Telegram within ${minutes} minutes.`,
    ...(username ? { deepLink: `https://t.me/${username}?start=${code}` } : {}),
  };
}
