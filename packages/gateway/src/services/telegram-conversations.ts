import { randomBytes } from "node:crypto";
import { KEYS } from "@serverless-openclaw/shared";
import * as z from "zod";
import type { Clock, SettingsStore } from "../ports";

const CurrentSchema = z.object({ conversationId: z.string() });

type Deps = { settings: SettingsStore; clock: Clock };

/** A fresh conversation id for a Telegram chat; sorts by creation time, like the web's ids. */
export function newTelegramConversationId(clock: Clock): string {
  return `tg-${clock.now().getTime().toString(36)}-${randomBytes(4).toString("hex")}`;
}

/**
 * The conversation a Telegram account is writing into; the first message creates one. Two first
 * messages racing agree on one id (putIfAbsent, then read back).
 */
export async function currentConversation(
  { settings, clock }: Deps,
  userId: string,
  telegramUserId: number,
): Promise<string> {
  const key = KEYS.telegram.conversation(telegramUserId);
  const existing = CurrentSchema.safeParse(await settings.get(userId, key));
  if (existing.success) return existing.data.conversationId;
  const conversationId = newTelegramConversationId(clock);
  if (await settings.putIfAbsent(userId, key, { conversationId })) return conversationId;
  const winner = CurrentSchema.safeParse(await settings.get(userId, key));
  return winner.success ? winner.data.conversationId : conversationId;
}

/** `/new`: later messages go into a new conversation (the old one stays in the history). */
export async function startNewConversation(
  { settings, clock }: Deps,
  userId: string,
  telegramUserId: number,
): Promise<string> {
  const conversationId = newTelegramConversationId(clock);
  await settings.put(userId, KEYS.telegram.conversation(telegramUserId), { conversationId });
  return conversationId;
}
