import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { KEYS, TTL_ATTRIBUTE } from "@serverless-openclaw/shared";

/** The five tables by role; the values are the deployed table names. */
export type TableNames = {
  conversations: string;
  settings: string;
  taskState: string;
  connections: string;
  pending: string;
};

/** The names where we create the tables ourselves, in DynamoDB Local: `--aws-standins` and tests. */
export const STANDIN_TABLE_NAMES: Readonly<TableNames> = {
  conversations: "Conversations",
  settings: "Settings",
  taskState: "TaskState",
  connections: "Connections",
  pending: "PendingMessages",
};

export type TableDefinition = Omit<CreateTableCommandInput, "TableName"> & {
  /** The TTL attribute (epoch seconds), when the table has one. */
  ttlAttribute?: string;
};

const S = "S" as const;
const pkSk = (
  pk: string,
  sk: string,
): Pick<CreateTableCommandInput, "KeySchema" | "AttributeDefinitions"> => ({
  KeySchema: [
    { AttributeName: pk, KeyType: "HASH" },
    { AttributeName: sk, KeyType: "RANGE" },
  ],
  AttributeDefinitions: [
    { AttributeName: pk, AttributeType: S },
    { AttributeName: sk, AttributeType: S },
  ],
});

/**
 * Table definitions (key schema, GSI, TTL, on-demand billing). The CDK stack mirrors these;
 * tests and `--aws-standins` create them in DynamoDB Local with createTables.
 */
export const TABLE_DEFINITIONS: Record<keyof TableNames, TableDefinition> = {
  conversations: { ...pkSk(KEYS.conversations.pk, KEYS.conversations.sk), BillingMode: "PAY_PER_REQUEST" },
  settings: {
    ...pkSk(KEYS.settings.pk, KEYS.settings.sk),
    BillingMode: "PAY_PER_REQUEST",
    ttlAttribute: TTL_ATTRIBUTE,
  },
  taskState: {
    KeySchema: [{ AttributeName: KEYS.taskState.pk, KeyType: "HASH" }],
    AttributeDefinitions: [{ AttributeName: KEYS.taskState.pk, AttributeType: S }],
    BillingMode: "PAY_PER_REQUEST",
  },
  connections: {
    KeySchema: [{ AttributeName: KEYS.connections.pk, KeyType: "HASH" }],
    AttributeDefinitions: [
      { AttributeName: KEYS.connections.pk, AttributeType: S },
      { AttributeName: KEYS.connections.byUserPk, AttributeType: S },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: KEYS.connections.byUserIndex,
        KeySchema: [{ AttributeName: KEYS.connections.byUserPk, KeyType: "HASH" }],
        Projection: { ProjectionType: "ALL" },
      },
    ],
    BillingMode: "PAY_PER_REQUEST",
    ttlAttribute: TTL_ATTRIBUTE,
  },
  pending: {
    ...pkSk(KEYS.pending.pk, KEYS.pending.sk),
    BillingMode: "PAY_PER_REQUEST",
    ttlAttribute: TTL_ATTRIBUTE,
  },
};

/** Creates the tables (an existing one is left as is), waits until they are active, enables TTL. */
export async function createTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  for (const role of Object.keys(TABLE_DEFINITIONS) as Array<keyof TableNames>) {
    const { ttlAttribute, ...definition } = TABLE_DEFINITIONS[role];
    const TableName = names[role];
    try {
      await client.send(new CreateTableCommand({ ...definition, TableName }));
    } catch (err) {
      if (!(err instanceof Error && err.name === "ResourceInUseException")) throw err;
    }
    await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName });
    if (ttlAttribute) await enableTtl(client, TableName, ttlAttribute);
  }
}

/** UpdateTimeToLive fails when TTL is already on, so look first (a second createTables must pass). */
async function enableTtl(client: DynamoDBClient, TableName: string, AttributeName: string): Promise<void> {
  const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName }));
  const status = TimeToLiveDescription?.TimeToLiveStatus;
  if (status === "ENABLED" || status === "ENABLING") return;
  await client.send(
    new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: { AttributeName, Enabled: true } }),
  );
}
