// Added latency of the agent task's bridge (pending queue → OpenClaw SSE → coalescing → ClientPush)
// against calling OpenClaw's /v1/chat/completions directly, on the same OpenClaw and the same fake LLM.
// Run: npx tsx bench/container-bridge.ts [turns]
import { randomUUID } from "node:crypto";
import { streamChat } from "../packages/container/src/openclaw-chat";
import { TaskHarness, until } from "../packages/container/tests/support/harness";
import { startFakeLlm } from "../packages/testkit/src/fake-llm";

const TURNS = Number(process.argv[2] ?? 12);
const WARMUP = 2;
const API_KEY = "sk-bench-0000000000000000";

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
  return { median: q(0.5), p95: q(0.95) };
};

const llm = await startFakeLlm({ apiKey: API_KEY });
const h = new TaskHarness();
await h.start();
await h.configure({ provider: "openai-compatible", baseUrl: llm.baseUrl, model: llm.model }, API_KEY);
const tab = await h.addClient();
const run = await h.boot({ inactivityMs: 3_600_000 });
await until("connected", () => h.gateway.connected > 0, 600_000);
const found = run.task.openClawEndpoint();
if (!found) throw new Error("OpenClaw endpoint unknown");
const endpoint = found;

async function viaBridge(text: string): Promise<{ first: number; full: number }> {
  const clientMessageId = randomUUID();
  const t0 = performance.now();
  const m = await h.enqueue(text, "bench-bridge", clientMessageId);
  h.gateway.deliver(m);
  let first = 0;
  await until(
    "final",
    () => {
      const mine = h.push.events.filter(
        (e) => e.connectionId === tab && e.event.clientMessageId === clientMessageId,
      );
      if (!first && mine.some((e) => e.event.type === "chat.delta")) first = performance.now() - t0;
      return mine.some((e) => e.event.type === "chat.final");
    },
    120_000,
  );
  return { first, full: performance.now() - t0 };
}

async function direct(text: string): Promise<{ first: number; full: number }> {
  const t0 = performance.now();
  let first = 0;
  for await (const event of streamChat({
    ...endpoint,
    sessionKey: "bench-direct",
    text,
    signal: AbortSignal.timeout(120_000),
  })) {
    if (event.type === "delta" && !first) first = performance.now() - t0;
  }
  return { first, full: performance.now() - t0 };
}

const results = {
  bridge: { first: [] as number[], full: [] as number[] },
  direct: { first: [] as number[], full: [] as number[] },
};
for (let i = 0; i < TURNS + WARMUP; i++) {
  // Alternate so load from other processes hits both sides alike.
  const order = i % 2 === 0 ? (["direct", "bridge"] as const) : (["bridge", "direct"] as const);
  for (const mode of order) {
    const r = mode === "bridge" ? await viaBridge(`bench turn ${i}`) : await direct(`bench turn ${i}`);
    if (i >= WARMUP) {
      results[mode].first.push(r.first);
      results[mode].full.push(r.full);
    }
  }
}
await run.task.stop("signal");
await h.stop();
await llm.stop();

const fmt = (n: number) => `${n.toFixed(0)} ms`;
for (const metric of ["first", "full"] as const) {
  const b = stats(results.bridge[metric]);
  const d = stats(results.direct[metric]);
  console.log(
    `${metric === "first" ? "first token" : "full turn "}: direct median ${fmt(d.median)} p95 ${fmt(d.p95)} | ` +
      `bridge median ${fmt(b.median)} p95 ${fmt(b.p95)} | ratio median ${(b.median / d.median).toFixed(2)}× p95 ${(b.p95 / d.p95).toFixed(2)}×`,
  );
}
process.exit(0);
