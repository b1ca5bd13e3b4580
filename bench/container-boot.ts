// Boot-to-ready of our agent task (restore ∥ settings, lean config, warm compile cache, connect)
// against a bare `openclaw gateway run` (minimal config, defaults, fresh TMPDIR so Node's compile
// cache starts cold, as in a fresh container without a warmed cache), alternating, per-round ratios.
// By hand: npx tsx bench/container-boot.ts [rounds=3]
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeLoopbackPort, resolveOpenClawRuntime } from "@serverless-openclaw/container/openclaw";
import { TaskHarness, until } from "@serverless-openclaw/container/testing";
import { type FakeLlm, startFakeLlm } from "@serverless-openclaw/testkit/fake-llm";
import { startProcess } from "@serverless-openclaw/testkit/process";
import { arg, defineBench, runIfMain } from "./lib/bench";
import { msSpread, ratio, spread } from "./lib/stats";

async function bare(llm: FakeLlm): Promise<number> {
  const runtime = resolveOpenClawRuntime();
  const dir = await mkdtemp(join(tmpdir(), "bench-bare-"));
  for (const d of ["home", "tmp", "state"]) await mkdir(join(dir, d));
  const token = "bench-token-0123456789";
  await writeFile(
    join(dir, "openclaw.json"),
    JSON.stringify({
      models: {
        providers: {
          fake: {
            baseUrl: llm.baseUrl,
            apiKey: "x",
            api: "openai-completions",
            models: [{ id: llm.model, name: llm.model }],
          },
        },
      },
      agents: { defaults: { model: { primary: `fake/${llm.model}` } } },
      gateway: {
        mode: "local",
        bind: "loopback",
        auth: { mode: "token", token },
        http: { endpoints: { chatCompletions: { enabled: true } } },
      },
    }),
  );
  const port = await freeLoopbackPort();
  const t0 = performance.now();
  // testkit's process handling: stop() also reaches OpenClaw's workers that leave the process group.
  const child = startProcess({
    name: "bare OpenClaw",
    command: runtime.node,
    args: [runtime.entry, "gateway", "run", "--port", String(port), "--bind", "loopback"],
    env: {
      PATH: `${runtime.binDir}:${process.env.PATH}`,
      HOME: join(dir, "home"),
      TMPDIR: join(dir, "tmp"),
      OPENCLAW_CONFIG_PATH: join(dir, "openclaw.json"),
      OPENCLAW_STATE_DIR: join(dir, "state"),
    },
  });
  try {
    await until(
      "bare ready",
      () => {
        if (child.exitInfo()) throw new Error(`bare OpenClaw exited:\n${child.tail(30)}`);
        return fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
      },
      600_000,
    );
    return performance.now() - t0;
  } finally {
    await child.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

// The same work dir path on every boot, as an ECS task has (fresh ephemeral storage at a fixed path).
const workDir = () => join(tmpdir(), `bench-boot-work-${process.pid}`);

async function ours(h: TaskHarness): Promise<number> {
  const t0 = performance.now();
  // The gateway, to /readyz and connected: the same work as the bare OpenClaw boot it is compared with.
  const run = await h.boot({ inactivityMs: 3_600_000 }, { workDir: workDir(), openClawMode: "gateway" });
  await until("connected", () => run.task.marks.connected !== undefined, 600_000);
  const ms = performance.now() - t0;
  await run.task.stop("signal");
  return ms;
}

const bench = defineBench({
  name: "container-boot",
  measures:
    "the agent task's boot to connected (restore, lean config, warm compile cache) vs a bare `openclaw gateway run` to `/readyz` with defaults and a cold compile cache",
  async run(ctx) {
    const rounds = arg(ctx, 0, 3, 1);
    const llm = await startFakeLlm();
    const h = new TaskHarness();
    const bareMs: number[] = [];
    const oursMs: number[] = [];
    try {
      await h.start();
      await h.configure(
        { provider: "openai-compatible", baseUrl: llm.baseUrl, model: llm.model },
        "sk-bench-000000",
      );
      // Warms the shared compile cache and leaves state to restore, as a returning user has. The short
      // form skips it: one boot less, and its rounds prove the same code runs.
      if (!ctx.smoke) await ours(h);
      for (let i = 0; i < rounds; i++) {
        // Alternate which goes first, so load from other processes hits both alike.
        let b: number;
        let o: number;
        if (i % 2 === 0) {
          b = await bare(llm);
          o = await ours(h);
        } else {
          o = await ours(h);
          b = await bare(llm);
        }
        bareMs.push(b);
        oursMs.push(o);
        ctx.log(`round ${i + 1}/${rounds}: bare ${b.toFixed(0)} ms, ours ${o.toFixed(0)} ms`);
      }
    } finally {
      await h.stop();
      await llm.stop();
      await rm(workDir(), { recursive: true, force: true });
    }
    const bareSpread = spread(bareMs);
    const oursSpread = spread(oursMs);
    const ratios = spread(oursMs.map((m, i) => m / (bareMs[i] ?? m)));
    return {
      setup: `${rounds} rounds${ctx.smoke ? "" : " after one warm-up boot of ours"}, alternating which boots first`,
      tables: [
        {
          header: ["boot", "median (min–max)", "ratio median (per round min–max)"],
          rows: [
            ["bare `openclaw gateway run` → `/readyz`", msSpread(bareSpread), "1"],
            [
              "agent task boot → connected",
              msSpread(oursSpread),
              `**${ratio(oursSpread.median / bareSpread.median)}** (${ratio(ratios.min)}–${ratio(ratios.max)})`,
            ],
          ],
        },
      ],
      data: { rounds, bareMs, oursMs, ratios },
    };
  },
});

export default bench;
await runIfMain(bench, import.meta.url);
