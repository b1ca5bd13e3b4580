import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { SSMClient } from "@aws-sdk/client-ssm";
import { createStores } from "@serverless-openclaw/gateway";
import { type ClientPush, createRpcStores, type Stores } from "@serverless-openclaw/gateway/agent";
import {
  createAwsStores,
  createTables,
  type S3BlobStore,
  STANDIN_TABLE_NAMES,
} from "@serverless-openclaw/gateway/aws";
import { AGENT_USER_HEADER } from "@serverless-openclaw/shared";
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
import { createSignedFetch } from "../../src/sigv4";
import { readManifest } from "../../src/state-manifest";
import { AgentApiStandin } from "../support/agent-api-standin";
import { FakeAgentGateway } from "../support/fake-gateway";
import { startImageTask } from "../support/image-bundle";
import { answeredOnce, seedWakingUser } from "../support/seed";

/**
 * The image's bundle with its AWS wiring, the way an ECS task runs it: the task's environment names no
 * table, bucket or secret, only the agent HTTP API, which it calls SigV4-signed with the task role's
 * credentials. Here that API is a loopback stand-in for API Gateway + IAM (it checks the signature
 * against the task's key pair and reports the caller as the assumed-role session named after the ECS
 * task id), in front of the gateway's real agent API handler, which binds the task to its user's
 * TaskState row and serves it DynamoDB Local, s3rver and a fake of SSM's JSON API through scopeStores;
 * the state archive moves over s3rver presigned URLs. The agent WebSocket is the fake gateway
 * (unsigned ws://, as SigV4 signing applies to wss:// only). Nothing of local mode's wiring is used.
 */
const USER = "user-aws";
const OTHER = "user-other";
const API_KEY = "sk-aws-wiring-7f6e5d4c3b2a";
const OTHER_KEY = "sk-other-user-0a9b8c7d6e5f";
const BUCKET = "serverless-openclaw-data";
const SECRET_PREFIX = "/serverless-openclaw/";
const TASK_ROLE = "ServerlessOpenClawAgentTaskRole";
const TASK_ID = "5b2f0c1d9e8a47b6a3c2d1e0f9a8b7c6";
const TASK_KEYS = {
  accessKeyId: "ASIATASKROLESESSION1",
  secretAccessKey: "task-role-session-secret-key-0123",
};

let llm: FakeLlm;
let dynamo: DynamoLocal;
let s3: S3rver;
let stores: Stores;
let gateway: FakeAgentGateway;
let agentApi: AgentApiStandin;
let agentApiUrl: string;
let ssm: Server;
let workDir: string;
let bundle: string;
let proc: ManagedProcess;
const ssmCalls: Array<{ target: string; body: Record<string, unknown> }> = [];
const parameters = new Map<string, string>();
const pushed: Array<{ connectionId: string; body: Record<string, unknown> }> = [];

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

/** SSM's JSON 1.1 protocol, GetParameter only (all the gateway asks of it for a task). */
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

/** The browser connections, as the gateway's Management API client would reach them. */
const clientPush: ClientPush = {
  send: async (connectionId, event) => {
    pushed.push({ connectionId, body: event as Record<string, unknown> });
    return true;
  },
  disconnect: async () => {},
};

beforeAll(async () => {
  [llm, dynamo, s3] = await Promise.all([
    startFakeLlm({ apiKey: API_KEY }),
    startDynamoLocal(),
    startS3rver({ buckets: [BUCKET] }),
  ]);
  await createTables(dynamo.client(), STANDIN_TABLE_NAMES);
  ssm = fakeSsm();
  const ssmUrl = await listen(ssm);
  // The gateway's stores (the agent-api Lambda's): DynamoDB Local, s3rver, the fake SSM.
  stores = createAwsStores({
    tables: STANDIN_TABLE_NAMES,
    bucket: BUCKET,
    secretPrefix: SECRET_PREFIX,
    clients: {
      dynamo: dynamo.client(),
      s3: s3.client(),
      ssm: new SSMClient({
        endpoint: ssmUrl,
        region: "us-east-1",
        credentials: { accessKeyId: "gateway", secretAccessKey: "gateway" },
      }),
    },
  });
  // As in runtime/aws.ts: the run that reaches Idle is booked to the user's usage by the gateway.
  const served = createStores({ backend: stores, usage: { logger: console } });
  agentApi = new AgentApiStandin(
    served,
    [{ ...TASK_KEYS, userArn: `arn:aws:sts::111122223333:assumed-role/${TASK_ROLE}/${TASK_ID}` }],
    { clientPush, blobUrls: stores.blobs as S3BlobStore, taskRoleName: TASK_ROLE },
  );
  agentApiUrl = await agentApi.start();
  gateway = new FakeAgentGateway(stores);
  await gateway.start();
  parameters.set(`${SECRET_PREFIX}users/${USER}/llm-api-key`, API_KEY);
  parameters.set(`${SECRET_PREFIX}users/${OTHER}/llm-api-key`, OTHER_KEY);

  const secret = await seedWakingUser(
    stores,
    { userId: USER, llm },
    { clientMessageId: "aws-1", conversationId: "conv-aws", text: "hello from the AWS wiring test" },
  );
  // What the gateway records once RunTask returned: the task's ARN, whose id is its role session name.
  await stores.taskState.transition({
    userId: USER,
    expectState: "Starting",
    set: { taskArn: `arn:aws:ecs:us-east-1:111122223333:task/openclaw/${TASK_ID}` },
  });

  workDir = await mkdtemp(join(tmpdir(), "container-aws-"));
  ({ proc, bundle } = startImageTask({
    name: "agent task (AWS wiring)",
    workDir,
    env: {
      USER_ID: USER,
      AGENT_SECRET: secret,
      AGENT_WS_URL: gateway.url,
      AGENT_API_URL: agentApiUrl,
      AWS_REGION: "us-east-1",
      // The task role's session credentials (ECS serves them; here plain variables).
      AWS_ACCESS_KEY_ID: TASK_KEYS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TASK_KEYS.secretAccessKey,
    },
  }));
}, 120_000);

