import { currentConversation, newConversationId, startNewConversation } from "../channels/conversations";
import { CHANNEL_SPECS } from "../channels/spec";
import type { Clock, SettingsStore } from "../ports";

type Deps = { settings: SettingsStore; clock: Clock };
const spec = CHANNEL_SPECS.telegram;

/** A fresh conversation id for a Telegram chat (`tg-…`). */
export const newTelegramConversationId = (clock: Clock): string => newConversationId(spec, clock);

/** The conversation a Telegram account is writing into (channels/conversations.ts). */
export const currentTelegramConversation = (deps: Deps, userId: string, telegramUserId: number) =>
  currentConversation(deps, spec, userId, String(telegramUserId));

/** `/new` for a Telegram account. */
export const startNewTelegramConversation = (deps: Deps, userId: string, telegramUserId: number) =>
  startNewConversation(deps, spec, userId, String(telegramUserId));
