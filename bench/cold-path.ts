// Cold path: a message sent while the agent is Idle → its first streamed token through the whole local
// stack, for today's path and the variants under test, side by side in one run. Each variant is its
// own local stack (same fake LLM) whose agent task gets that variant's environment; rounds alternate
// the order (A/B, B/A, …) so outside load hits each alike. Per round and variant: first token and the
// per-step breakdown the user sees (the agent.status step events); then median and spread.
// By hand: npx tsx bench/cold-path.ts [rounds=3] [variants=gateway,embedded]; in `npm run bench` the full
// form, in `npm test` one round of the default variant (embedded) without the warm-up round: the
// variants differ only in the agent's environment, and the gateway's cold wake runs in the warm-path
// and load short forms (their first message wakes an Idle agent with OPENCLAW_MODE=gateway).
//   gateway   OPENCLAW_MODE=gateway, the baseline (the default until session 10): `openclaw gateway run`,
//             /readyz, chat completions
//   embedded  OPENCLAW_MODE=embedded, the default: OpenClaw's embedded agent in a host process, no gateway
// On a machine shared with other work, give the run a dedicated CPU slice, as a quiet machine or a
// Fargate task has: bench/support/with-cpus.sh 2 npx tsx bench/cold-path.ts 3
import { Harness, type PushedEvent, until } from "@serverless-openclaw/local/testing";
import { STARTUP_STEPS } from "@serverless-openclaw/shared";
import { startFakeLlm } from "@serverless-openclaw/testkit/fake-llm";
import { arg, defineBench, runIfMain } from "./lib/bench";
import { ms, ratio } from "./lib/stats";
import { median, spread } from "./support/stats";

const VARIANT_ENV: Record<string, Record<string, string>> = {
  gateway: { OPENCLAW_MODE: "gateway" },
  embedded: { OPENCLAW_MODE: "embedded" },
};
type Cold = { firstToken: number; steps: Record<string, number> };

function order(name: string): number {
  const i = STARTUP_STEPS.findIndex((st) => name.startsWith(st));
  return i < 0 ? -1 : i;
}

const bench = defineBench({
  name: "cold-path",
  measures:
    "message while Idle → first token through the whole local stack, per variant of the agent task (`gateway`: `OPENCLAW_MODE=gateway`, the baseline; `embedded`: `OPENCLAW_MODE=embedded`, the default), ratio to the first variant, rounds rotating the order",
  async run(ctx) {
    const ROUNDS = arg(ctx, 0, 3, 1);
    // The short form: one variant, one local stack and one OpenClaw boot less in `npm test`.
    const VARIANTS = (ctx.argv[1] ?? (ctx.smoke ? "embedded" : "gateway,embedded")).split(",");
    for (const v of VARIANTS) if (!VARIANT_ENV[v]) throw new Error(`unknown variant ${v}`);
    const llm = await startFakeLlm();
    const stacks = new Map<string, { h: Harness; run: (round: number) => Promise<Cold> }>();
    const results = new Map<string, Cold[]>(VARIANTS.map((v) => [v, []]));
    try {
      for (const variant of VARIANTS) {
        const h = await Harness.start({
          llm,
          agentEnv: { INACTIVITY_MS: "3600000", ...VARIANT_ENV[variant] },
        });
        stacks.set(variant, { h, run: async () => ({ firstToken: 0, steps: {} }) });
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
      // config change are slower (openclaw.md), and every real user has booted before. The short form
      // skips it: it only has to prove each variant still runs.
      for (let r = ctx.smoke ? 0 : -1; r < ROUNDS; r++) {
        // Rotate the order every round so no variant always runs first after a quiet spell.
        const order = VARIANTS.map((_, i) => VARIANTS[(i + r + 1) % VARIANTS.length] as string);
        for (const variant of order) {
          const cold = await stacks.get(variant)?.run(r);
          if (!cold) continue;
          ctx.log(`round ${r} ${variant.padEnd(8)} first token ${ms(cold.firstToken)}`);
          if (r >= 0) results.get(variant)?.push(cold);
        }
      }
    } finally {
      for (const { h } of stacks.values()) await h.dispose();
      await llm.stop();
    }

    const base = median((results.get(VARIANTS[0] as string) ?? []).map((c) => c.firstToken));
    const summary = VARIANTS.map((variant) => {
      const colds = results.get(variant) ?? [];
      const first = colds.map((c) => c.firstToken);
      const names = [...new Set(colds.flatMap((c) => Object.keys(c.steps)))].sort(
        (a, b) => order(a) - order(b),
      );
      return {
        variant,
        env: VARIANT_ENV[variant],
        firstTokenMs: first,
        medianMs: median(first),
        spreadMs: spread(first),
        ratioToFirstVariant: median(first) / base,
        breakdownMedianMs: Object.fromEntries(
          names.map((n) => [n, median(colds.map((c) => c.steps[n] ?? 0))]),
        ),
      };
    });
    const stepNames = [...new Set(summary.flatMap((v) => Object.keys(v.breakdownMedianMs)))].sort(
      (a, b) => order(a) - order(b),
    );
    return {
      setup:
        `${ROUNDS} round${ROUNDS === 1 ? "" : "s"} per variant${ctx.smoke ? "" : " after one warm-up round each"}, ` +
        "the order rotating; each variant its own local stack with the same fake LLM",
      tables: [
        {
          header: ["variant", "message while Idle → first token, median [min–max]", "ratio"],
          rows: summary.map((v, i) => [
            `${v.variant}${i === 0 ? " (baseline)" : ""}`,
            `${ms(v.medianMs)} [${ms(v.spreadMs[0])}–${ms(v.spreadMs[1])}]`,
            i === 0 ? "1" : `**${ratio(v.ratioToFirstVariant)}**`,
          ]),
        },
        {
          caption: "Breakdown (medians; each step lasts from its `agent.status` event to the next one):",
          header: ["step", ...VARIANTS],
          rows: stepNames.map((n) => [n, ...summary.map((v) => ms(v.breakdownMedianMs[n] ?? Number.NaN))]),
        },
      ],
      data: { rounds: ROUNDS, summary },
    };
  },
});

export default bench;
await runIfMain(bench, import.meta.url);
