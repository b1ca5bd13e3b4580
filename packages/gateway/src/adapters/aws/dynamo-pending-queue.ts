import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { KEYS, LIMITS, type PendingMessage, PendingMessageSchema } from "@serverless-openclaw/shared";
import type { Clock, EnqueueResult, PendingQueue } from "../../ports";
import { isExpired, nowSeconds, systemClock } from "../clock";
import { validateMessageId } from "../pending-keys";
import { StoreError } from "../store-error";
import { cancellationCodes, withConflictRetry } from "./dynamo-errors";

const { pk, sk } = KEYS.pending;
/** Every message id sorts below this (ids start with a digit), every dedupe item at or above it. */
const DEDUPE_PREFIX = KEYS.pending.dedupe("");

/**
 * PendingMessages table: message items `<ts>#<uuid>` and, written in the same transaction, an
 * idempotency item `dedupe#<clientMessageId>` that outlives the message until its TTL.
 */
export class DynamoPendingQueue implements PendingQueue {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async enqueue(input: PendingMessage): Promise<EnqueueResult> {
    const message = PendingMessageSchema.parse(input);
    validateMessageId(message.id);
    const now = nowSeconds(this.clock);
    try {
      await withConflictRetry(() =>
        this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.tableName,
                  Item: {
                    [pk]: message.userId,
                    [sk]: KEYS.pending.dedupe(message.clientMessageId),
                    messageId: message.id,
                    expiresAt: now + LIMITS.dedupeTtlSeconds,
                  },
                  // An expired key that TTL has not deleted yet no longer counts.
                  ConditionExpression: "attribute_not_exists(#sk) OR expiresAt <= :now",
                  ExpressionAttributeNames: { "#sk": sk },
                  ExpressionAttributeValues: { ":now": now },
                },
              },
              {
                Put: {
                  TableName: this.tableName,
                  Item: { ...message, [sk]: message.id, expiresAt: now + LIMITS.pendingTtlSeconds },
                  ConditionExpression: "attribute_not_exists(#sk)",
                  ExpressionAttributeNames: { "#sk": sk },
                },
              },
            ],
          }),
        ),
      );
      return { status: "queued", message };
    } catch (err) {
      const codes = cancellationCodes(err);
      if (codes?.[0] === "ConditionalCheckFailed") return { status: "duplicate" };
      if (codes?.[1] === "ConditionalCheckFailed") {
        throw new StoreError("CONFLICT", `A pending message with id ${message.id} already exists.`, {
          cause: err,
        });
      }
      throw err;
    }
  }

  async list(userId: string, limit?: number): Promise<PendingMessage[]> {
    const out: PendingMessage[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "#pk = :pk AND #sk < :dedupe",
          ExpressionAttributeNames: { "#pk": pk, "#sk": sk },
          ExpressionAttributeValues: { ":pk": userId, ":dedupe": DEDUPE_PREFIX },
          ConsistentRead: true,
          ExclusiveStartKey: start,
          ...(limit !== undefined ? { Limit: limit } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        if (isExpired(item.expiresAt, this.clock)) continue;
        out.push(PendingMessageSchema.parse(item));
        if (limit !== undefined && out.length >= limit) return out;
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async delete(userId: string, id: string): Promise<void> {
    validateMessageId(id);
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { [pk]: userId, [sk]: id } }));
  }
}
