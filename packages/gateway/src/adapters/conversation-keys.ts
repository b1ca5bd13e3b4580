import {
  type ConversationMeta,
  ConversationMetaSchema,
  describeIssues,
  KEYS,
  type StoredMessage,
} from "@serverless-openclaw/shared";
import type { MetaTouch } from "../ports";
import { invalidArgument } from "./store-error";

/**
 * Besides messages (`<conversationId>#<ts>#<messageId>`) and meta (`#meta#<conversationId>`), the
 * Conversations table holds one turn item per stored turn, `#turn#<conversationId>#<clientMessageId>`.
 * Writing it with `attribute_not_exists` in the same transaction as the two messages is what makes a
 * redelivered message produce no second turn, and it holds a copy of the reply for findReply.
 * It starts with `#`, so it is outside both the message prefix and the meta prefix.
 */
export const turnKey = (conversationId: string, clientMessageId: string) =>
  `#turn#${conversationId}#${clientMessageId}`;
export const turnPrefix = (conversationId: string) => `#turn#${conversationId}#`;

export const messageKey = (m: StoredMessage) =>
  KEYS.conversations.message(m.conversationId, m.createdAt, m.messageId);

/**
 * The sort keys of a turn's two messages. The reply is keyed right after its question, not at its own
 * time: when several queued messages are answered after a wake, every reply comes after every question
 * in time, yet history must read question, answer, question, answer.
 */
export function turnMessageKeys(user: StoredMessage, reply: StoredMessage): { user: string; reply: string } {
  const userKey = messageKey(user);
  return { user: userKey, reply: `${userKey}#${reply.messageId}` };
}

export function validateTurn(user: StoredMessage, reply: StoredMessage): void {
  if (user.conversationId !== reply.conversationId || user.clientMessageId !== reply.clientMessageId) {
    throw invalidArgument("A turn's user message and reply must share conversationId and clientMessageId.");
  }
  if (user.role !== "user" || reply.role !== "assistant") {
    throw invalidArgument("A turn is a user message followed by an assistant reply.");
  }
}

/**
 * The row a touch creates when the conversation has none, validated before any store writes it (a
 * DynamoDB update would take any string).
 */
export function metaCreatedBy(touch: MetaTouch): ConversationMeta {
  const parsed = ConversationMetaSchema.safeParse({
    conversationId: touch.conversationId,
    title: touch.title,
    channel: touch.channel,
    createdAt: touch.at,
    updatedAt: touch.at,
  });
  if (!parsed.success)
    throw invalidArgument(`Invalid conversation metadata: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Most recently updated first, the order a conversation list shows. */
export function sortByRecent(metas: ConversationMeta[]): ConversationMeta[] {
  return metas.sort(
    (a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.conversationId.localeCompare(b.conversationId),
  );
}