afterAll(async () => {
  await proc?.stop({ graceMs: 30_000 });
  await gateway?.stop();
  await agentApi?.stop();
  // A set-up that failed before the fake SSM existed must not leave a close that never calls back.
  await Promise.all([ssm && new Promise((r) => ssm.close(r)), llm?.stop(), dynamo?.stop(), s3?.stop()]);
  if (workDir) await rm(workDir, { recursive: true, force: true });
  if (bundle) await rm(bundle, { force: true });
});

/** What anyone holding the task role's credentials (a hostile shell that found them) gets. */
function withTaskCredentials(user: string, keys = TASK_KEYS): Stores {
  const signedFetch = createSignedFetch({
    region: "us-east-1",
    headers: { [AGENT_USER_HEADER]: user },
    credentials: keys,
  });
  return createRpcStores(`${agentApiUrl}/rpc`, undefined, { fetch: signedFetch });
}

describe("agent task with its AWS wiring (the image's bundle on Node 24; the agent API over IAM; DynamoDB Local, s3rver, fake SSM)", () => {
  it("gets its key through the gateway, answers, stores the turn, and on SIGTERM backs up over presigned URLs and goes Idle", async () => {
    const final = await answeredOnce(proc, pushed, stores, USER);
    expect(final?.text).toContain("echo: hello from the AWS wiring test");
    // Every call was SigV4-signed and accepted: the stand-in refuses any other.
    expect(agentApi.requests.length).toBeGreaterThan(3);
    expect(agentApi.requests.filter((r) => r.status === 403)).toEqual([]);
    expect(agentApi.requests.some((r) => r.path.startsWith("/connections/tab-1"))).toBe(true);
    // The gateway read the key from SSM for it.
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
    // While it runs, its credentials are bound to its user and scoped like local mode's token.
    const own = withTaskCredentials(USER);
    await expect(own.secrets.get(`users/${OTHER}/llm-api-key`)).rejects.toThrow(/may not read this secret/);
    await expect(own.settings.put(USER, "usage#2026-12", { seconds: 0 })).rejects.toThrow(/may not write/);
    await expect(own.taskState.listActive()).rejects.toThrow(/may not list other agents/);

    proc.child.kill("SIGTERM");
    const exit = await proc.exited;
    expect(exit.code, proc.logs().slice(-3000)).toBe(0);
    expect((await stores.taskState.get(USER)).state).toBe("Idle");
    // The state archive went to S3 over URLs the gateway signed for the user's own keys.
    expect((await readManifest(stores.blobs, USER))?.layers.length).toBeGreaterThan(0);
    expect(agentApi.requests.some((r) => r.path === "/blob-url" && r.status === 200)).toBe(true);
    // The gateway booked the run (the task can no longer write usage).
    expect((await stores.settings.list(USER, "usage#")).length).toBe(1);
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

  it("the task's credentials reach nothing of another user's, and nothing at all once its run ended", async () => {
    // Claiming the other user: their row names no such task.
    await expect(withTaskCredentials(OTHER).secrets.get(`users/${OTHER}/llm-api-key`)).rejects.toThrow(
      /not the running agent task/,
    );
    // Its own user, now Idle: the run is over, the binding with it (only its last status push remains).
    await expect(withTaskCredentials(USER).settings.get(USER, "settings")).rejects.toThrow(/run is over/);
    // A forged key pair never reaches the handler.
    await expect(
      withTaskCredentials(USER, { ...TASK_KEYS, secretAccessKey: "guessed" }).settings.get(USER, "settings"),
    ).rejects.toThrow(/unexpected response \(HTTP 403\)/);
    expect(ssmCalls.some((c) => String(c.body.Name).includes(OTHER))).toBe(false);
  });
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
