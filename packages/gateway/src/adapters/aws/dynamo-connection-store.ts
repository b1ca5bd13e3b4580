import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/lib-dynamodb";
import { type Connection, ConnectionSchema, KEYS } from "@serverless-openclaw/shared";
import type { ConnectionStore } from "../../ports";

/** Connections table: partition key connectionId, GSI `byUser` (partition key userId). */
export class DynamoConnectionStore implements ConnectionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(connection: Connection): Promise<void> {
    const item = ConnectionSchema.parse(connection);
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  async get(connectionId: string): Promise<Connection | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [KEYS.connections.pk]: connectionId },
        ConsistentRead: true,
      }),
    );
    return Item ? ConnectionSchema.parse(Item) : undefined;
  }

  async delete(connectionId: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { [KEYS.connections.pk]: connectionId } }),
    );
  }

  async listByUser(userId: string, kind?: Connection["kind"]): Promise<Connection[]> {
    const out: Connection[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: KEYS.connections.byUserIndex,
          KeyConditionExpression: "#u = :u",
          ...(kind ? { FilterExpression: "#k = :k" } : {}),
          ExpressionAttributeNames: { "#u": KEYS.connections.byUserPk, ...(kind ? { "#k": "kind" } : {}) },
          ExpressionAttributeValues: { ":u": userId, ...(kind ? { ":k": kind } : {}) },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) out.push(ConnectionSchema.parse(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async listAll(kind?: Connection["kind"]): Promise<Connection[]> {
    const out: Connection[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          ...(kind
            ? {
                FilterExpression: "#k = :k",
                ExpressionAttributeNames: { "#k": "kind" },
                ExpressionAttributeValues: { ":k": kind },
              }
            : {}),
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) out.push(ConnectionSchema.parse(item));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
