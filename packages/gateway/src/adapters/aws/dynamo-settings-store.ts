import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";
import { KEYS } from "@serverless-openclaw/shared";
import type { Clock, SettingsStore } from "../../ports";
import { isExpired, nowSeconds, systemClock } from "../clock";
import { toJsonValue, validateExpiresAt, validateSettingKey } from "../settings-value";
import { isConditionalCheckFailed } from "./dynamo-errors";

const { pk, sk } = KEYS.settings;

/**
 * Settings table (userId, settingKey) → `{ value, expiresAt? }`. DynamoDB's TTL deletes lazily, so an
 * item whose `expiresAt` (epoch seconds) has passed is treated as absent everywhere.
 */
export class DynamoSettingsStore implements SettingsStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async get<T = unknown>(userId: string, settingKey: string): Promise<T | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: this.key(userId, settingKey), ConsistentRead: true }),
    );
    return Item && !isExpired(Item.expiresAt, this.clock) ? (Item.value as T) : undefined;
  }

  async put(userId: string, settingKey: string, value: unknown, opts: { expiresAt?: number } = {}) {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: this.item(userId, settingKey, value, opts.expiresAt),
      }),
    );
  }

  async putIfAbsent(userId: string, settingKey: string, value: unknown, opts: { expiresAt?: number } = {}) {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.item(userId, settingKey, value, opts.expiresAt),
          ConditionExpression: "attribute_not_exists(#sk) OR expiresAt <= :now",
          ExpressionAttributeNames: { "#sk": sk },
          ExpressionAttributeValues: { ":now": nowSeconds(this.clock) },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }

  async take<T = unknown>(userId: string, settingKey: string): Promise<T | undefined> {
    // The delete returns the old item; its condition makes concurrent takers fail cleanly instead of
    // (as DynamoDB Local was seen to do) also returning the item they raced for.
    try {
      const { Attributes } = await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: this.key(userId, settingKey),
          ConditionExpression: "attribute_exists(#sk)",
          ExpressionAttributeNames: { "#sk": sk },
          ReturnValues: "ALL_OLD",
        }),
      );
      return Attributes && !isExpired(Attributes.expiresAt, this.clock) ? (Attributes.value as T) : undefined;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return undefined;
      throw err;
    }
  }

  async delete(userId: string, settingKey: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: this.key(userId, settingKey) }),
    );
  }

  async list<T = unknown>(userId: string, prefix: string) {
    const out: Array<{ settingKey: string; value: T }> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: prefix ? "#pk = :pk AND begins_with(#sk, :prefix)" : "#pk = :pk",
          ExpressionAttributeNames: { "#pk": pk, ...(prefix ? { "#sk": sk } : {}) },
          ExpressionAttributeValues: { ":pk": userId, ...(prefix ? { ":prefix": prefix } : {}) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        if (!isExpired(item.expiresAt, this.clock))
          out.push({ settingKey: String(item[sk]), value: item.value as T });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  private key(userId: string, settingKey: string) {
    return { [pk]: userId, [sk]: validateSettingKey(settingKey) };
  }

  private item(userId: string, settingKey: string, value: unknown, expiresAt?: number) {
    const item: Record<string, unknown> = { ...this.key(userId, settingKey), value: toJsonValue(value) };
    if (validateExpiresAt(expiresAt) !== undefined) item.expiresAt = expiresAt;
    return item;
  }
}
