import { randomBytes } from "node:crypto";
import { KEYS } from "@serverless-openclaw/shared";
import * as z from "zod";
import type { Clock, SettingsStore } from "../ports";
import type { ChannelSpec } from "./spec";

const CurrentSchema = z.object({ conversationId: z.string() });

type Deps = { settings: SettingsStore; clock: Clock };

/** A fresh conversation id for a channel chat; sorts by creation time, like the web's ids. */
export function newConversationId(spec: Pick<ChannelSpec, "idPrefix">, clock: Clock): string {
  return `${spec.idPrefix}-${clock.now().getTime().toString(36)}-${randomBytes(4).toString("hex")}`;
}

/**
 * The conversation an account is writing into; the first message creates one. Two first messages
 * racing agree on one id (putIfAbsent, then read back).
 */
export async function currentConversation(
  { settings, clock }: Deps,
  spec: Pick<ChannelSpec, "idPrefix" | "channel">,
  userId: string,
  externalUserId: string,
): Promise<string> {
  const key = KEYS.channel(spec.channel).conversation(externalUserId);
  const existing = CurrentSchema.safeParse(await settings.get(userId, key));
  if (existing.success) return existing.data.conversationId;
  const conversationId = newConversationId(spec, clock);
  if (await settings.putIfAbsent(userId, key, { conversationId })) return conversationId;
  const winner = CurrentSchema.safeParse(await settings.get(userId, key));
  return winner.success ? winner.data.conversationId : conversationId;
}

/** `/new`: later messages go into a new conversation (the old one stays in the history). */
export async function startNewConversation(
  { settings, clock }: Deps,
  spec: Pick<ChannelSpec, "idPrefix" | "channel">,
  userId: string,
  externalUserId: string,
): Promise<string> {
  const conversationId = newConversationId(spec, clock);
  await settings.put(userId, KEYS.channel(spec.channel).conversation(externalUserId), { conversationId });
  return conversationId;
}
