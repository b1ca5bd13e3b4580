import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
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
import { cancellationCodes, isConditionalCheckFailed, withConflictRetry } from "./dynamo-errors";

const { pk, sk } = KEYS.conversations;
type Key = Record<string, unknown>;

/** Conversations table: messages, `#meta#` items and `#turn#` items of a user (see conversation-keys.ts). */
export class DynamoConversationStore implements ConversationStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putTurn(userId: string, userInput: StoredMessage, replyInput: StoredMessage): Promise<boolean> {
    const user = StoredMessageSchema.parse(userInput);
    const reply = StoredMessageSchema.parse(replyInput);
    validateTurn(user, reply);
    const put = (item: Record<string, unknown>) => ({
      Put: {
        TableName: this.tableName,
        Item: { [pk]: userId, ...item },
        ConditionExpression: "attribute_not_exists(#sk)",
        ExpressionAttributeNames: { "#sk": sk },
      },
    });
    const keys = turnMessageKeys(user, reply);
    try {
      await withConflictRetry(() =>
        this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              put({ [sk]: turnKey(user.conversationId, user.clientMessageId), reply }),
              put({ ...user, [sk]: keys.user }),
              put({ ...reply, [sk]: keys.reply }),
            ],
          }),
        ),
      );
      return true;
    } catch (err) {
      const codes = cancellationCodes(err);
      if (codes?.[0] === "ConditionalCheckFailed") return false;
      if (codes?.includes("ConditionalCheckFailed")) {
        throw new StoreError("CONFLICT", "A message of this turn already exists under another turn.", {
          cause: err,
        });
      }
      throw err;
    }
  }

  async findReply(userId: string, conversationId: string, clientMessageId: string) {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [pk]: userId, [sk]: turnKey(conversationId, clientMessageId) },
        ConsistentRead: true,
      }),
    );
    return Item ? StoredMessageSchema.parse(Item.reply) : undefined;
  }

  async page(
    userId: string,
    conversationId: string,
    opts: { before?: string; limit: number },
  ): Promise<HistoryPage> {
    const before = opts.before === undefined ? undefined : decodeHistoryCursor(opts.before, conversationId);
    // One more than asked tells whether an older page exists without a second, empty round trip.
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
        ExpressionAttributeNames: { "#pk": pk, "#sk": sk },
        ExpressionAttributeValues: {
          ":pk": userId,
          ":prefix": KEYS.conversations.messagePrefix(conversationId),
        },
        ScanIndexForward: false,
        Limit: opts.limit + 1,
        ...(before ? { ExclusiveStartKey: { [pk]: userId, [sk]: before } } : {}),
      }),
    );
    const page = Items.slice(0, opts.limit);
    const oldest = page.at(-1);
    return {
      conversationId,
      messages: page.map((item) => StoredMessageSchema.parse(item)).reverse(),
      ...(Items.length > opts.limit && oldest ? { nextCursor: encodeHistoryCursor(String(oldest[sk])) } : {}),
    };
  }

  async upsertMeta(userId: string, meta: ConversationMeta): Promise<void> {
    const item = ConversationMetaSchema.parse(meta);
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...item, [pk]: userId, [sk]: KEYS.conversations.meta(item.conversationId) },
      }),
    );
  }

  async touchMeta(userId: string, input: MetaTouch): Promise<ConversationMeta> {
    const Key = { [pk]: userId, [sk]: KEYS.conversations.meta(input.conversationId) };
    metaCreatedBy(input);
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key,
        UpdateExpression:
          "SET #updatedAt = :at, #conversationId = if_not_exists(#conversationId, :conversationId), " +
          "#title = if_not_exists(#title, :title), #channel = if_not_exists(#channel, :channel), " +
          "#createdAt = if_not_exists(#createdAt, :at)",
        ExpressionAttributeNames: {
          "#updatedAt": "updatedAt",
          "#conversationId": "conversationId",
          "#title": "title",
          "#channel": "channel",
          "#createdAt": "createdAt",
        },
        ExpressionAttributeValues: {
          ":at": input.at,
          ":conversationId": input.conversationId,
          ":title": input.title,
          ":channel": input.channel,
        },
        ReturnValues: "ALL_NEW",
      }),
    );
    const touched = ConversationMetaSchema.parse(Attributes);
    if (touched.title !== input.placeholderTitle || input.title === input.placeholderTitle) return touched;
    // Created empty: the first message names it, unless someone renamed it meanwhile.
    try {
      const renamed = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: "SET #title = :title",
          ConditionExpression: "#title = :placeholder",
          ExpressionAttributeNames: { "#title": "title" },
          ExpressionAttributeValues: { ":title": input.title, ":placeholder": input.placeholderTitle },
          ReturnValues: "ALL_NEW",
        }),
      );
      return ConversationMetaSchema.parse(renamed.Attributes);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      return (await this.getMeta(userId, input.conversationId)) ?? touched;
    }
  }

  async getMeta(userId: string, conversationId: string): Promise<ConversationMeta | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [pk]: userId, [sk]: KEYS.conversations.meta(conversationId) },
        ConsistentRead: true,
      }),
    );
    return Item ? ConversationMetaSchema.parse(Item) : undefined;
  }

  async listMeta(userId: string): Promise<ConversationMeta[]> {
    const items = await this.queryPrefix(userId, KEYS.conversations.metaPrefix, false);
    return sortByRecent(items.map((item) => ConversationMetaSchema.parse(item)));
  }

  async delete(userId: string, conversationId: string): Promise<void> {
    const keys: Key[] = [{ [pk]: userId, [sk]: KEYS.conversations.meta(conversationId) }];
    for (const prefix of [KEYS.conversations.messagePrefix(conversationId), turnPrefix(conversationId)]) {
      for (const item of await this.queryPrefix(userId, prefix, true))
        keys.push({ [pk]: userId, [sk]: item[sk] });
    }
    for (let i = 0; i < keys.length; i += 25) await this.deleteBatch(keys.slice(i, i + 25));
  }

  private async queryPrefix(userId: string, prefix: string, keysOnly: boolean): Promise<Key[]> {
    const out: Key[] = [];
    let start: Key | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
          ExpressionAttributeNames: { "#pk": pk, "#sk": sk },
          ExpressionAttributeValues: { ":pk": userId, ":prefix": prefix },
          ...(keysOnly ? { ProjectionExpression: "#pk, #sk" } : {}),
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      out.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /** BatchWriteItem may leave items unprocessed under throttling; retry those with backoff. */
  private async deleteBatch(keys: Key[]): Promise<void> {
    let requests = keys.map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= 8) throw new StoreError("STORE_BUSY", "DynamoDB kept throttling the delete; try again.");
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const { UnprocessedItems } = await this.client.send(
        new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }),
      );
      requests = (UnprocessedItems?.[this.tableName] ?? []).flatMap((r) =>
        r.DeleteRequest?.Key ? [{ DeleteRequest: { Key: r.DeleteRequest.Key } }] : [],
      );
    }
  }
}
