import { CHANNEL_COMMANDS } from "./commands";
import { helpText } from "./core";
import { CHANNEL_SPECS } from "./spec";
import { channelTexts } from "./texts";

export { describeFailure, describeStartFailure, describeStatus } from "./texts";

/** Everything the Telegram bot says (plain text: no parse_mode, nothing to escape). */
export const TELEGRAM_TEXT = {
  ...channelTexts(CHANNEL_SPECS.telegram, helpText(CHANNEL_SPECS.telegram, CHANNEL_COMMANDS)),
  textOnly: "I can only read text messages for now.",
  privateOnly: "I only talk in private chats.",
} as const;
