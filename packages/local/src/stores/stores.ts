import { join } from "node:path";
import type { StoresPlan } from "@serverless-openclaw/gateway";
import { createEmbeddedStores } from "@serverless-openclaw/gateway/local";
import type { LocalLogger } from "../support/local-logger";

export interface OpenedStores {
  /** What createStores builds local mode's stores from (the stack adds usage booking). */
  plan: StoresPlan;
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
  return { plan: { backend: createEmbeddedStores(join(options.dataDir, "stores")) }, close: async () => {} };
}
