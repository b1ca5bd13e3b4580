// What scoping an agent to its user costs on the paths a turn takes in local mode, against the same
// calls unscoped, in the same run, alternating: (1) a push to a browser tab through the Management
// API (the first token's path: one push per delta), with a fixed server token vs an agent token that
// the server checks against the tab's owner; (2) the store RPC calls of a turn (findReply, putTurn,
// pending.delete), with the fixed token vs a token served through scopeStores. And the AWS path:
// (3) the same turn's store calls and (4) a push, made as the deployed task makes them (its RPC client
// with a SigV4-signing fetch, over loopback HTTP to a stand-in for API Gateway + IAM that verifies the
// signature, then the agent API handler: binding to the TaskState row, scopeStores) vs the same calls
// made directly on the stores, as the task made them before the task role lost its data access.
// Run: npx tsx bench/support/agent-scope.ts [rounds=300]
import { createHash } from "node:crypto";
import { createSignedFetch, HttpClientPush } from "@serverless-openclaw/container/adapters";
import { AgentApiStandin } from "@serverless-openclaw/container/testing";
import type { ClientPush } from "@serverless-openclaw/gateway";
import { createRpcStores } from "@serverless-openclaw/gateway/agent";
import { createMemoryStores, createStoreRpcHandler } from "@serverless-openclaw/gateway/local";
import { AgentTokens, ownClientConnections } from "@serverless-openclaw/local/agent-tokens";
import { startApiGatewayServer } from "@serverless-openclaw/local/api-gateway-server";
import { createConsoleLogger } from "@serverless-openclaw/local/local-logger";
import { AGENT_USER_HEADER } from "@serverless-openclaw/shared";
import WebSocket from "ws";

const ROUNDS = Number(process.argv[2] ?? 300);
const USER = "bench-user-0001";
const stores = createMemoryStores();
const tokens = new AgentTokens();
const agentToken = tokens.issue({
  userId: USER,
  agentSecretHash: createHash("sha256").update("s").digest("hex"),
});
const FIXED = "fixed-server-token-0123456789";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function pushes(): Promise<{ plain: number; scoped: number }> {
  const connected: string[] = [];
  const start = (auth: string | ((t: string, id: string) => Promise<boolean>)) =>
    startApiGatewayServer({
      port: 0,
      logger: createConsoleLogger({ level: "silent" }),
      managementToken: auth,
      handlers: {
        clientSocket: async (event) => {
          if (event.requestContext.routeKey === "$connect") connected.push(event.requestContext.connectionId);
          return { statusCode: 200 };
        },
        agentSocket: async () => ({ statusCode: 200 }),
        httpApi: async () => ({ statusCode: 200 }),
      },
    });
  const plain = await start(FIXED);
  // As local-stack.ts does it: the token's user against the tab's owner.
  const scoped = await start(ownClientConnections(tokens, stores.connections));
  const open = async (server: typeof plain) => {
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/ws`);
    await new Promise((r) => ws.once("open", r));
    return { ws, id: connected.at(-1) as string };
  };
  const a = await open(plain);
  const b = await open(scoped);
  await stores.connections.put({
    connectionId: b.id,
    userId: USER,
    kind: "client",
    connectedAt: new Date().toISOString(),
    expiresAt: 4_000_000_000,
  });
  const viaPlain = new HttpClientPush(plain.url, FIXED);
  const viaScoped = new HttpClientPush(scoped.url, agentToken);
  const tp: number[] = [];
  const ts: number[] = [];
  const event = { type: "chat.delta", clientMessageId: "m", conversationId: "c", seq: 0, text: "hello" };
  for (let i = 0; i < ROUNDS; i++) {
    let t = performance.now();
    if (!(await viaPlain.send(a.id, event))) throw new Error("plain push refused");
    tp.push(performance.now() - t);
    t = performance.now();
    if (!(await viaScoped.send(b.id, event))) throw new Error("scoped push refused");
    ts.push(performance.now() - t);
  }
  a.ws.close();
  b.ws.close();
  await plain.close();
  await scoped.close();
  return { plain: median(tp), scoped: median(ts) };
}

async function rpcTurns(): Promise<{ plain: number; scoped: number }> {
  const over = (auth: string | ((t: string) => ReturnType<AgentTokens["resolve"]>), token: string) => {
    const handle = createStoreRpcHandler(stores, auth);
    return createRpcStores("http://rpc.invalid/_local/rpc", token, {
      fetch: (async (_u: string, init: RequestInit) => {
        const out = await handle((init.headers as Record<string, string>).authorization, String(init.body));
        return new Response(out.body, { status: out.status });
      }) as typeof fetch,
    });
  };
  const plain = over(FIXED, FIXED);
  const scoped = over((t) => tokens.resolve(t), agentToken);
  const turn = async (s: typeof plain, i: number) => {
    const msg = (role: "user" | "assistant") => ({
      conversationId: "c",
      messageId: `m${i}-${role}`,
      clientMessageId: `m${i}`,
      role,
      text: "t",
      channel: "web" as const,
      createdAt: new Date().toISOString(),
    });
    await s.conversations.findReply(USER, "c", `m${i}`);
    await s.conversations.putTurn(USER, msg("user"), msg("assistant"));
    await s.pending.delete(
      USER,
      `2026-12-06T10:00:00.000Z#00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    );
  };
  const tp: number[] = [];
  const ts: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    let t = performance.now();
    await turn(plain, i);
    tp.push(performance.now() - t);
    t = performance.now();
    await turn(scoped, i + ROUNDS);
    ts.push(performance.now() - t);
  }
  return { plain: median(tp), scoped: median(ts) };
}

