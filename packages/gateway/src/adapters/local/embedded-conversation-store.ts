import {
  type ConversationMeta,
  ConversationMetaSchema,
  type HistoryPage,
  KEYS,
  type StoredMessage,
  StoredMessageSchema,
} from "@serverless-openclaw/shared";
import type { ConversationStore, MetaTouch } from "../../ports";
import {
  metaCreatedBy,
  sortByRecent,
  turnKey,
  turnMessageKeys,
  turnPrefix,
  validateTurn,
} from "../conversation-keys";
import { decodeHistoryCursor, encodeHistoryCursor } from "../history-cursor";
import { StoreError } from "../store-error";
import type { LocalTable } from "./local-table";

/** Conversations in an embedded table, same sort keys as DynamoDB (see conversation-keys.ts). */
export class EmbeddedConversationStore implements ConversationStore {
  constructor(private readonly table: LocalTable) {}

  async putTurn(userId: string, userInput: StoredMessage, replyInput: StoredMessage): Promise<boolean> {
    const user = StoredMessageSchema.parse(userInput);
    const reply = StoredMessageSchema.parse(replyInput);
    validateTurn(user, reply);
    const turn = turnKey(user.conversationId, user.clientMessageId);
    if (this.table.get(userId, turn)) return false;
    const keys = turnMessageKeys(user, reply);
    if (this.table.get(userId, keys.user) || this.table.get(userId, keys.reply)) {
      throw new StoreError("CONFLICT", "A message of this turn already exists under another turn.");
    }
    this.table.put(userId, turn, { reply });
    this.table.put(userId, keys.user, user);
    this.table.put(userId, keys.reply, reply);
    return true;
  }

  async findReply(userId: string, conversationId: string, clientMessageId: string) {
    const item = this.table.get(userId, turnKey(conversationId, clientMessageId));
    return item ? StoredMessageSchema.parse(item.reply) : undefined;
  }

  async page(
    userId: string,
    conversationId: string,
    opts: { before?: string; limit: number },
  ): Promise<HistoryPage> {
    const below = opts.before === undefined ? undefined : decodeHistoryCursor(opts.before, conversationId);
    const newestFirst = this.table.query(userId, {
      prefix: KEYS.conversations.messagePrefix(conversationId),
      below,
      descending: true,
    });
    const page = newestFirst.slice(0, opts.limit);
    const oldest = page.at(-1);
    return {
      conversationId,
      messages: page.map(([, item]) => StoredMessageSchema.parse(item)).reverse(),
      ...(newestFirst.length > opts.limit && oldest ? { nextCursor: encodeHistoryCursor(oldest[0]) } : {}),
    };
  }

  async upsertMeta(userId: string, meta: ConversationMeta): Promise<void> {
    const parsed = ConversationMetaSchema.parse(meta);
    this.table.put(userId, KEYS.conversations.meta(parsed.conversationId), parsed);
  }

  async touchMeta(userId: string, input: MetaTouch): Promise<ConversationMeta> {
    const key = KEYS.conversations.meta(input.conversationId);
    const item = this.table.get(userId, key);
    const current = item ? ConversationMetaSchema.parse(item) : undefined;
    const touched = ConversationMetaSchema.parse(
      current
        ? {
            ...current,
            title: current.title === input.placeholderTitle ? input.title : current.title,
            updatedAt: input.at,
          }
        : metaCreatedBy(input),
    );
    this.table.put(userId, key, touched);
    return touched;
  }

  async getMeta(userId: string, conversationId: string): Promise<ConversationMeta | undefined> {
    const item = this.table.get(userId, KEYS.conversations.meta(conversationId));
    return item ? ConversationMetaSchema.parse(item) : undefined;
  }

  async listMeta(userId: string): Promise<ConversationMeta[]> {
    const metas = this.table
      .query(userId, { prefix: KEYS.conversations.metaPrefix })
      .map(([, item]) => ConversationMetaSchema.parse(item));
    return sortByRecent(metas);
  }

  async delete(userId: string, conversationId: string): Promise<void> {
    for (const prefix of [KEYS.conversations.messagePrefix(conversationId), turnPrefix(conversationId)]) {
      for (const [sk] of this.table.query(userId, { prefix })) this.table.delete(userId, sk);
    }
    this.table.delete(userId, KEYS.conversations.meta(conversationId));
  }
}
