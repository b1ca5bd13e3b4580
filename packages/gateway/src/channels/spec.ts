import type { ChatChannel } from "@serverless-openclaw/shared";

/** What differs between chat channels in the words the bot uses and the ids it makes. */
export interface ChannelSpec {
  channel: ChatChannel;
  /** "Telegram", "Discord", "Slack": in texts and the web app's Settings section name. */
  label: string;
  /** Prefix of conversation ids made for this channel (`tg-…`), and of its clientMessageIds. */
  idPrefix: string;
  /** How a person types a command on this channel: `/pair CODE`, `/openclaw pair CODE`. */
  command: (name: string, arg?: string) => string;
  /** Said after "send /pair CODE here" when the channel has another way (Telegram's deep link). */
  pairExtra?: string;
  /**
   * How long a message may wait for a stopping agent to be down before the platform must be answered
   * (ChatService.send's stoppingWaitMs): Discord and Slack give up on an answer after 3 s.
   */
  stoppingWaitMs?: number;
}

export const CHANNEL_SPECS: Record<ChatChannel, ChannelSpec> = {
  telegram: {
    channel: "telegram",
    label: "Telegram",
    idPrefix: "tg",
    command: (name, arg) => `/${name}${arg ? ` ${arg}` : ""}`,
    pairExtra: " (or tap the link shown there)",
  },
  discord: {
    channel: "discord",
    label: "Discord",
    idPrefix: "dc",
    command: (name, arg) => `/${name}${arg ? ` ${arg}` : ""}`,
    stoppingWaitMs: 1500,
  },
  slack: {
    channel: "slack",
    label: "Slack",
    idPrefix: "sl",
    // Slack slash commands are workspace-wide, so the app has one (/openclaw) with subcommands.
    command: (name, arg) => `/openclaw ${name}${arg ? ` ${arg}` : ""}`,
    stoppingWaitMs: 1500,
  },
};
