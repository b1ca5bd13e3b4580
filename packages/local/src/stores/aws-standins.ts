import { join } from "node:path";
import { createAwsStores, createTables, STANDIN_TABLE_NAMES } from "@serverless-openclaw/gateway/aws";
import { FileSecretStore } from "@serverless-openclaw/gateway/local";
import { startDynamoLocal, startS3rver } from "@serverless-openclaw/testkit";
import type { LocalLogger } from "../support/local-logger";
import type { OpenedStores } from "./stores";

const BUCKET = "serverless-openclaw-local";

/**
 * `--aws-standins`: the AWS adapters (DynamoDB, S3) against DynamoDB Local (Java 17, in memory) and
 * s3rver (kept under the data dir). There is no SSM stand-in, so secrets stay in the file store.
 */
export async function openAwsStandinStores(options: {
  dataDir: string;
  logger: LocalLogger;
}): Promise<OpenedStores> {
  options.logger.info("Starting DynamoDB Local and s3rver (--aws-standins)…");
  const [dynamo, s3] = await Promise.all([
    startDynamoLocal(),
    startS3rver({ dir: join(options.dataDir, "standins", "s3"), buckets: [BUCKET] }),
  ]);
  try {
    const dynamoClient = dynamo.client();
    await createTables(dynamoClient, STANDIN_TABLE_NAMES);
    const backend = createAwsStores({
      tables: STANDIN_TABLE_NAMES,
      bucket: BUCKET,
      secretPrefix: "/serverless-openclaw/",
      clients: { dynamo: dynamoClient, s3: s3.client() },
    });
    options.logger.info(`DynamoDB Local at ${dynamo.endpoint} (in memory), s3rver at ${s3.endpoint}`);
    return {
      plan: {
        backend,
        replace: { secrets: new FileSecretStore(join(options.dataDir, "stores", "secrets.json")) },
      },
      close: async () => {
        await Promise.all([dynamo.stop(), s3.stop()]);
      },
    };
  } catch (err) {
    await Promise.all([dynamo.stop(), s3.stop()]);
    throw err;
  }
}
