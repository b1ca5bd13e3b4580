import { createHash } from "node:crypto";
import { AGENT_USER_HEADER } from "@serverless-openclaw/shared";
import { beforeEach, describe, expect, it } from "vitest";
import { createAwsStores } from "../../src/adapters/aws/aws-stores";
import type { S3BlobStore } from "../../src/adapters/aws/s3-blob-store";
import { createMemoryStores } from "../../src/adapters/local/embedded-stores";
import { createRpcStores } from "../../src/adapters/local/rpc-client";
import type { Stores } from "../../src/adapters/stores";
import { createAgentSocketHandler, createWebSocketHandler } from "../../src/handlers";
import { createAgentApiHandler } from "../../src/handlers/agent-api";
import type { ClientPush } from "../../src/ports";
import { bindAgentTask, callerTaskId } from "../../src/services/agent-binding";
import { expectStoreError } from "../contract/harness";
import { makeDeps, seedRunningAgent } from "../unit/fakes";
import { wsEvent } from "./events";

// The AWS agent API with IAM standing in: each request carries the caller's assumed-role ARN the way
// API Gateway's IAM authorizer puts it in the event (requestContext.authorizer.iam.userArn).

const ALICE = "alice-0000-1111";
const BOB = "bob-0000-2222";
const ROLE = "AppAgentTaskRole";
const TASK = {
  [ALICE]: "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
  [BOB]: "ffeeddccbbaa99887766554433221100",
};
const taskArn = (id: string) => `arn:aws:ecs:us-east-1:111122223333:task/openclaw/${id}`;
const sessionArn = (taskId: string, role = ROLE) =>
  `arn:aws:sts::111122223333:assumed-role/${role}/${taskId}`;
const hash = (s: string) => createHash("sha256").update(s).digest("hex");
const at = "2026-12-06T10:00:00.000Z";

let stores: Stores;
let pushed: Array<{ connectionId: string; event: object }>;
let handler: ReturnType<typeof createAgentApiHandler>;

const push: ClientPush = {
  send: async (connectionId, event) => {
    pushed.push({ connectionId, event });
    return true;
  },
  disconnect: async () => {},
};

function event(opts: { userArn?: string; user?: string; method: string; path: string; body?: string }) {
  return {
    rawPath: opts.path,
    requestContext: {
      http: { method: opts.method },
      ...(opts.userArn ? { authorizer: { iam: { userArn: opts.userArn } } } : {}),
    },
    headers: { "content-type": "application/json", ...(opts.user ? { [AGENT_USER_HEADER]: opts.user } : {}) },
    body: opts.body ?? null,
    isBase64Encoded: false,
  };
}

/** The stores as a task sees them on AWS: the same RPC client, its fetch standing in for SigV4 + IAM. */
function taskStores(taskId: string, claimedUser: string): Stores {
  return createRpcStores("https://agent.invalid/rpc", undefined, {
    fetch: (async (url: string, init: RequestInit) => {
      const out = await handler(
        event({
          userArn: sessionArn(taskId),
          user: claimedUser,
          method: "POST",
          path: new URL(url).pathname,
          body: String(init.body),
        }),
      );
      return new Response(out.body, { status: out.statusCode });
    }) as typeof fetch,
  });
}

beforeEach(async () => {
  stores = createMemoryStores();
  pushed = [];
  handler = createAgentApiHandler({
    stores,
    clientPush: push,
    blobUrls: { signedUrl: async (key, method) => `https://bucket.invalid/${key}?m=${method}&sig=x` },
    logger: { warn: () => {}, error: () => {} },
    taskRoleName: ROLE,
    bind: { waitForArnMs: 0 },
  });
  for (const user of [ALICE, BOB] as const) {
    await seedRunningAgent(stores, user, {
      agentSecretHash: hash(`${user}-secret`),
      taskArn: taskArn(TASK[user]),
      at,
    });
  }
});

