import { randomUUID } from "node:crypto";
import {
  type CognitoLocal,
  type DynamoLocal,
  LOCAL_USER_POOL_ID,
  startCognitoLocal,
  startDynamoLocal,
} from "@serverless-openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAwsStores } from "../../src/adapters/aws/aws-stores";
import { CognitoTokenVerifier } from "../../src/adapters/aws/cognito-token-verifier";
import { createTables, type TableNames } from "../../src/adapters/aws/tables";
import { MemorySecretStore } from "../../src/adapters/local/memory-secret-store";
import { createAgentSocketHandler, createHttpApiHandler, createWebSocketHandler } from "../../src/handlers";
import { FakeClock, makeDeps } from "../unit/fakes";
import { httpEvent, wsEvent } from "./events";

/**
 * The handlers on the real stand-ins: DynamoDB Local behind the Dynamo adapters (conditional writes
 * decide the race) and cognito-local issuing the id tokens. ECS is the only fake (FakeTaskRunner).
 * The tables are shared by the tests, which therefore use distinct users or conversations.
 */
let dynamo: DynamoLocal;
let cognito: CognitoLocal;
let verifier: CognitoTokenVerifier;
const tables = tableNames();

function tableNames(): TableNames {
  const suffix = randomUUID().slice(0, 8);
  return {
    conversations: `Conversations-${suffix}`,
    settings: `Settings-${suffix}`,
    taskState: `TaskState-${suffix}`,
    connections: `Connections-${suffix}`,
    pending: `PendingMessages-${suffix}`,
  };
}

beforeAll(async () => {
  [dynamo, cognito] = await Promise.all([startDynamoLocal(), startCognitoLocal()]);
  await createTables(dynamo.client(), tables);
  verifier = new CognitoTokenVerifier({
    userPoolId: LOCAL_USER_POOL_ID,
    clientId: cognito.clientId,
    jwks: await cognito.jwks(),
  });
});

afterAll(async () => {
  await Promise.all([dynamo?.stop(), cognito?.stop()]);
});

async function awsDeps() {
  const client = dynamo.client();
  // DynamoDB Local expires TTL items against the real clock, so the test clock starts at real time:
  // a fixed date hours in the past made it delete the tab's Connections row mid-test.
  const base = makeDeps({ tokenVerifier: verifier, clock: new FakeClock(new Date()) });
  const stores = createAwsStores({
    tables,
    bucket: "unused",
    secretPrefix: "/unused/",
    clients: { dynamo: client },
    clock: base.clock,
  });
  return { ...base, ...stores, secrets: new MemorySecretStore() };
}

describe("gateway handlers on DynamoDB Local and cognito-local", () => {
  it("starts exactly one task when 50 chat.send race on an idle agent", { timeout: 120_000 }, async () => {
    const deps = await awsDeps();
    const ws = createWebSocketHandler(deps);
    const { idToken } = await cognito.login(cognito.user.username, cognito.user.password);
    expect((await ws(wsEvent("$connect", "tab1=", { query: { token: idToken } }))).statusCode).toBe(200);
    const userId = (await deps.connections.get("tab1="))?.userId ?? "";
    expect(userId).not.toBe("");

    const sends = Array.from({ length: 50 }, (_, i) =>
      ws(
        wsEvent("$default", "tab1=", {
          body: JSON.stringify({
            type: "chat.send",
            conversationId: "c1",
            clientMessageId: `m${i}`,
            text: `hi ${i}`,
          }),
        }),
      ),
    );
    const results = await Promise.all(sends);
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    expect(deps.taskRunner.starts).toHaveLength(1);
    expect((await deps.taskState.get(userId)).state).toBe("Starting");
    expect(await deps.pending.list(userId)).toHaveLength(50);
    expect(deps.clientPush.ofType("chat.ack")).toHaveLength(50);

    // The task connects with its secret; the next message goes straight to it.
    const agent = createAgentSocketHandler(deps);
    const secret = deps.taskRunner.starts[0]?.agentSecret ?? "";
    expect((await agent(wsEvent("$connect", "agent1=", { query: { userId, secret } }))).statusCode).toBe(200);
    await ws(
      wsEvent("$default", "tab1=", {
        body: JSON.stringify({
          type: "chat.send",
          conversationId: "c1",
          clientMessageId: "m-late",
          text: "again",
        }),
      }),
    );
    expect(deps.agentPush.to("agent1=")).toEqual([
      expect.objectContaining({
        type: "agent.deliver",
        message: expect.objectContaining({ clientMessageId: "m-late" }),
      }),
    ]);
  });

  it("accepts cognito-local id tokens and rejects its access tokens and other clients' tokens", async () => {
    const deps = await awsDeps();
    const api = createHttpApiHandler(deps);
    const tokens = await cognito.login(cognito.user.username, cognito.user.password);
    expect((await api(httpEvent("GET", "/settings", { token: tokens.idToken }))).statusCode).toBe(200);
    const access = await api(httpEvent("GET", "/settings", { token: tokens.accessToken }));
    expect(access.statusCode).toBe(401);
    expect(JSON.parse(access.body ?? "")).toMatchObject({ error: { code: "TOKEN_INVALID" } });
    const otherClient = new CognitoTokenVerifier({
      userPoolId: LOCAL_USER_POOL_ID,
      clientId: "some-other-client",
      jwks: await cognito.jwks(),
    });
    await expect(otherClient.verify(tokens.idToken)).rejects.toMatchObject({ code: "TOKEN_INVALID" });
  });

  it("keeps users apart on DynamoDB too", async () => {
    const deps = await awsDeps();
    const api = createHttpApiHandler(deps);
    await cognito.createUser("bob", "Passw0rd!bob");
    const alice = (await cognito.login(cognito.user.username, cognito.user.password)).idToken;
    const bob = (await cognito.login("bob", "Passw0rd!bob")).idToken;
    const created = await api(
      httpEvent("POST", "/conversations", {
        token: alice,
        body: { conversationId: "c-iso", title: "Alice's" },
      }),
    );
    expect(created.statusCode).toBe(201);
    expect(JSON.parse((await api(httpEvent("GET", "/conversations", { token: bob }))).body ?? "")).toEqual({
      conversations: [],
    });
    expect((await api(httpEvent("DELETE", "/conversations/c-iso", { token: bob }))).statusCode).toBe(404);
    expect((await api(httpEvent("GET", "/conversations/c-iso/messages", { token: bob }))).statusCode).toBe(
      404,
    );
    expect((await api(httpEvent("GET", "/conversations/c-iso/messages", { token: alice }))).statusCode).toBe(
      200,
    );
  });
});