const turnOf = async (s: ReturnType<typeof createMemoryStores>, i: number) => {
  const msg = (role: "user" | "assistant") => ({
    conversationId: "c",
    messageId: `a${i}-${role}`,
    clientMessageId: `a${i}`,
    role,
    text: "t",
    channel: "web" as const,
    createdAt: new Date().toISOString(),
  });
  await s.conversations.findReply(USER, "c", `a${i}`);
  await s.conversations.putTurn(USER, msg("user"), msg("assistant"));
  await s.pending.delete(
    USER,
    `2026-12-06T10:00:00.000Z#00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
  );
};

async function awsAgentApi(): Promise<{
  turn: { plain: number; scoped: number };
  push: { plain: number; scoped: number };
}> {
  const TASK = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
  const keys = { accessKeyId: "ASIABENCHTASK000001", secretAccessKey: "bench-task-secret-0123456789" };
  const aws = createMemoryStores();
  await aws.taskState.transition({
    userId: USER,
    expectState: "Idle",
    set: { state: "Running", taskArn: `arn:aws:ecs:us-east-1:111122223333:task/c/${TASK}` },
  });
  await aws.connections.put({
    connectionId: "tab-1",
    userId: USER,
    kind: "client",
    connectedAt: new Date().toISOString(),
    expiresAt: 4_000_000_000,
  });
  const sink: ClientPush = { send: async () => true, disconnect: async () => {} };
  const api = new AgentApiStandin(
    aws,
    [{ ...keys, userArn: `arn:aws:sts::111122223333:assumed-role/TaskRole/${TASK}` }],
    { clientPush: sink, taskRoleName: "TaskRole" },
  );
  const url = await api.start();
  const signedFetch = createSignedFetch({
    region: "us-east-1",
    headers: { [AGENT_USER_HEADER]: USER },
    credentials: keys,
  });
  const viaApi = { ...createRpcStores(`${url}/rpc`, undefined, { fetch: signedFetch }) } as ReturnType<
    typeof createMemoryStores
  >;
  const pushViaApi = new HttpClientPush(url, undefined, { path: "connections", fetch: signedFetch });
  const event = { type: "chat.delta", clientMessageId: "m", conversationId: "c", seq: 0, text: "hello" };
  const tp: number[] = [];
  const ts: number[] = [];
  const pp: number[] = [];
  const ps: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    let t = performance.now();
    await turnOf(aws, i);
    tp.push(performance.now() - t);
    t = performance.now();
    await turnOf(viaApi, i + ROUNDS);
    ts.push(performance.now() - t);
    t = performance.now();
    await sink.send("tab-1", event);
    pp.push(performance.now() - t);
    t = performance.now();
    if (!(await pushViaApi.send("tab-1", event))) throw new Error("push refused");
    ps.push(performance.now() - t);
  }
  await api.stop();
  return { turn: { plain: median(tp), scoped: median(ts) }, push: { plain: median(pp), scoped: median(ps) } };
}

const p = await pushes();
const r = await rpcTurns();
const a = await awsAgentApi();
const row = (name: string, x: { plain: number; scoped: number }) =>
  `${name.padEnd(40)} ${x.plain.toFixed(3).padStart(8)} ms ${x.scoped.toFixed(3).padStart(8)} ms  ` +
  `+${(x.scoped - x.plain).toFixed(3)} ms  ×${(x.scoped / x.plain).toFixed(2)}`;
console.log(`agent scoping, ${ROUNDS} rounds each, medians (same run, alternating)`);
console.log(`${"".padEnd(40)} ${"unscoped".padStart(11)} ${"scoped".padStart(11)}`);
console.log(row("push to a tab (first-token path)", p));
console.log(row("store calls of one turn (3 calls)", r));
console.log(`${"AWS agent API (loopback)".padEnd(40)} ${"direct".padStart(11)} ${"via API".padStart(11)}`);
console.log(row("store calls of one turn (3 calls)", a.turn));
console.log(row("push to a tab (first-token path)", a.push));
process.exit(0);
