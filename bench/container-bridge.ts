// Added latency of the agent task's bridge (pending queue → OpenClaw SSE → coalescing → ClientPush)
// against calling OpenClaw's /v1/chat/completions directly, on the same OpenClaw and the same fake LLM,
// alternating. By hand: npx tsx bench/container-bridge.ts [turns=12]
import { randomUUID } from "node:crypto";
import { streamChat } from "@serverless-openclaw/container/openclaw";
import { TaskHarness, until } from "@serverless-openclaw/container/testing";
import { arg, defineBench, runIfMain } from "./lib/bench";
import { ms, ratio, spread } from "./lib/stats";
import { bootConnected } from "./lib/task-boot";

const API_KEY = "sk-bench-0000000000000000";

const bench = defineBench({
  name: "container-bridge",
  measures:
    "a turn through the agent task's bridge (pending queue → OpenClaw → coalescing → push) vs the same prompt straight to the same OpenClaw, alternating",
  async run(ctx) {
    const turns = arg(ctx, 0, 12, 2);
    const warmup = ctx.smoke ? 0 : 2;
    const h = new TaskHarness();
    const results = {
      bridge: { first: [] as number[], full: [] as number[] },
      direct: { first: [] as number[], full: [] as number[] },
    };
    try {
      await h.start();
      await h.useFakeLlm(API_KEY);
      const tab = await h.addClient();
      // The gateway: "direct" is its chat completions endpoint.
      const run = await bootConnected(h, ctx, () =>
        h.boot({ inactivityMs: 3_600_000 }, { openClawMode: "gateway" }),
      );
      try {
        const found = run.task.openClawEndpoint();
        if (!found) throw new Error("OpenClaw endpoint unknown");
        const endpoint = found;

        const viaBridge = async (text: string): Promise<{ first: number; full: number }> => {
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
        };
        const direct = async (text: string): Promise<{ first: number; full: number }> => {
          const t0 = performance.now();
          let first = 0;
          for await (const event of streamChat({
            ...endpoint,
            sessionKey: "bench-direct",
            text,
            signal: AbortSignal.timeout(120_000),
          })) {
            if (event.type === "error") throw new Error(event.message);
            if (event.type === "delta" && !first) first = performance.now() - t0;
          }
          return { first, full: performance.now() - t0 };
        };

        for (let i = 0; i < turns + warmup; i++) {
          // Alternate so load from other processes hits both sides alike.
          const order = i % 2 === 0 ? (["direct", "bridge"] as const) : (["bridge", "direct"] as const);
          for (const mode of order) {
            const r =
              mode === "bridge" ? await viaBridge(`bench turn ${i}`) : await direct(`bench turn ${i}`);
            if (i >= warmup) {
              results[mode].first.push(r.first);
              results[mode].full.push(r.full);
            }
          }
        }
      } finally {
        await run.task.stop("signal");
      }
    } finally {
      await h.stop();
    }

    const rows = (["first", "full"] as const).map((metric) => {
      const b = spread(results.bridge[metric]);
      const d = spread(results.direct[metric]);
      const added = spread(results.bridge[metric].map((x, i) => x - (results.direct[metric][i] as number)));
      return [
        metric === "first" ? "first token" : "full turn",
        `${ms(d.median)} / ${ms(d.p95)}`,
        `${ms(b.median)} / ${ms(b.p95)}`,
        `**${ms(added.median)}** (${ms(added.min)} – ${ms(added.max)})`,
        ratio(b.median / d.median),
      ];
    });
    return {
      setup: `${turns} turns each way after ${warmup} warm-up turns, alternating`,
      tables: [
        {
          header: [
            "measure",
            "OpenClaw direct median / p95",
            "through the bridge median / p95",
            "added median (min – max, paired)",
            "ratio of medians",
          ],
          rows,
        },
      ],
      data: { turns, warmup, ...results },
    };
  },
});

export default bench;
await runIfMain(bench, import.meta.url);