describe("the agent API on AWS: a task bound to its user by its IAM session", () => {
  it("serves the task its own user's settings, LLM key and lifecycle moves", async () => {
    const alice = taskStores(TASK[ALICE], ALICE);
    expect(await alice.settings.get(ALICE, "settings")).toEqual({ provider: "anthropic" });
    expect(await alice.secrets.get(`users/${ALICE}/llm-api-key`)).toBe(`sk-${ALICE}`);
    const beat = await alice.taskState.transition({
      userId: ALICE,
      expectState: "Running",
      set: { heartbeatAt: at },
    });
    expect(beat?.heartbeatAt).toBe(at);
  });

  it("refuses another user's data through scopeStores, exactly as local mode's store RPC does", async () => {
    const alice = taskStores(TASK[ALICE], ALICE);
    await expectStoreError(alice.secrets.get(`users/${BOB}/llm-api-key`), "FORBIDDEN");
    await expectStoreError(alice.settings.get(BOB, "settings"), "FORBIDDEN");
    await expectStoreError(alice.settings.put(ALICE, "usage#2026-12", { seconds: 0 }), "FORBIDDEN");
    await expectStoreError(alice.taskState.listActive(), "FORBIDDEN");
    await expectStoreError(
      alice.taskState.transition({ userId: BOB, expectState: "Running", set: { state: "Stopping" } }),
      "FORBIDDEN",
    );
    await expectStoreError(alice.blobs.get(`users/${BOB}/openclaw-state.tar.gz`), "FORBIDDEN");
    expect((await stores.taskState.get(BOB)).state).toBe("Running");
  });

  it("does not bind a task that claims another user, another role, or a finished run", async () => {
    // Alice's task claiming to serve Bob: Bob's row names another task.
    const asBob = taskStores(TASK[ALICE], BOB);
    await expectStoreError(asBob.secrets.get(`users/${BOB}/llm-api-key`), "NOT_BOUND");
    // A session of another role (a gateway Lambda, an operator) named like Alice's task.
    const other = await handler(
      event({
        userArn: sessionArn(TASK[ALICE], "SomeOtherRole"),
        user: ALICE,
        method: "POST",
        path: "/rpc",
        body: JSON.stringify({ port: "settings", method: "get", args: [ALICE, "settings"] }),
      }),
    );
    expect(other.statusCode).toBe(403);
    // No IAM identity at all, or no user header.
    for (const e of [
      event({ user: ALICE, method: "POST", path: "/rpc", body: "{}" }),
      event({ userArn: sessionArn(TASK[ALICE]), method: "POST", path: "/rpc", body: "{}" }),
    ])
      expect((await handler(e)).statusCode).toBe(403);
    // Once Alice's run is over, her old task's credentials open nothing.
    await stores.taskState.transition({ userId: ALICE, expectState: "Running", set: { state: "Stopping" } });
    await stores.taskState.transition({
      userId: ALICE,
      expectState: "Stopping",
      set: { state: "Idle", taskArn: null, agentSecretHash: null },
    });
    await expectStoreError(taskStores(TASK[ALICE], ALICE).settings.get(ALICE, "settings"), "NOT_BOUND");
  });

  it("after its own move to Idle, may still push its last status to its tabs, and nothing else", async () => {
    const alice = taskStores(TASK[ALICE], ALICE);
    await alice.taskState.transition({ userId: ALICE, expectState: "Running", set: { state: "Stopping" } });
    const idle = await alice.taskState.transition({
      userId: ALICE,
      expectState: "Stopping",
      set: { state: "Idle", taskArn: null, agentSecretHash: null },
    });
    expect(idle?.state).toBe("Idle");
    expect((await alice.connections.listByUser(ALICE, "client")).map((c) => c.connectionId)).toEqual([
      `tab-${ALICE}`,
    ]);
    // Whichever Lambda instance serves the push (a fresh handler here) knows the run just ended.
    handler = createAgentApiHandler({
      stores,
      clientPush: push,
      logger: { warn: () => {}, error: () => {} },
      taskRoleName: ROLE,
    });
    const last = await handler(
      event({
        userArn: sessionArn(TASK[ALICE]),
        user: ALICE,
        method: "POST",
        path: `/connections/tab-${ALICE}`,
        body: JSON.stringify({ type: "agent.status", state: "Idle" }),
      }),
    );
    expect(last.statusCode).toBe(204);
    await expectStoreError(alice.settings.get(ALICE, "settings"), "NOT_BOUND");
    await expectStoreError(alice.pending.list(ALICE), "NOT_BOUND");
    await expectStoreError(taskStores(TASK[ALICE], BOB).connections.listByUser(BOB, "client"), "NOT_BOUND");
  });

  it("pushes only to its own user's browser connections", async () => {
    const post = (connectionId: string) =>
      handler(
        event({
          userArn: sessionArn(TASK[ALICE]),
          user: ALICE,
          method: "POST",
          path: `/connections/${connectionId}`,
          body: JSON.stringify({ type: "chat.delta", text: "hi" }),
        }),
      );
    expect((await post(`tab-${ALICE}`)).statusCode).toBe(204);
    expect((await post(`tab-${BOB}`)).statusCode).toBe(403);
    expect((await post("no-such-tab")).statusCode).toBe(403);
    expect(pushed.map((p) => p.connectionId)).toEqual([`tab-${ALICE}`]);
  });

  it("signs blob URLs only for keys under its own user's prefix", async () => {
    const url = (key: string) =>
      handler(
        event({
          userArn: sessionArn(TASK[ALICE]),
          user: ALICE,
          method: "POST",
          path: "/blob-url",
          body: JSON.stringify({ key, method: "PUT" }),
        }),
      );
    const own = await url(`users/${ALICE}/openclaw-state.tar.gz`);
    expect(own.statusCode).toBe(200);
    expect(JSON.parse(own.body ?? "{}").url).toContain(`users/${ALICE}/openclaw-state.tar.gz`);
    for (const key of [
      `users/${BOB}/openclaw-state.tar.gz`,
      `users/${ALICE}/../${BOB}/x`,
      "web/index.html",
      `users/${ALICE}`,
    ])
      expect((await url(key)).statusCode, key).toBe(403);
  });
});

