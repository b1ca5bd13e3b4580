// What the chat relay costs a bot reply: one Telegram edit of a streamed reply sent (1) the old way, by
// the task with the bot token straight to the Bot API, against (2) the relay: an `agent.relay` frame on
// the task's agent WebSocket to the local server, the real agent socket handler (connection lookup,
// pending-message lookup, handle check), the Bot API call with the gateway's token, and the answer back
// on the socket. Same run, alternating; the Bot API is the tests' fake on loopback.
// Run: npx tsx bench/support/chat-relay.ts [rounds=200]

import { AgentLinkRelay } from "@serverless-openclaw/container/adapters";
import {
  createAgentSocketHandler,
  DEFAULT_GATEWAY_CONFIG,
  type GatewayDeps,
  systemClock,
} from "@serverless-openclaw/gateway";
import { TelegramBotApi } from "@serverless-openclaw/gateway/channels";
import { createMemoryStores } from "@serverless-openclaw/gateway/local";
import { startApiGatewayServer } from "@serverless-openclaw/local/api-gateway-server";
import { createConsoleLogger } from "@serverless-openclaw/local/local-logger";
import { WsClientPush } from "@serverless-openclaw/local/ws-client-push";
import { AgentRelayResultSchema, type RelayHandle } from "@serverless-openclaw/shared";
import { BOT_TOKEN, FakeBotApi } from "@serverless-openclaw/testkit/fake-bot-api";
import WebSocket from "ws";

const ROUNDS = Number(process.argv[2] ?? 200);
const USER = "bench-user-0001";
const CHAT = 4242;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const fake = await new FakeBotApi().start();
const stores = createMemoryStores();
await stores.secrets.put("telegram/bot-token", BOT_TOKEN);
const logger = createConsoleLogger({ level: "silent" });
const inHandler: number[] = [];
const server = await startApiGatewayServer({
  port: 0,
  logger,
  handlers: {
    clientSocket: async () => ({ statusCode: 200 }),
    httpApi: async () => ({ statusCode: 200 }),
    // The agent's $connect is bound to its user here without a start (the relay is what is measured).
    agentSocket: async (event) => {
      const e = event as { requestContext: { routeKey: string; connectionId: string } };
      if (e.requestContext.routeKey === "$connect") {
        await stores.connections.put({
          connectionId: e.requestContext.connectionId,
          userId: USER,
          kind: "agent",
          connectedAt: new Date().toISOString(),
          expiresAt: 4_000_000_000,
        });
        return { statusCode: 200 };
      }
      const t0 = performance.now();
      const out = await handler(event);
      inHandler.push(performance.now() - t0);
      return out;
    },
  },
});
const deps: GatewayDeps = {
  ...stores,
  taskRunner: { run: async () => ({ taskArn: "x" }), stop: async () => undefined } as never,
  clientPush: new WsClientPush(server.client),
  agentPush: new WsClientPush(server.agent),
  tokenVerifier: { verify: async () => undefined } as never,
  clock: systemClock,
  logger,
  config: { ...DEFAULT_GATEWAY_CONFIG, telegramApiRoot: fake.apiRoot },
};
const handler = createAgentSocketHandler(deps);

const pendingId = "2026-12-06T10:00:00.000Z#00000000-0000-4000-8000-000000000001";
await stores.pending.enqueue({
  userId: USER,
  id: pendingId,
  clientMessageId: "m1",
  conversationId: "c",
  text: "hi",
  channel: "telegram",
  replyTo: { channel: "telegram", chatId: CHAT },
  receivedAt: "2026-12-06T10:00:00.000Z",
});

const ws = new WebSocket(server.agentWsUrl);
await new Promise((r) => ws.once("open", r));
const relay = new AgentLinkRelay();
relay.attach((frame) => {
  ws.send(JSON.stringify(frame));
  return true;
});
ws.on("message", (data) => {
  const answer = AgentRelayResultSchema.safeParse(JSON.parse(String(data)));
  if (answer.success) relay.settle(answer.data);
});

const direct = new TelegramBotApi({ token: BOT_TOKEN, apiRoot: fake.apiRoot });
const own = await direct.sendMessage(CHAT, "start", false);
const sent = await relay.call(pendingId, { op: "telegram.send", text: "start", html: false });
const handle = sent.message as RelayHandle;

const td: number[] = [];
const tr: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  let t = performance.now();
  await direct.editMessageText(CHAT, own.message_id, `direct ${i}`, false);
  td.push(performance.now() - t);
  t = performance.now();
  await relay.call(pendingId, { op: "telegram.edit", message: handle, text: `relayed ${i}`, html: false });
  tr.push(performance.now() - t);
}
const d = median(td);
const r = median(tr);
console.log(`chat relay, ${ROUNDS} Telegram edits each, medians (same run, alternating)`);
console.log(`task → Bot API (bot token in the task)      ${d.toFixed(3).padStart(8)} ms`);
console.log(`task → agent socket → relay → Bot API       ${r.toFixed(3).padStart(8)} ms`);
console.log(`  of which in the agent socket handler       ${median(inHandler).toFixed(3).padStart(8)} ms`);
console.log(`added by the relay                          +${(r - d).toFixed(3)} ms  ×${(r / d).toFixed(2)}`);
ws.close();
await server.close();
await fake.stop();
process.exit(0);
