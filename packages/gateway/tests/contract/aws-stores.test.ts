import { randomUUID } from "node:crypto";
import { DescribeTableCommand, DescribeTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import { SSMClient } from "@aws-sdk/client-ssm";
import { type DynamoLocal, type S3rver, startDynamoLocal, startS3rver } from "@serverless-openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAwsStores } from "../../src/adapters/aws/aws-stores";
import { createTables, type TableNames } from "../../src/adapters/aws/tables";
import type { Clock } from "../../src/ports";
import { describeStoresContracts } from "./all-contracts";

// SSM has no stand-in: SsmSecretStore is tested at the SDK boundary in tests/adapters.
let dynamo: DynamoLocal;
let s3: S3rver;
const suffix = randomUUID().slice(0, 8);
const tables: TableNames = {
  conversations: `Conversations-${suffix}`,
  settings: `Settings-${suffix}`,
  taskState: `TaskState-${suffix}`,
  connections: `Connections-${suffix}`,
  pending: `PendingMessages-${suffix}`,
};
const bucket = "contract-blobs";

beforeAll(async () => {
  [dynamo, s3] = await Promise.all([startDynamoLocal(), startS3rver({ buckets: [bucket] })]);
  await createTables(dynamo.client(), tables);
});

afterAll(async () => {
  await Promise.all([dynamo?.stop(), s3?.stop()]);
});

// "Reopen" builds new adapters and clients over the same tables: the state lives in the services.
const open = (clock: Clock) =>
  createAwsStores({
    tables,
    bucket,
    blobPrefix: "prefix/",
    secretPrefix: "/unused/",
    clients: { dynamo: dynamo.client(), s3: s3.client(), ssm: new SSMClient({ region: "us-east-1" }) },
    clock,
  });

describeStoresContracts(
  "AWS adapters on DynamoDB Local and s3rver",
  async (clock) => ({ store: open(clock), reopen: async () => open(clock) }),
  ["connections", "taskState", "pending", "conversations", "settings", "blobs"],
);

describe("createTables", () => {
  it("is idempotent and creates the GSI, TTL and on-demand billing", async () => {
    const client = dynamo.client();
    await createTables(client, tables);
    const connections = await client.send(new DescribeTableCommand({ TableName: tables.connections }));
    expect(connections.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(["byUser"]);
    expect(connections.Table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    for (const table of [tables.connections, tables.pending, tables.settings]) {
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
      expect(ttl.TimeToLiveDescription).toMatchObject({
        AttributeName: "expiresAt",
        TimeToLiveStatus: "ENABLED",
      });
    }
  });
});
