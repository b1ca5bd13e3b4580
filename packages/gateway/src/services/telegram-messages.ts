import { CHANNEL_COMMANDS } from "../channels/commands";
import { helpText } from "../channels/core";
import { CHANNEL_SPECS } from "../channels/spec";
import { channelTexts } from "../channels/texts";

export { describeFailure, describeStartFailure, describeStatus } from "../channels/texts";

/** Everything the Telegram bot says (plain text: no parse_mode, nothing to escape). */
export const TELEGRAM_TEXT = {
  ...channelTexts(CHANNEL_SPECS.telegram, helpText(CHANNEL_SPECS.telegram, CHANNEL_COMMANDS)),
  textOnly: "I can only read text messages for now.",
  privateOnly: "I only talk in private chats.",
} as const;
