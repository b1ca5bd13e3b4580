// Boot-to-ready of our agent task (restore ∥ settings, lean config, warm compile cache, connect)
// against a bare `openclaw gateway run` (minimal config, defaults, fresh TMPDIR so Node's compile
// cache starts cold, as in a fresh container without a warmed cache). Run: npx tsx bench/container-boot.ts [rounds]
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveOpenClawRuntime } from "../packages/container/src/openclaw-runtime";
import { freeLoopbackPort } from "../packages/container/src/supervisor";
import { TaskHarness, until } from "../packages/container/tests/support/harness";
import { startFakeLlm } from "../packages/testkit/src/fake-llm";

const ROUNDS = Number(process.argv[2] ?? 3);
const llm = await startFakeLlm();
const runtime = resolveOpenClawRuntime();

async function bare(): Promise<number> {
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
  const child = spawn(
    runtime.node,
    [runtime.entry, "gateway", "run", "--port", String(port), "--bind", "loopback"],
    {
      detached: true,
      stdio: "ignore",
      env: {
        PATH: `${runtime.binDir}:${process.env.PATH}`,
        HOME: join(dir, "home"),
        TMPDIR: join(dir, "tmp"),
        OPENCLAW_CONFIG_PATH: join(dir, "openclaw.json"),
        OPENCLAW_STATE_DIR: join(dir, "state"),
      },
    },
  );
  await until(
    "bare ready",
    () =>
      fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      ),
    600_000,
  );
  const ms = performance.now() - t0;
  process.kill(-(child.pid ?? 0), "SIGTERM");
  await new Promise((r) => child.once("exit", r));
  await rm(dir, { recursive: true, force: true });
  return ms;
}

// The same work dir path on every boot, as an ECS task has (fresh ephemeral storage at a fixed path).
const workDir = join(tmpdir(), `bench-boot-work-${process.pid}`);

async function ours(h: TaskHarness): Promise<number> {
  const t0 = performance.now();
  const run = await h.boot({ inactivityMs: 3_600_000 }, { workDir });
  await until("connected", () => run.task.marks.connected !== undefined, 600_000);
  const ms = performance.now() - t0;
  await run.task.stop("signal");
  return ms;
}

const h = new TaskHarness();
await h.start();
await h.configure(
  { provider: "openai-compatible", baseUrl: llm.baseUrl, model: llm.model },
  "sk-bench-000000",
);
await ours(h); // warms the shared compile cache and leaves state to restore, as a returning user has
const bareMs: number[] = [];
const oursMs: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  bareMs.push(await bare());
  oursMs.push(await ours(h));
}
await h.stop();
await llm.stop();
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
console.log(
  `bare openclaw gateway run → /readyz: ${bareMs.map((m) => m.toFixed(0)).join(", ")} ms (median ${median(bareMs).toFixed(0)})`,
);
console.log(
  `agent task boot → connected:        ${oursMs.map((m) => m.toFixed(0)).join(", ")} ms (median ${median(oursMs).toFixed(0)})`,
);
console.log(`ratio (ours / bare, medians): ${(median(oursMs) / median(bareMs)).toFixed(2)}×  (goal ≤ 0.70×)`);
console.log(`per-round ratios: ${oursMs.map((m, i) => (m / (bareMs[i] ?? m)).toFixed(2)).join(", ")}`);
process.exit(0);
