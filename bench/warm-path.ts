// Warm path: a web chat turn through the whole local stack (browser-protocol WebSocket → gateway
// handlers → agent task → OpenClaw → streamed back) against the same prompt sent straight to the SAME
// OpenClaw's /v1/chat/completions (the agent's own process, same fake LLM, same run, alternating so
// outside load hits both alike). Median and spread of the added latency to the first and the last token.
// Goal: first-token overhead under 15 ms median. By hand: npx tsx bench/warm-path.ts [turns=30]
// [checkpoints=per-turn|stop-only] (stop-only: the agent's STATE_CHECKPOINTS, to compare the cost of
// the per-turn checkpoint run against run).
import { streamChat } from "@serverless-openclaw/container/openclaw";
import { agentOpenClaw, Harness } from "@serverless-openclaw/local/testing";
import { startFakeLlm } from "@serverless-openclaw/testkit/fake-llm";
import { arg, defineBench, runIfMain } from "./lib/bench";
import { ms, ratio, spread } from "./lib/stats";

// A reply of a few dozen words, streamed word by word with a small gap: a realistic token cadence.
const PROMPT = (i: number) => `[slow:5] [long:300] warm path turn ${i}`;

type Timing = { first: number; last: number };

const bench = defineBench({
  name: "warm-path",
  measures:
    "a web chat turn through the whole local stack vs the same prompt straight to the same OpenClaw process (the agent's own), paired and alternating",
  async run(ctx) {
    const turns = arg(ctx, 0, 30, 2);
    const checkpoints = ctx.argv[1] ?? "per-turn";
    if (checkpoints !== "per-turn" && checkpoints !== "stop-only")
      throw new Error(`argument 2 must be per-turn or stop-only, not ${checkpoints}`);
    const warmup = ctx.smoke ? 0 : 3;
    const llm = await startFakeLlm();
    const h = await Harness.start({
      llm,
      // The gateway: "OpenClaw alone" is its chat completions endpoint, called beside the bridge.
      agentEnv: { INACTIVITY_MS: "3600000", STATE_CHECKPOINTS: checkpoints, OPENCLAW_MODE: "gateway" },
    });
    const stack: Timing[] = [];
    const straight: Timing[] = [];
    let rss = 0;
    try {
      const user = await h.firstUser();
      const tab = await h.connect(user);
      tab.send("bench-warm", "wake", "wake up");
      await tab.waitEnd("wake", 600_000, h.tail);
      const endpoint = agentOpenClaw(h, user.userId);

      const viaStack = async (i: number): Promise<Timing> => {
        const id = `warm-${i}`;
        const t0 = tab.send("bench-warm", id, PROMPT(i));
        const end = await tab.waitEnd(id, 120_000, h.tail);
        if (end.type !== "chat.final") throw new Error(`turn failed: ${JSON.stringify(end)}`);
        const first = tab.of(id, "chat.delta")[0];
        if (!first) throw new Error("no delta");
        return { first: first.at - t0, last: end.at - t0 };
      };
      const direct = async (i: number): Promise<Timing> => {
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
        if (!first) throw new Error("no token straight from OpenClaw");
        return { first, last: performance.now() - t0 };
      };

      for (let i = 0; i < turns + warmup; i++) {
        const directFirst = i % 2 === 0;
        const a = directFirst ? await direct(i) : await viaStack(i);
        const b = directFirst ? await viaStack(i) : await direct(i);
        const [d, s] = directFirst ? [a, b] : [b, a];
        if (i >= warmup) {
          straight.push(d);
          stack.push(s);
          ctx.log(`turn ${i - warmup + 1}/${turns}: first token direct ${ms(d.first)}, stack ${ms(s.first)}`);
        }
      }
      rss = process.memoryUsage().rss / 2 ** 20;
    } finally {
      await h.dispose();
      await llm.stop();
    }

    const row = (k: keyof Timing) => {
      const d = straight.map((x) => x[k]);
      const s = stack.map((x) => x[k]);
      // Added latency per pair (same turn), then its distribution: robust to drift in machine load.
      const added = s.map((x, i) => x - (d[i] as number));
      return {
        direct: spread(d),
        stack: spread(s),
        added: spread(added),
        ratios: spread(s.map((x, i) => x / (d[i] as number))),
      };
    };
    const first = row("first");
    const last = row("last");
    const cells = (name: string, r: typeof first) => [
      name,
      `${ms(r.direct.median)} / ${ms(r.direct.p95)}`,
      `${ms(r.stack.median)} / ${ms(r.stack.p95)}`,
      `**${ms(r.added.median)}** / ${ms(r.added.p95)}`,
      `${ms(r.added.min)} – ${ms(r.added.max)}`,
      ratio(r.ratios.median),
    ];
    return {
      setup: `${turns} paired turns after ${warmup} warm-up turns; each reply ~50 words streamed 5 ms apart; state checkpoints ${checkpoints}`,
      tables: [
        {
          header: [
            "token",
            "OpenClaw direct median / p95",
            "whole stack median / p95",
            "added median / p95 (paired)",
            "added min – max",
            "ratio median",
          ],
          rows: [cells("first", first), cells("last", last)],
        },
        {
          header: ["goal", "result"],
          rows: [
            [
              "first-token overhead < 15 ms median",
              first.added.median < 0
                ? `within noise (${ms(first.added.median)}: the direct side was the slower one)`
                : `${first.added.median < 15 ? "met" : "not met"} (${ms(first.added.median)})`,
            ],
            ["local server process RSS at the end", `${rss.toFixed(0)} MB`],
          ],
        },
      ],
      data: {
        turns,
        warmup,
        checkpoints,
        firstToken: first,
        lastToken: last,
        localServerRssMb: rss,
        straight,
        stack,
      },
    };
  },
});

export default bench;
await runIfMain(bench, import.meta.url);
