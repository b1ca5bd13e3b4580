import { KEYS, LIMITS, type PendingMessage, PendingMessageSchema } from "@serverless-openclaw/shared";
import type { Clock, EnqueueResult, PendingQueue } from "../../ports";
import { isExpired, nowSeconds, systemClock } from "../clock";
import { validateMessageId } from "../pending-keys";
import { StoreError } from "../store-error";
import type { LocalTable } from "./local-table";

/** Same layout as DynamoDB: message items `<ts>#<uuid>` and idempotency items `dedupe#<clientMessageId>`. */
export class EmbeddedPendingQueue implements PendingQueue {
  constructor(
    private readonly table: LocalTable,
    private readonly clock: Clock = systemClock,
  ) {}

  async enqueue(input: PendingMessage): Promise<EnqueueResult> {
    const message = PendingMessageSchema.parse(input);
    validateMessageId(message.id);
    const dedupeKey = KEYS.pending.dedupe(message.clientMessageId);
    const seen = this.table.get(message.userId, dedupeKey);
    if (seen && !isExpired(seen.expiresAt, this.clock)) return { status: "duplicate" };
    const existing = this.table.get(message.userId, message.id);
    if (existing && !isExpired(existing.expiresAt, this.clock)) {
      throw new StoreError("CONFLICT", `A pending message with id ${message.id} already exists.`);
    }
    const now = nowSeconds(this.clock);
    this.table.put(message.userId, dedupeKey, {
      messageId: message.id,
      expiresAt: now + LIMITS.dedupeTtlSeconds,
    });
    this.table.put(message.userId, message.id, { ...message, expiresAt: now + LIMITS.pendingTtlSeconds });
    return { status: "queued", message };
  }

  async list(userId: string, limit?: number): Promise<PendingMessage[]> {
    const out: PendingMessage[] = [];
    for (const [, item] of this.table.query(userId, { below: KEYS.pending.dedupe("") })) {
      if (isExpired(item.expiresAt, this.clock)) continue;
      out.push(PendingMessageSchema.parse(item));
      if (limit !== undefined && out.length >= limit) break;
    }
    return out;
  }

  async delete(userId: string, id: string): Promise<void> {
    validateMessageId(id);
    this.table.delete(userId, id);
  }
}
