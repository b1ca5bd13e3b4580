// Cold path: a message sent while the agent is Idle → its first streamed token through the whole local
// stack, against a bare OpenClaw boot (testkit's startOpenClaw: the same pinned runtime, lean offline
// config) + its first streamed token, as a ratio, with the per-step breakdown the user sees (the
// agent.status step events). Rounds alternate so outside load hits both alike.
// Run: npx tsx bench/cold-path.ts [rounds=2]
import { mkdir, writeFile } from "node:fs/promises";
import { streamChat } from "../packages/container/src/openclaw-chat";
import { Harness, type PushedEvent, quantile, until } from "../packages/local/tests/load/harness";
import { STARTUP_STEPS } from "../packages/shared/src/lifecycle";
import { startFakeLlm } from "../packages/testkit/src/fake-llm";
import { startOpenClaw } from "../packages/testkit/src/openclaw";
import { agentHoursTable } from "./agent-hours";

const ROUNDS = Number(process.argv[2] ?? 2);
const llm = await startFakeLlm();

async function bare(): Promise<number> {
  const t0 = performance.now();
  const claw = await startOpenClaw({ llmBaseUrl: llm.baseUrl, timeoutMs: 600_000 });
  try {
    for await (const event of streamChat({
      baseUrl: claw.baseUrl,
      token: claw.token,
      sessionKey: "bench-cold",
      text: "hello",
      signal: AbortSignal.timeout(300_000),
    })) {
      if (event.type === "error") throw new Error(event.message);
      return performance.now() - t0;
    }
    throw new Error("no token");
  } finally {
    await claw.stop();
  }
}

const h = await Harness.start({ llm, agentEnv: { INACTIVITY_MS: "3600000" } });
const user = await h.firstUser();
const tab = await h.connect(user);

type Cold = { firstToken: number; steps: Record<string, number> };

async function ours(round: number): Promise<Cold> {
  await until(
    "Idle",
    async () => (await h.stack.stores.taskState.get(user.userId)).state === "Idle",
    300_000,
  );
  const id = `cold-${round}`;
  const from = tab.events.length;
  const t0 = tab.send("bench-cold", id, "hello");
  await tab.waitFor(
    "first token",
    (e) => e.type === "chat.delta" && e.clientMessageId === id,
    600_000,
    h.tail,
  );
  const events = tab.events.slice(from);
  const delta = events.find((e) => e.type === "chat.delta") as PushedEvent;
  // Each step lasts from its status event to the next one; "ready" lasts until the first token.
  const marks = events.filter((e) => e.type === "agent.status" && typeof e.step === "string");
  const steps: Record<string, number> = {};
  let prev = t0;
  let prevStep = "send → first status";
  for (const m of marks) {
    steps[prevStep] = (steps[prevStep] ?? 0) + (m.at - prev);
    prev = m.at;
    prevStep = String(m.step);
  }
  steps[`${prevStep} → first token`] = delta.at - prev;
  await tab.waitEnd(id, 120_000, h.tail);
  // Back to Idle for the next round, the way the Settings page's stop button does it.
  const res = await fetch(`${h.stack.apiUrl}/agent/stop`, {
    method: "POST",
    headers: { authorization: `Bearer ${user.token}` },
  });
  if (res.status >= 300) throw new Error(`stop: ${res.status}`);
  return { firstToken: delta.at - t0, steps };
}

const bares: number[] = [];
const colds: Cold[] = [];
for (let r = 0; r < ROUNDS; r++) {
  if (r % 2 === 0) {
    bares.push(await bare());
    colds.push(await ours(r));
  } else {
    colds.push(await ours(r));
    bares.push(await bare());
  }
}
await h.dispose();
await llm.stop();

const med = (xs: number[]) => quantile(xs, 0.5);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const stepNames = [...new Set(colds.flatMap((c) => Object.keys(c.steps)))].sort(
  (a, b) => order(a) - order(b),
);
function order(name: string): number {
  const i = STARTUP_STEPS.findIndex((st) => name.startsWith(st));
  return i < 0 ? -1 : i;
}
const breakdown = Object.fromEntries(stepNames.map((n) => [n, med(colds.map((c) => c.steps[n] ?? 0))]));
const result = {
  rounds: ROUNDS,
  bareBootFirstTokenMs: bares,
  stackFirstTokenMs: colds.map((c) => c.firstToken),
  ratioMedian: med(colds.map((c) => c.firstToken)) / med(bares),
  breakdownMedianMs: breakdown,
};
console.log(
  `cold path (median of ${ROUNDS}): message while Idle → first token ${s(med(result.stackFirstTokenMs))} | ` +
    `bare OpenClaw boot + first token ${s(med(bares))} | ratio ${result.ratioMedian.toFixed(2)}×`,
);
for (const [name, ms] of Object.entries(breakdown)) console.log(`  ${name.padEnd(34)} ${s(ms)}`);
// Boot on Fargate (provisioning + image pull) is longer than here: the table assumes 45 s.
for (const line of agentHoursTable()) console.log(line);
await mkdir("bench/results", { recursive: true });
await writeFile("bench/results/cold-path.json", `${JSON.stringify(result, null, 2)}\n`);
process.exit(0);