describe("binding a caller to a start", () => {
  it("reads the task id from the role session, and only for the task role", () => {
    expect(callerTaskId(sessionArn("abc123"), ROLE)).toBe("abc123");
    expect(callerTaskId(sessionArn("abc123"), "Other")).toBeUndefined();
    for (const arn of [
      "arn:aws:iam::111122223333:user/admin",
      `arn:aws:sts::111122223333:assumed-role/${ROLE}/abc/def`,
      "",
      undefined,
    ])
      expect(callerTaskId(arn, ROLE)).toBeUndefined();
  });

  it("waits for the ARN of a start still being recorded, then binds", async () => {
    const s = createMemoryStores();
    await s.taskState.transition({ userId: ALICE, expectState: "Idle", set: { state: "Starting" } });
    let slept = 0;
    const scope = await bindAgentTask(
      s.taskState,
      { userId: ALICE, taskId: "t1" },
      {
        sleep: async () => {
          slept += 1;
          await s.taskState.transition({
            userId: ALICE,
            expectState: "Starting",
            set: { taskArn: taskArn("t1") },
          });
        },
      },
    );
    expect(scope?.userId).toBe(ALICE);
    expect(slept).toBe(1);
    expect(await bindAgentTask(s.taskState, { userId: ALICE, taskId: "t2" })).toBeUndefined();
  });
});

describe("the agent $connect on AWS (IAM-authorized)", () => {
  async function starting() {
    const deps = makeDeps();
    const ws = createWebSocketHandler(deps);
    await ws(wsEvent("$connect", "tab1=", { query: { token: "valid:alice" } }));
    await ws(
      wsEvent("$default", "tab1=", {
        body: JSON.stringify({
          type: "chat.send",
          conversationId: "c1",
          clientMessageId: "m1",
          text: "hi",
        }),
      }),
    );
    const secret = deps.taskRunner.starts[0]?.agentSecret ?? "";
    const row = await deps.taskState.get("alice");
    const taskId = row.taskArn?.split("/").at(-1) ?? "";
    const agent = createAgentSocketHandler(deps, undefined, { taskRoleName: ROLE });
    const connect = (userArn: string | undefined, s = secret) =>
      agent({
        ...wsEvent("$connect", "agent1=", { query: { userId: "alice", secret: s } }),
        requestContext: {
          ...wsEvent("$connect", "agent1=").requestContext,
          ...(userArn ? { identity: { userArn } } : {}),
        },
      } as Parameters<typeof agent>[0]);
    return { deps, secret, taskId, connect };
  }

  it("accepts the user's current task with its secret", async () => {
    const { deps, taskId, connect } = await starting();
    expect(taskId).not.toBe("");
    expect((await connect(sessionArn(taskId))).statusCode).toBe(200);
    expect((await deps.taskState.get("alice")).state).toBe("Running");
  });

  it("makes the per-start secret useless alone: another task, another role or no identity is refused", async () => {
    const { deps, taskId, connect } = await starting();
    expect((await connect(sessionArn("someoneelsestask"))).statusCode).toBe(401);
    expect((await connect(sessionArn(taskId, "OtherRole"))).statusCode).toBe(401);
    expect((await connect(undefined)).statusCode).toBe(401);
    // The right task with a wrong secret is refused too.
    expect((await connect(sessionArn(taskId), "wrong-secret-wrong-secret-wrong-secret")).statusCode).toBe(
      401,
    );
    expect((await deps.taskState.get("alice")).state).toBe("Starting");
  });
});

describe("the blob URLs the gateway signs on AWS", () => {
  it("carry no checksum of an empty body (S3 would reject the real upload) and expire in minutes", async () => {
    const env = { ...process.env };
    process.env.AWS_REGION = "us-east-1";
    process.env.AWS_ACCESS_KEY_ID = "AKIAEXAMPLEGATEWAY01";
    process.env.AWS_SECRET_ACCESS_KEY = "gateway-secret";
    try {
      const { blobs } = createAwsStores({
        tables: { conversations: "c", settings: "s", taskState: "t", connections: "n", pending: "p" },
        bucket: "data-bucket",
        secretPrefix: "/serverless-openclaw/",
      });
      const put = new URL(await (blobs as S3BlobStore).signedUrl(`users/${ALICE}/state.tar.gz`, "PUT", 300));
      expect(put.pathname).toBe(`/users/${ALICE}/state.tar.gz`);
      expect(put.searchParams.get("X-Amz-Expires")).toBe("300");
      expect([...put.searchParams.keys()].filter((k) => k.toLowerCase().includes("checksum"))).toEqual([]);
    } finally {
      process.env = env;
    }
  });
});
