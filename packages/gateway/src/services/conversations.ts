import { randomUUID } from "node:crypto";
import { type ConversationMeta, type HistoryPage, LIMITS } from "@serverless-openclaw/shared";
import type { GatewayDeps } from "../deps";
import { ConflictError, NotFoundError } from "../errors";
import { UNTITLED } from "./chat";

export type ConversationDeps = Pick<GatewayDeps, "conversations" | "clock">;

/**
 * A user's conversations and their history. Every store key starts with the verified userId, so a user
 * can only ever reach their own conversations: another user's id simply is not found.
 */
export class ConversationService {
  constructor(private readonly deps: ConversationDeps) {}

  /** Most recently active first. */
  async list(userId: string): Promise<ConversationMeta[]> {
    const metas = await this.deps.conversations.listMeta(userId);
    return [...metas].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  async create(
    userId: string,
    input: { conversationId?: string; title?: string },
  ): Promise<ConversationMeta> {
    const conversationId = input.conversationId ?? randomUUID();
    if (await this.deps.conversations.getMeta(userId, conversationId)) {
      throw new ConflictError("CONVERSATION_EXISTS", `conversation ${conversationId} already exists`);
    }
    const now = this.deps.clock.now().toISOString();
    const meta: ConversationMeta = {
      conversationId,
      title: input.title ?? UNTITLED,
      channel: "web",
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.conversations.upsertMeta(userId, meta);
    return meta;
  }

  async rename(userId: string, conversationId: string, title: string): Promise<ConversationMeta> {
    const meta = await this.require(userId, conversationId);
    const renamed = { ...meta, title, updatedAt: this.deps.clock.now().toISOString() };
    await this.deps.conversations.upsertMeta(userId, renamed);
    return renamed;
  }

  async delete(userId: string, conversationId: string): Promise<void> {
    await this.require(userId, conversationId);
    await this.deps.conversations.delete(userId, conversationId);
  }

  /**
   * One page of history, oldest first; `nextCursor` fetches older messages. With `mustExist`, a
   * conversation that has no metadata and no messages is NotFound (HTTP answers 404); the chat socket
   * asks without it, since the UI may open a conversation before its first message.
   */
  async history(
    userId: string,
    conversationId: string,
    opts: { before?: string; limit?: number; mustExist?: boolean } = {},
  ): Promise<HistoryPage> {
    const page = await this.deps.conversations.page(userId, conversationId, {
      ...(opts.before !== undefined ? { before: opts.before } : {}),
      limit: opts.limit ?? LIMITS.historyPageDefault,
    });
    if (opts.mustExist && page.messages.length === 0 && opts.before === undefined) {
      await this.require(userId, conversationId);
    }
    return page;
  }

  private async require(userId: string, conversationId: string): Promise<ConversationMeta> {
    const meta = await this.deps.conversations.getMeta(userId, conversationId);
    if (!meta) throw new NotFoundError(`conversation ${conversationId} was not found`);
    return meta;
  }
}
