import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type DynamoLocal, startDynamoLocal } from "../src/dynamodb-local";

describe("startDynamoLocal", () => {
  let dynamo: DynamoLocal;
  let client: DynamoDBClient;

  beforeAll(async () => {
    dynamo = await startDynamoLocal();
    client = dynamo.client();
    await client.send(
      new CreateTableCommand({
        TableName: "Things",
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      }),
    );
  });

  afterAll(async () => {
    await dynamo?.stop();
  });

  it("listens on a loopback endpoint", () => {
    expect(dynamo.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("rejects a second conditional put of the same key", async () => {
    const put = () =>
      client.send(
        new PutItemCommand({
          TableName: "Things",
          Item: { pk: { S: "once" }, n: { N: "1" } },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    await put();
    await expect(put()).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const got = await client.send(new GetItemCommand({ TableName: "Things", Key: { pk: { S: "once" } } }));
    expect(got.Item?.n?.N).toBe("1");
  });

  it("enables TTL on a table and removes expired items", async () => {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: "Things",
        TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      }),
    );
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: "Things" }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe("expiresAt");
    expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe("ENABLED");

    // DynamoDB Local deletes expired items within about a second (AWS: within days), so poll for it.
    const expired = Math.floor(Date.now() / 1000) - 60;
    await client.send(
      new PutItemCommand({
        TableName: "Things",
        Item: { pk: { S: "old" }, expiresAt: { N: String(expired) } },
      }),
    );
    await vi.waitFor(
      async () => {
        const got = await client.send(new GetItemCommand({ TableName: "Things", Key: { pk: { S: "old" } } }));
        expect(got.Item).toBeUndefined();
      },
      { timeout: 30_000, interval: 250 },
    );
    await client.send(
      new PutItemCommand({
        TableName: "Things",
        Item: { pk: { S: "fresh" }, expiresAt: { N: String(expired + 3600) } },
      }),
    );
    const fresh = await client.send(new GetItemCommand({ TableName: "Things", Key: { pk: { S: "fresh" } } }));
    expect(fresh.Item?.pk?.S).toBe("fresh");
  });

  // Last: it stops the shared instance (afterAll's stop() is then a no-op).
  it("stops, after which the endpoint refuses connections", async () => {
    expect((await fetch(dynamo.endpoint)).status).toBeGreaterThan(0);
    await dynamo.stop();
    await expect(fetch(dynamo.endpoint)).rejects.toThrow();
  });
});
