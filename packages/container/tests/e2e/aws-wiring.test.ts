import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { createTables, STANDIN_TABLE_NAMES } from "@serverless-openclaw/gateway/adapters/aws/tables";
import { createAwsStores, type Stores } from "@serverless-openclaw/gateway/adapters/stores";
import {
  type DynamoLocal,
  type FakeLlm,
  type S3rver,
  startDynamoLocal,
  startFakeLlm,
  startS3rver,
} from "@serverless-openclaw/testkit";
import type { ManagedProcess } from "@serverless-openclaw/testkit/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readManifest } from "../../src/state-checkpoint";
import { FakeAgentGateway } from "../support/fake-gateway";
import { startImageTask } from "../support/image-bundle";
import { answeredOnce, seedWakingUser } from "../support/seed";

/**
 * The image's bundle with its AWS wiring, the way an ECS task runs it: the task reads its tables, bucket
 * and secret prefix from the environment and reaches AWS through the SDK's standard endpoint variables.
 * Here they point at DynamoDB Local, s3rver, a fake of SSM's JSON API (SSM has no stand-in) and a
 * loopback stand-in for the API Gateway Management API; the agent WebSocket is the fake gateway
 * (unsigned ws://, as SigV4 signing applies to wss:// only). Nothing of local mode's wiring is used.
 */
const USER = "user-aws";
const API_KEY = "sk-aws-wiring-7f6e5d4c3b2a";
const BUCKET = "serverless-openclaw-data";
const SECRET_PREFIX = "/serverless-openclaw/";

let llm: FakeLlm;
let dynamo: DynamoLocal;
let s3: S3rver;
let stores: Stores;
let gateway: FakeAgentGateway;
let ssm: Server;
let management: Server;
let workDir: string;
let bundle: string;
let proc: ManagedProcess;
const ssmCalls: Array<{ target: string; body: Record<string, unknown> }> = [];
const parameters = new Map<string, string>();
const pushed: Array<{ connectionId: string; body: Record<string, unknown>; signed: boolean }> = [];

const readBody = (req: IncomingMessage) =>
  new Promise<string>((done) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => done(Buffer.concat(chunks).toString()));
  });

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** SSM's JSON 1.1 protocol, GetParameter only (all the task asks of it). */
function fakeSsm(): Server {
  return createServer(async (req, res) => {
    const target = String(req.headers["x-amz-target"] ?? "");
    const body = JSON.parse((await readBody(req)) || "{}") as Record<string, unknown>;
    ssmCalls.push({ target, body });
    const reply = (status: number, payload: unknown) =>
      res.writeHead(status, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify(payload));
    const value = target === "AmazonSSM.GetParameter" ? parameters.get(String(body.Name)) : undefined;
    if (value === undefined) {
      reply(400, { __type: "ParameterNotFound", message: `${String(body.Name)} not found` });
      return;
    }
    reply(200, { Parameter: { Name: body.Name, Type: "SecureString", Value: value, Version: 1 } });
  });
}

