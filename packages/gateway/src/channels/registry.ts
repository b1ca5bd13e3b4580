import type { ChatChannel } from "@serverless-openclaw/shared";
import type { GatewayConfig } from "../deps";
import type { Clock, SettingsStore } from "../ports";
import { ChannelPairingService } from "./pairing";
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

/** Pairing for Discord and Slack (Telegram's, with its bot username and deep link, is services/pairing.ts). */
export function channelPairing(
  deps: { settings: SettingsStore; clock: Clock },
  channel: Exclude<ChatChannel, "telegram">,
): ChannelPairingService {
  const spec = CHANNEL_SPECS[channel];
  return new ChannelPairingService({
    channel,
    settings: deps.settings,
    clock: deps.clock,
    describe: (code, minutes) => ({
      instruction: `Send ${spec.command("pair", code)} to the OpenClaw app in ${spec.label} within ${minutes} minutes.`,
    }),
  });
}
