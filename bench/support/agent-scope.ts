// What scoping an agent to its user costs on the paths a turn takes in local mode, against the same
// calls unscoped, in the same run, alternating: (1) a push to a browser tab through the Management
// API (the first token's path: one push per delta), with a fixed server token vs an agent token that
// the server checks against the tab's owner; (2) the store RPC calls of a turn (findReply, putTurn,
// pending.delete), with the fixed token vs a token served through scopeStores.
// Run: npx tsx bench/support/agent-scope.ts [rounds=300]
import { createHash } from "node:crypto";
import WebSocket from "ws";
import { HttpClientPush } from "../../packages/container/src/adapters/http-client-push";
import { createMemoryStores } from "../../packages/gateway/src/adapters/local/embedded-stores";
import { createRpcStores } from "../../packages/gateway/src/adapters/local/rpc-client";
import { createStoreRpcHandler } from "../../packages/gateway/src/adapters/local/rpc-server";
import { AgentTokens, ownClientConnections } from "../../packages/local/src/agent-tokens";
import { startApiGatewayServer } from "../../packages/local/src/api-gateway-server";
import { createConsoleLogger } from "../../packages/local/src/local-logger";

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

const p = await pushes();
const r = await rpcTurns();
const row = (name: string, x: { plain: number; scoped: number }) =>
  `${name.padEnd(40)} ${x.plain.toFixed(3).padStart(8)} ms ${x.scoped.toFixed(3).padStart(8)} ms  ` +
  `+${(x.scoped - x.plain).toFixed(3)} ms  ×${(x.scoped / x.plain).toFixed(2)}`;
console.log(`agent scoping, ${ROUNDS} rounds each, medians (same run, alternating)`);
console.log(`${"".padEnd(40)} ${"unscoped".padStart(11)} ${"scoped".padStart(11)}`);
console.log(row("push to a tab (first-token path)", p));
console.log(row("store calls of one turn (3 calls)", r));
process.exit(0);