/** The Management API's POST /@connections/{id}, recording what was posted and whether it was signed. */
function fakeManagementApi(): Server {
  return createServer(async (req, res) => {
    const body = await readBody(req);
    const id = decodeURIComponent(req.url?.split("/@connections/")[1] ?? "");
    pushed.push({
      connectionId: id,
      body: JSON.parse(body || "{}") as Record<string, unknown>,
      signed: String(req.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256 "),
    });
    res.writeHead(200).end();
  });
}

beforeAll(async () => {
  [llm, dynamo, s3] = await Promise.all([
    startFakeLlm({ apiKey: API_KEY }),
    startDynamoLocal(),
    startS3rver({ buckets: [BUCKET] }),
  ]);
  await createTables(dynamo.client(), STANDIN_TABLE_NAMES);
  ssm = fakeSsm();
  management = fakeManagementApi();
  const [ssmUrl, managementUrl] = await Promise.all([listen(ssm), listen(management)]);
  // The test's own view of the same tables and bucket (its secrets are never used: SSM is the fake).
  stores = createAwsStores({
    tables: STANDIN_TABLE_NAMES,
    bucket: BUCKET,
    secretPrefix: SECRET_PREFIX,
    clients: { dynamo: dynamo.client(), s3: s3.client() },
  });
  gateway = new FakeAgentGateway(stores);
  await gateway.start();
  parameters.set(`${SECRET_PREFIX}users/${USER}/llm-api-key`, API_KEY);

  const secret = await seedWakingUser(
    stores,
    { userId: USER, llm },
    { clientMessageId: "aws-1", conversationId: "conv-aws", text: "hello from the AWS wiring test" },
  );

  workDir = await mkdtemp(join(tmpdir(), "container-aws-"));
  ({ proc, bundle } = startImageTask({
    name: "agent task (AWS wiring)",
    workDir,
    env: {
      USER_ID: USER,
      AGENT_SECRET: secret,
      AGENT_WS_URL: gateway.url,
      TABLE_CONVERSATIONS: STANDIN_TABLE_NAMES.conversations,
      TABLE_SETTINGS: STANDIN_TABLE_NAMES.settings,
      TABLE_TASK_STATE: STANDIN_TABLE_NAMES.taskState,
      TABLE_CONNECTIONS: STANDIN_TABLE_NAMES.connections,
      TABLE_PENDING: STANDIN_TABLE_NAMES.pending,
      DATA_BUCKET: BUCKET,
      SECRET_PREFIX,
      CLIENT_PUSH_ENDPOINT: managementUrl,
      AWS_REGION: "us-east-1",
      // The task role's credentials; s3rver accepts only these (DynamoDB Local and the fakes take any).
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_SSM: ssmUrl,
    },
  }));
}, 120_000);

afterAll(async () => {
  await proc?.stop({ graceMs: 30_000 });
  await gateway?.stop();
  await Promise.all([
    new Promise((r) => ssm?.close(r)),
    new Promise((r) => management?.close(r)),
    llm?.stop(),
    dynamo?.stop(),
    s3?.stop(),
  ]);
  if (workDir) await rm(workDir, { recursive: true, force: true });
  if (bundle) await rm(bundle, { force: true });
});

describe("agent task with its AWS wiring (the image's bundle on Node 24; DynamoDB Local, s3rver, fake SSM)", () => {
  it("reads its key from SSM, answers through the Management API, stores the turn, and on SIGTERM backs up to S3 and goes Idle", async () => {
    const final = await answeredOnce(proc, pushed, stores, USER);
    expect(final?.text).toContain("echo: hello from the AWS wiring test");
    // Every push is SigV4-signed with the task role's credentials, as API Gateway requires.
    expect(pushed.every((p) => p.signed)).toBe(true);
    expect(ssmCalls).toContainEqual({
      target: "AmazonSSM.GetParameter",
      body: { Name: `${SECRET_PREFIX}users/${USER}/llm-api-key`, WithDecryption: true },
    });
    // The turn is in DynamoDB (and the message left the queue).
    const stored = await stores.conversations.findReply(USER, "conv-aws", "aws-1");
    expect(stored?.text).toBe(final?.text);

    // OpenClaw's files on disk while it runs (config, sessions, state) never hold the LLM key: it
    // reaches OpenClaw only through its environment.
    expect(await filesContaining(workDir, API_KEY)).toEqual([]);

    proc.child.kill("SIGTERM");
    const exit = await proc.exited;
    expect(exit.code, proc.logs().slice(-3000)).toBe(0);
    expect((await stores.taskState.get(USER)).state).toBe("Idle");
    expect((await readManifest(stores.blobs, USER))?.layers.length).toBeGreaterThan(0);
    expect(proc.logs()).toMatch(/"message":"agent run booked","seconds":\d+,"capacity":"spot"/);
    expect(proc.logs()).not.toContain("usage not recorded");
    // Nor does anything uploaded to the BlobStore (checkpoint layers, gzipped tars, and the manifest),
    // nor what is left on disk after the stop.
    const keys = await stores.blobs.list(`users/${USER}/`);
    expect(keys.length).toBeGreaterThan(1);
    for (const key of keys) {
      const bytes = Buffer.from((await stores.blobs.get(key)) ?? new Uint8Array());
      const plain = key.endsWith(".gz") || bytes[0] === 0x1f ? gunzipSync(bytes) : bytes;
      expect(plain.includes(API_KEY), key).toBe(false);
      expect(bytes.includes(API_KEY), key).toBe(false);
    }
    expect(await filesContaining(workDir, API_KEY)).toEqual([]);
    expect(proc.logs()).not.toContain(API_KEY);
  }, 320_000);
});

/** Every file under `dir` whose bytes contain `needle` (symlinks and unreadable files skipped). */
async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const bytes = await readFile(path).catch(() => undefined);
    if (bytes?.includes(needle)) found.push(path);
  }
  return found;
}
