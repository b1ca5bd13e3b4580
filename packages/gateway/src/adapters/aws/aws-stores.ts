import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SSMClient } from "@aws-sdk/client-ssm";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Clock } from "../../ports";
import type { Stores } from "../stores";
import { DynamoConnectionStore } from "./dynamo-connection-store";
import { DynamoConversationStore } from "./dynamo-conversation-store";
import { DynamoPendingQueue } from "./dynamo-pending-queue";
import { DynamoSettingsStore } from "./dynamo-settings-store";
import { DynamoTaskStateStore } from "./dynamo-task-state-store";
import { S3BlobStore } from "./s3-blob-store";
import { SsmSecretStore } from "./ssm-secret-store";
import type { TableNames } from "./tables";

export interface AwsStoresConfig {
  tables: TableNames;
  /** S3 bucket for blobs (OpenClaw state, skills). */
  bucket: string;
  /** Key prefix inside the bucket; default none. */
  blobPrefix?: string;
  /** SSM parameter path prefix, e.g. `/serverless-openclaw/`. */
  secretPrefix: string;
  /**
   * SDK clients. Missing ones are created with the SDK defaults, which honour AWS_REGION and the
   * standard endpoint overrides (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_SSM).
   */
  clients?: { dynamo?: DynamoDBClient; s3?: S3Client; ssm?: SSMClient };
  clock?: Clock;
}

/** The document client every Dynamo adapter expects (undefined fields are dropped, not rejected). */
export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** The stores in DynamoDB, S3 and SSM: the Lambdas' backend, and local mode's with `--aws-standins`. */
export function createAwsStores(config: AwsStoresConfig): Stores {
  const doc = createDocumentClient(config.clients?.dynamo ?? new DynamoDBClient({}));
  const { tables, clock } = config;
  return {
    connections: new DynamoConnectionStore(doc, tables.connections),
    taskState: new DynamoTaskStateStore(doc, tables.taskState, clock),
    pending: new DynamoPendingQueue(doc, tables.pending, clock),
    conversations: new DynamoConversationStore(doc, tables.conversations),
    settings: new DynamoSettingsStore(doc, tables.settings, clock),
    blobs: new S3BlobStore(
      config.clients?.s3 ?? new S3Client({}),
      config.bucket,
      config.blobPrefix,
      // Presigned URLs must not carry a checksum: with the SDK's default (WHEN_SUPPORTED) a PUT URL
      // embeds the CRC32 of an empty body, and S3 then rejects the real upload.
      config.clients?.s3 ??
        new S3Client({
          requestChecksumCalculation: "WHEN_REQUIRED",
          responseChecksumValidation: "WHEN_REQUIRED",
        }),
    ),
    secrets: new SsmSecretStore(config.clients?.ssm ?? new SSMClient({}), config.secretPrefix),
  };
}
