import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CreateBucketCommand, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { freePort, retryOnPortClash } from "./free-port";
import { forgetDirOnExit, isListening, removeDirOnExit, startProcess, waitUntil } from "./process";

/** s3rver's fixed key pair; it rejects other signatures. */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

export interface S3rver {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  /** The directory holding the buckets. */
  dir: string;
  /**
   * Config for an S3 client that reaches this instance: path-style addressing (otherwise the SDK targets
   * `bucket.127.0.0.1`), and checksums only when required (else stream bodies go aws-chunked, and s3rver
   * stores the chunk framing inside the object).
   */
  clientConfig: S3ClientConfig;
  /** A new client for this instance; it is destroyed by stop(). */
  client(overrides?: Partial<S3ClientConfig>): S3Client;
  createBucket(name: string): Promise<void>;
  logs(): string;
  /** Stops the server and deletes its directory (unless the caller supplied `dir`). */
  stop(): Promise<void>;
}

export interface StartS3rverOptions {
  /** Keep the data here instead of a fresh temp dir (which stop() would delete). */
  dir?: string;
  /** Buckets to create before returning. */
  buckets?: readonly string[];
  timeoutMs?: number;
}

/** Starts s3rver (a Node S3 emulator) on a free loopback port. */
export function startS3rver(options: StartS3rverOptions = {}): Promise<S3rver> {
  return retryOnPortClash(() => startS3rverOnce(options));
}

async function startS3rverOnce(options: StartS3rverOptions): Promise<S3rver> {
  const require = createRequire(import.meta.url);
  const bin = join(dirname(require.resolve("s3rver/package.json")), "bin", "s3rver.js");
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "testkit-s3rver-")));
  if (ownDir) removeDirOnExit(dir);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const proc = startProcess({
    name: "s3rver",
    command: process.execPath,
    args: [bin, "-a", "127.0.0.1", "-p", String(port), "-d", dir, "--silent"],
  });

  const clientConfig: S3ClientConfig = {
    endpoint,
    region: "us-east-1",
    credentials: S3RVER_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  };
  const clients: S3Client[] = [];
  const client = (overrides: Partial<S3ClientConfig> = {}) => {
    const created = new S3Client({ ...clientConfig, ...overrides });
    clients.push(created);
    return created;
  };

  const stop = async () => {
    for (const c of clients.splice(0)) c.destroy();
    await proc.stop({ graceMs: 3_000 });
    if (ownDir) {
      await rm(dir, { recursive: true, force: true });
      forgetDirOnExit(dir);
    }
  };

  try {
    // Any HTTP answer (s3rver returns an error document for an unsigned request) means it is listening.
    await waitUntil(`s3rver on ${endpoint}`, async () => isListening(`${endpoint}/`), {
      // 30 s was not enough with other work holding both cores (seen: a suite at load 30).
      timeoutMs: options.timeoutMs ?? 120_000,
      intervalMs: 100,
      process: proc,
    });
  } catch (err) {
    await stop();
    throw err;
  }

  const admin = client({ maxAttempts: 1 });
  const createBucket = async (name: string) => {
    await admin.send(new CreateBucketCommand({ Bucket: name }));
  };
  for (const bucket of options.buckets ?? []) await createBucket(bucket);

  return { endpoint, port, dir, clientConfig, client, createBucket, logs: proc.logs, stop };
}
