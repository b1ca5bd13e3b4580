// Cold path: a message sent while the agent is Idle → its first streamed token through the whole local
// stack, for today's path and the variants under test, side by side in one run. Each variant is its
// own local stack (same fake LLM) whose agent task gets that variant's environment; rounds alternate
// the order (A/B, B/A, …) so outside load hits each alike. Per round and variant: first token and the
// per-step breakdown the user sees (the agent.status step events); then median and spread.
// Run: npx tsx bench/cold-path.ts [rounds=3] [variants=gateway,embedded]
//   gateway   today's path, the default: `openclaw gateway run`, /readyz, chat completions
//   embedded  OPENCLAW_MODE=embedded: OpenClaw's embedded agent in a host process, no gateway
// On a machine shared with other work, give the run a dedicated CPU slice, as a quiet machine or a
// Fargate task has: bench/support/with-cpus.sh 2 npx tsx bench/cold-path.ts 3
import { mkdir, writeFile } from "node:fs/promises";
import { Harness, type PushedEvent, until } from "../packages/local/tests/load/harness";
import { STARTUP_STEPS } from "../packages/shared/src/lifecycle";
import { startFakeLlm } from "../packages/testkit/src/fake-llm";
import { agentHoursTable } from "./agent-hours";
import { median, spread } from "./support/stats";

const ROUNDS = Number(process.argv[2] ?? 3);
const VARIANT_ENV: Record<string, Record<string, string>> = {
  gateway: {},
  embedded: { OPENCLAW_MODE: "embedded" },
};
const VARIANTS = (process.argv[3] ?? "gateway,embedded").split(",");
for (const v of VARIANTS) if (!VARIANT_ENV[v]) throw new Error(`unknown variant ${v}`);

const llm = await startFakeLlm();
type Cold = { firstToken: number; steps: Record<string, number> };

const stacks = new Map<string, { h: Harness; run: (round: number) => Promise<Cold> }>();
for (const variant of VARIANTS) {
  const h = await Harness.start({
    llm,
    agentEnv: { INACTIVITY_MS: "3600000", ...VARIANT_ENV[variant] },
  });
  const user = await h.firstUser();
  const tab = await h.connect(user);
  const run = async (round: number): Promise<Cold> => {
    await until(
      "Idle",
      async () => (await h.stack.stores.taskState.get(user.userId)).state === "Idle",
      300_000,
    );
    const id = `cold-${variant}-${round}`;
    const from = tab.events.length;
    // The same conversation every round: a returning user, whose state the task restores.
    const t0 = tab.send("bench-cold", id, `hello ${round}`);
    await tab.waitFor(
      "first token",
      (e) => e.type === "chat.delta" && e.clientMessageId === id,
      600_000,
      h.tail,
    );
    const events = tab.events.slice(from);
    const delta = events.find((e) => e.type === "chat.delta") as PushedEvent;
    // Each step lasts from its status event to the next one; "connecting" lasts until the first token.
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
  };
  stacks.set(variant, { h, run });
}

// Round "-1" is a warm-up per variant: the first boot on a new state dir and the first after a
// config change are slower (openclaw.md), and every real user has booted before.
const results = new Map<string, Cold[]>(VARIANTS.map((v) => [v, []]));
for (let r = -1; r < ROUNDS; r++) {
  // Rotate the order every round so no variant always runs first after a quiet spell.
  const order = VARIANTS.map((_, i) => VARIANTS[(i + r + 1) % VARIANTS.length] as string);
  for (const variant of order) {
    const cold = await stacks.get(variant)?.run(r);
    if (!cold) continue;
    console.log(`round ${r} ${variant.padEnd(6)} first token ${(cold.firstToken / 1000).toFixed(2)} s`);
    if (r >= 0) results.get(variant)?.push(cold);
  }
}
for (const { h } of stacks.values()) await h.dispose();
await llm.stop();

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
function order(name: string): number {
  const i = STARTUP_STEPS.findIndex((st) => name.startsWith(st));
  return i < 0 ? -1 : i;
}
const base = median((results.get(VARIANTS[0] as string) ?? []).map((c) => c.firstToken));
const summary = VARIANTS.map((variant) => {
  const colds = results.get(variant) ?? [];
  const first = colds.map((c) => c.firstToken);
  const names = [...new Set(colds.flatMap((c) => Object.keys(c.steps)))].sort((a, b) => order(a) - order(b));
  return {
    variant,
    env: VARIANT_ENV[variant],
    firstTokenMs: first,
    medianMs: median(first),
    spreadMs: spread(first),
    ratioToFirstVariant: median(first) / base,
    breakdownMedianMs: Object.fromEntries(names.map((n) => [n, median(colds.map((c) => c.steps[n] ?? 0))])),
  };
});
console.log(`\ncold path, message while Idle → first token (median of ${ROUNDS} rounds, [min–max]):`);
for (const v of summary) {
  console.log(
    `${v.variant.padEnd(6)} ${s(v.medianMs)} [${s(v.spreadMs[0])}–${s(v.spreadMs[1])}] ` +
      `${v.ratioToFirstVariant.toFixed(2)}× ${JSON.stringify(v.env)}`,
  );
  for (const [name, ms] of Object.entries(v.breakdownMedianMs))
    console.log(`    ${name.padEnd(34)} ${s(ms)}`);
}
// Boot on Fargate (provisioning + image pull) is longer than here: the table assumes 45 s.
for (const line of agentHoursTable()) console.log(line);
await mkdir("bench/results", { recursive: true });
await writeFile("bench/results/cold-path.json", `${JSON.stringify({ rounds: ROUNDS, summary }, null, 2)}\n`);
process.exit(0);
