import { join } from "node:path";
import { createEmbeddedStores } from "@serverless-openclaw/gateway/adapters/local/embedded-stores";
import type { Stores } from "@serverless-openclaw/gateway/adapters/stores";
import type { LocalLogger } from "../support/local-logger";

export interface OpenedStores {
  stores: Stores;
  close(): Promise<void>;
}

/**
 * The stores behind local mode: the embedded ones under `<data dir>/stores` (no Java, no server), or,
 * with `--aws-standins`, the AWS adapters against DynamoDB Local and s3rver.
 */
export async function openStores(options: {
  dataDir: string;
  awsStandins: boolean;
  logger: LocalLogger;
}): Promise<OpenedStores> {
  if (options.awsStandins) {
    const { openAwsStandinStores } = await import("./aws-standins");
    return openAwsStandinStores(options);
  }
  return { stores: createEmbeddedStores(join(options.dataDir, "stores")), close: async () => {} };
}
