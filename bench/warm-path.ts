// Warm path: a web chat turn through the whole local stack (browser-protocol WebSocket → gateway
// handlers → agent task → OpenClaw → streamed back) against the same prompt sent straight to the SAME
// OpenClaw's /v1/chat/completions (the agent's own process, same fake LLM, same run, alternating so
// outside load hits both alike). Prints median and p95 added latency to the first and the last token.
// Goal: first-token overhead under 15 ms median. Run: npx tsx bench/warm-path.ts [turns=30]
import { mkdir, writeFile } from "node:fs/promises";
import { streamChat } from "../packages/container/src/openclaw-chat";
import { Harness, quantile } from "../packages/local/tests/load/harness";
import { agentOpenClaw } from "../packages/local/tests/load/openclaw-endpoint";
import { startFakeLlm } from "../packages/testkit/src/fake-llm";
import { agentHoursTable } from "./agent-hours";

const TURNS = Number(process.argv[2] ?? 30);
const WARMUP = 3;
// A reply of a few dozen words, streamed word by word with a small gap: a realistic token cadence.
const PROMPT = (i: number) => `[slow:5] [long:300] warm path turn ${i}`;

const llm = await startFakeLlm();
const h = await Harness.start({ llm, agentEnv: { INACTIVITY_MS: "3600000" } });
const user = await h.firstUser();
const tab = await h.connect(user);
tab.send("bench-warm", "wake", "wake up");
await tab.waitEnd("wake", 600_000, h.tail);
const endpoint = agentOpenClaw(h, user.userId);

type Timing = { first: number; last: number };

async function viaStack(i: number): Promise<Timing> {
  const id = `warm-${i}`;
  const t0 = tab.send("bench-warm", id, PROMPT(i));
  const end = await tab.waitEnd(id, 120_000, h.tail);
  if (end.type !== "chat.final") throw new Error(`turn failed: ${JSON.stringify(end)}`);
  const first = tab.of(id, "chat.delta")[0];
  if (!first) throw new Error("no delta");
  return { first: first.at - t0, last: end.at - t0 };
}

async function direct(i: number): Promise<Timing> {
  const t0 = performance.now();
  let first = 0;
  for await (const event of streamChat({
    ...endpoint,
    sessionKey: "bench-direct",
    text: PROMPT(i),
    signal: AbortSignal.timeout(120_000),
  })) {
    if (event.type === "error") throw new Error(event.message);
    if (!first) first = performance.now() - t0;
  }
  return { first, last: performance.now() - t0 };
}

const stack: Timing[] = [];
const straight: Timing[] = [];
for (let i = 0; i < TURNS + WARMUP; i++) {
  const a = i % 2 === 0 ? await direct(i) : await viaStack(i);
  const b = i % 2 === 0 ? await viaStack(i) : await direct(i);
  const [d, s] = i % 2 === 0 ? [a, b] : [b, a];
  if (i >= WARMUP) {
    straight.push(d);
    stack.push(s);
  }
}
const rss = process.memoryUsage().rss / 2 ** 20;
await h.dispose();
await llm.stop();

const pick = (xs: Timing[], k: keyof Timing) => xs.map((x) => x[k]);
const row = (k: keyof Timing) => {
  const d = pick(straight, k);
  const s = pick(stack, k);
  // Added latency per pair (same i), then its distribution: robust to drift in machine load.
  const added = s.map((x, i) => x - (d[i] as number));
  return {
    directMedianMs: quantile(d, 0.5),
    directP95Ms: quantile(d, 0.95),
    stackMedianMs: quantile(s, 0.5),
    stackP95Ms: quantile(s, 0.95),
    addedMedianMs: quantile(added, 0.5),
    addedP95Ms: quantile(added, 0.95),
    ratioMedian: quantile(s, 0.5) / quantile(d, 0.5),
    ratioP95: quantile(s, 0.95) / quantile(d, 0.95),
  };
};
const result = { turns: TURNS, firstToken: row("first"), lastToken: row("last"), localServerRssMb: rss };
const fmt = (n: number) => `${n.toFixed(1)} ms`;
for (const [name, r] of [
  ["first token", result.firstToken],
  ["last token ", result.lastToken],
] as const) {
  console.log(
    `${name}: direct median ${fmt(r.directMedianMs)} p95 ${fmt(r.directP95Ms)} | whole stack median ${fmt(r.stackMedianMs)} p95 ${fmt(r.stackP95Ms)} | ` +
      `added median ${fmt(r.addedMedianMs)} p95 ${fmt(r.addedP95Ms)} | ratio median ${r.ratioMedian.toFixed(2)}× p95 ${r.ratioP95.toFixed(2)}×`,
  );
}
console.log(
  `goal: first-token overhead < 15 ms median → ${result.firstToken.addedMedianMs < 15 ? "met" : "NOT met"} (${fmt(result.firstToken.addedMedianMs)})`,
);
for (const line of agentHoursTable()) console.log(line);
await mkdir("bench/results", { recursive: true });
await writeFile("bench/results/warm-path.json", `${JSON.stringify(result, null, 2)}\n`);
process.exit(0);
