// OpenClaw alone, from a restored state to the first streamed token, in the variants the cold path
// could take, interleaved in one run (A/B/C, B/C/A, …) so outside load hits each alike:
//   gateway    today's path: `openclaw gateway run` with the task's own config → /readyz → chat
//   embedded   OpenClaw's embedded agent (`openclaw agent --local`'s code) as a library call in a
//              fresh Node 24 process, streaming (bench/support/embedded-turn.mjs), as
//              OPENCLAW_MODE=embedded runs it
//   …+warn     either, with session.maintenance.mode "warn" (tried and not kept: docs/performance.md)
//   …+semi     embedded with a 64 MB young generation (--max-semi-space-size; tried and not kept)
//   …+bundle   embedded, loading OpenClaw's agent entry from one esbuild bundle of it and everything it
//              reaches (scripts/openclaw-bundle.mjs), built once per run into a hard-linked copy of
//              the package; …+split the same with esbuild's code splitting (one chunk per dynamic
//              import). With either, every embedded variant first gets one unrecorded warm-up turn to
//              fill the compile cache (tried and not kept: docs/performance.md)
// Every round starts from a fresh copy of one seeded state dir (a conversation with one turn), as a
// task does after restoring the archive, with the persistent compile cache the image bakes.
// A variant may end in @<vCPUs> (gateway@0.5): its processes then run in a cgroup (v1 cpu
// controller, root needed) with that CFS quota, like a Fargate task size, and a high cpu.shares so the
// machine's other load does not eat into it (Fargate's vCPUs are the task's own).
// By hand: npx tsx bench/openclaw-first-token.ts [rounds=3] [variants=gateway,embedded]
// With BENCH_CPU_PROF=<dir> each embedded process writes a V8 CPU profile there; summarise one with
// node bench/support/cpu-profile.mjs <file> (where the first turn's time goes, and what it waits on).
// (the short form in `npm test`: one round of each default variant, the gateway's being the seeding
// boot itself: one OpenClaw boot less).
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, rm, rmdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { buildOpenClawConfig, leanBootEnv, streamChat } from "@serverless-openclaw/container/openclaw";
import { freePort } from "@serverless-openclaw/testkit";
import { type FakeLlm, startFakeLlm } from "@serverless-openclaw/testkit/fake-llm";
import { openclawRuntime, REPO_ROOT } from "@serverless-openclaw/testkit/openclaw";
import { arg, defineBench, runIfMain } from "./lib/bench";
import { ms, ratio } from "./lib/stats";
import { median, spread } from "./support/stats";

const DEFAULT_VARIANTS = "gateway,embedded";
const SESSION = "bench-conv";
const runtime = openclawRuntime();
const pkgDir = dirname(runtime.openclawEntry);
const compileCache = join(REPO_ROOT, ".cache", "node-compile-cache");
/** The entry files the `+bundle` / `+split` variants load (built in run() when one is asked for). */
const bundleFiles = new Map<"bundle" | "split", string>();

/** A hard-linked copy of the runtime (no bytes copied) with the bundle written into its dist/. */
async function buildBundle(root: string, kind: "bundle" | "split", log: (line: string) => void) {
  const copy = join(root, `runtime-${kind}`);
  await promisify(execFile)("cp", ["-al", runtime.dir, copy]);
  const t0 = performance.now();
  const { stdout } = await promisify(execFile)(process.execPath, [
    join(REPO_ROOT, "scripts", "openclaw-bundle.mjs"),
    join(copy, "node_modules", "openclaw"),
    ...(kind === "split" ? ["--split"] : []),
  ]);
  const out = JSON.parse(stdout) as { file: string; bytes: number; modules: number; files: number };
  log(
    `${kind}: ${out.modules} modules → ${out.files} file(s), ${(out.bytes / 2 ** 20).toFixed(1)} MiB, in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  bundleFiles.set(kind, out.file);
}

interface Sample {
  variant: string;
  firstLineMs?: number;
  readyMs?: number;
  importedMs?: number;
  firstTokenMs: number;
  reply?: string;
}

async function prepare(llm: FakeLlm, dir: string, warn: boolean) {
  const token = randomBytes(24).toString("base64url");
  const layout = {
    state: join(dir, "state"),
    config: join(dir, "openclaw.json"),
    home: join(dir, "home"),
    tmp: join(dir, "tmp"),
    log: join(dir, "logs", "openclaw.log"),
  };
  await Promise.all([layout.home, layout.tmp, dirname(layout.log)].map((d) => mkdir(d, { recursive: true })));
  const { config, env } = buildOpenClawConfig({
    llm: { provider: "openai-compatible", model: "fake-model", baseUrl: llm.baseUrl, source: "settings" },
    gatewayToken: token,
    logFile: layout.log,
  });
  if (warn) config.session = { maintenance: { mode: "warn" } };
  await writeFile(layout.config, JSON.stringify(config));
  const childEnv: Record<string, string> = {
    PATH: `${dirname(runtime.nodeBin)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: layout.home,
    TMPDIR: layout.tmp,
    NO_COLOR: "1",
    OPENCLAW_CONFIG_PATH: layout.config,
    OPENCLAW_STATE_DIR: layout.state,
    NODE_COMPILE_CACHE: compileCache,
    ...leanBootEnv(),
    ...env,
  };
  return { token, layout, childEnv };
}

const CPU_CGROUP_ROOT = "/sys/fs/cgroup/cpu";
const cgroups = new Map<string, string>();

/** A cgroup (v1 cpu) capped at `cpus` vCPUs; made once per size, removed at the end. */
async function cgroupFor(cpus: number): Promise<string> {
  const known = cgroups.get(String(cpus));
  if (known) return known;
  if (!existsSync(join(CPU_CGROUP_ROOT, "cpu.cfs_quota_us")))
    throw new Error(`@<vCPUs> variants need the cgroup v1 cpu controller at ${CPU_CGROUP_ROOT} (and root)`);
  const dir = join(CPU_CGROUP_ROOT, `bench-task-size-${process.pid}-${String(cpus).replace(".", "_")}`);
  await mkdir(dir);
  const period = 100_000;
  await writeFile(join(dir, "cpu.cfs_period_us"), String(period));
  await writeFile(join(dir, "cpu.cfs_quota_us"), String(Math.round(cpus * period)));
  await writeFile(join(dir, "cpu.shares"), "262144");
  cgroups.set(String(cpus), dir);
  return dir;
}

/** Spawns `command` inside the variant's cgroup, if it has a CPU size; in its own process group. */
function spawnIn(
  cgroup: string | undefined,
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
) {
  const opts = {
    ...options,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"] as ["ignore", "pipe", "pipe"],
  };
  if (!cgroup) return spawn(command, args, opts);
  // The shell joins the cgroup, then execs: every process OpenClaw starts stays inside it.
  return spawn(
    "/bin/sh",
    ["-c", `echo $$ > ${cgroup}/cgroup.procs && exec "$@"`, "sh", command, ...args],
    opts,
  );
}

function lines(child: ReturnType<typeof spawn>, onLine: (line: string, at: number) => void) {
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on("line", (l) => onLine(l, performance.now()));
  }
}

async function stopChild(child: ReturnType<typeof spawn>) {
  if (child.exitCode !== null || !child.pid) return;
  const exited = new Promise((r) => child.once("exit", r));
  process.kill(-child.pid, "SIGTERM");
  const timer = setTimeout(() => child.pid && process.kill(-child.pid, "SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

async function gateway(
  llm: FakeLlm,
  dir: string,
  warn: boolean,
  text: string,
  cgroup?: string,
): Promise<Sample> {
  const { token, childEnv } = await prepare(llm, dir, warn);
  const port = await freePort();
  const t0 = performance.now();
  const child = spawnIn(
    cgroup,
    runtime.nodeBin,
    [runtime.openclawEntry, "gateway", "run", "--port", String(port), "--bind", "loopback"],
    { cwd: dir, env: childEnv },
  );
  let firstLine: number | undefined;
  const tail: string[] = [];
  lines(child, (l, at) => {
    firstLine ??= at - t0;
    tail.push(l);
    if (tail.length > 40) tail.shift();
  });
  try {
    const baseUrl = `http://127.0.0.1:${port}`;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`gateway exited ${child.exitCode}:\n${tail.join("\n")}`);
      const ok = await fetch(`${baseUrl}/readyz`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const ready = performance.now() - t0;
    let reply = "";
    let first: number | undefined;
    for await (const e of streamChat({
      baseUrl,
      token,
      sessionKey: SESSION,
      text,
      signal: AbortSignal.timeout(600_000),
    })) {
      if (e.type === "error") throw new Error(e.message);
      first ??= performance.now() - t0;
      reply += e.text;
    }
    if (first === undefined) throw new Error("no token");
    return {
      variant: warn ? "gateway+warn" : "gateway",
      firstLineMs: firstLine,
      readyMs: ready,
      firstTokenMs: first,
      reply,
    };
  } finally {
    await stopChild(child);
  }
}

/** BENCH_CPU_PROF=<dir>: the embedded variant writes a V8 CPU profile there (where its first turn goes). */
function profileArgs(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [];
}

async function embedded(
  llm: FakeLlm,
  dir: string,
  warn: boolean,
  text: string,
  cgroup?: string,
  nodeArgs: string[] = [],
  extraEnv: Record<string, string> = {},
): Promise<Sample> {
  const { childEnv } = await prepare(llm, dir, warn);
  Object.assign(childEnv, extraEnv);
  const t0 = Date.now();
  const child = spawnIn(
    cgroup,
    runtime.nodeBin,
    [
      ...nodeArgs,
      ...profileArgs(),
      join(REPO_ROOT, "bench", "support", "embedded-turn.mjs"),
      pkgDir,
      SESSION,
      text,
    ],
    { cwd: dir, env: childEnv },
  );
  const marks: Record<string, number> = {};
  let reply: string | undefined;
  const tail: string[] = [];
  lines(child, (l) => {
    tail.push(l);
    if (tail.length > 40) tail.shift();
    if (!l.startsWith('{"event"')) return;
    const m = JSON.parse(l) as { event: string; ms: number; origin: number; text?: string };
    marks[m.event] = m.origin + m.ms - t0;
    if (m.text !== undefined) reply = m.text;
  });
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  if (marks["first-token"] === undefined)
    throw new Error(`embedded turn failed (${code}):\n${tail.join("\n")}`);
  return {
    variant: warn ? "embedded+warn" : "embedded",
    importedMs: marks.imported,
    // From the process start, or from the message when it was held back (+after<s>).
    firstTokenMs: marks["first-token"] - (extraEnv.BENCH_MESSAGE_AFTER_MS ? (marks.message ?? 0) : 0),
    reply,
  };
}

async function runVariant(llm: FakeLlm, variant: string, dir: string, text: string): Promise<Sample> {
  const [kind = "", cpus] = variant.split("@");
  const warn = kind.includes("+warn");
  // +semi: a larger young generation (fewer scavenges while OpenClaw loads; tried, see performance.md).
  const nodeArgs = kind.includes("+semi") ? ["--max-semi-space-size=64"] : [];
  // +preload: the host's background import of the agent command's lazy chunks; +after<s>: the message
  // comes <s> seconds after OpenClaw was imported (a pre-warmed task), first token timed from it.
  const after = /\+after(\d+)/.exec(kind)?.[1];
  const extraEnv = {
    ...(kind.includes("+preload") ? { BENCH_PRELOAD: "1" } : {}),
    ...(after ? { BENCH_MESSAGE_AFTER_MS: String(Number(after) * 1000) } : {}),
    ...(kind.includes("+bundle") ? { BENCH_BUNDLE: bundleFiles.get("bundle") ?? "" } : {}),
    ...(kind.includes("+split") ? { BENCH_BUNDLE: bundleFiles.get("split") ?? "" } : {}),
  };
  const cgroup = cpus ? await cgroupFor(Number(cpus)) : undefined;
  const sample = kind.startsWith("embedded")
    ? await embedded(llm, dir, warn, text, cgroup, nodeArgs, extraEnv)
    : await gateway(llm, dir, warn, text, cgroup);
  return { ...sample, variant };
}

const bench = defineBench({
  name: "openclaw-first-token",
  measures:
    "OpenClaw alone, from a restored state (one earlier turn) to the first streamed token: `openclaw gateway run` → /readyz → chat (the baseline) vs OpenClaw's embedded agent as a library call in a fresh process, interleaved in one run",
  async run(ctx) {
    const rounds = arg(ctx, 0, 3, 1);
    const variants = (ctx.argv[1] ?? DEFAULT_VARIANTS).split(",");
    const llm = await startFakeLlm();
    const root = await mkdtemp(join(tmpdir(), "bench-first-token-"));
    const samples: Sample[] = [];
    const failures: Array<{ round: number; variant: string; message: string }> = [];
    try {
      // Seed: one turn through today's gateway, so every round restores a state that has a conversation
      // (and the compile cache is warm, as in the image).
      const seed = join(root, "seed");
      ctx.log("seeding the state (one gateway boot and turn)…");
      const seeded = await gateway(llm, seed, false, "seed message");
      // The short form only proves each variant runs: the seeding boot is the gateway's round (the same
      // code, from an empty state dir instead of the restored one), which saves `npm test` a boot.
      const seedIsGatewayRound = ctx.smoke && variants.includes("gateway");
      const kinds = (["bundle", "split"] as const).filter((k) => variants.some((v) => v.includes(`+${k}`)));
      for (const kind of kinds) await buildBundle(root, kind, ctx.log);
      if (kinds.length > 0) {
        // The bundle is a new file to the compile cache: one turn fills it, as the image build would;
        // every other embedded variant gets its warm-up turn too, so both start from a warm cache.
        for (const variant of variants.filter((v) => v.startsWith("embedded"))) {
          const warm = join(root, `warm-${variant}`);
          await cp(join(seed, "state"), join(warm, "state"), { recursive: true });
          await runVariant(llm, variant, warm, "warm-up");
          await rm(warm, { recursive: true, force: true });
        }
      }

      for (let r = 0; r < rounds; r++) {
        // Rotate the order every round so no variant always runs first after a quiet spell.
        const order = variants.map((_, i) => variants[(i + r) % variants.length] as string);
        for (const variant of order) {
          if (r === 0 && seedIsGatewayRound && variant === "gateway") {
            samples.push(seeded);
            ctx.log(
              `round 0 gateway (the seeding boot) first token ${(seeded.firstTokenMs / 1000).toFixed(2)} s`,
            );
            continue;
          }
          const dir = join(root, `r${r}-${variant}`);
          await cp(join(seed, "state"), join(dir, "state"), { recursive: true });
          // OpenClaw itself can fail to start on an overloaded machine ("state lease heartbeat did not
          // become ready", its own 5 s limit): such a round is recorded as a failure, not as a time.
          const sample = await runVariant(llm, variant, dir, `round ${r}`).catch((err: unknown) => {
            const lines = (err instanceof Error ? err.message : String(err)).split("\n");
            const message = lines[0];
            ctx.log(
              `round ${r} ${variant.padEnd(14)} FAILED: ${lines.slice(0, 1).concat(lines.slice(-8)).join("\n  ")}`,
            );
            failures.push({ round: r, variant, message: String(message) });
            return undefined;
          });
          await rm(dir, { recursive: true, force: true });
          if (!sample) continue;
          samples.push(sample);
          ctx.log(
            `round ${r} ${variant.padEnd(14)} first token ${(sample.firstTokenMs / 1000).toFixed(2)} s` +
              (sample.readyMs
                ? ` (first log line ${((sample.firstLineMs ?? 0) / 1000).toFixed(2)} s, ready ${(sample.readyMs / 1000).toFixed(2)} s)`
                : "") +
              (sample.importedMs ? ` (imported ${(sample.importedMs / 1000).toFixed(2)} s)` : "") +
              ` reply: ${JSON.stringify(sample.reply?.slice(0, 80))}`,
          );
        }
      }
    } finally {
      await llm.stop();
      await rm(root, { recursive: true, force: true });
      bundleFiles.clear();
      for (const dir of cgroups.values()) await rmdir(dir).catch(() => undefined);
      cgroups.clear();
    }

    const base = median(samples.filter((s) => s.variant === variants[0]).map((s) => s.firstTokenMs));
    const summary = variants.map((variant) => {
      const of = samples.filter((s) => s.variant === variant);
      const first = of.map((s) => s.firstTokenMs);
      const pick = (k: keyof Sample) => {
        const xs = of.map((s) => s[k]).filter((x): x is number => typeof x === "number");
        return xs.length ? median(xs) : undefined;
      };
      return {
        variant,
        firstTokenMedianMs: median(first),
        firstTokenSpreadMs: spread(first),
        ratioToBaseline: median(first) / base,
        failed: failures.filter((f) => f.variant === variant).length,
        firstLogLineMedianMs: pick("firstLineMs"),
        readyMedianMs: pick("readyMs"),
        importedMedianMs: pick("importedMs"),
        samplesMs: first,
      };
    });
    // A round that failed is a figure of the machine's load; a variant that never answered is a broken bench.
    const problems = summary
      .filter((s) => s.samplesMs.length === 0)
      .map(
        (s) => `${s.variant}: no round answered (${failures.find((f) => f.variant === s.variant)?.message})`,
      );
    const opt = (x: number | undefined) => (x === undefined ? "–" : ms(x));
    return {
      setup: ctx.smoke
        ? `${rounds} round(s) of ${variants.join(", ")}; the short form: the seeding boot (an empty state) is the gateway's round`
        : `${rounds} round(s) of ${variants.join(", ")}, order rotated every round, after one seeding boot`,
      tables: [
        {
          header: [
            "variant",
            "first token median (min–max)",
            `ratio to ${variants[0]}`,
            "first log line",
            "/readyz",
            "imported",
            "failed rounds",
          ],
          rows: summary.map((s) => [
            s.variant,
            `${ms(s.firstTokenMedianMs)} (${ms(s.firstTokenSpreadMs[0])}–${ms(s.firstTokenSpreadMs[1])})`,
            s.variant === variants[0] ? "1" : `**${ratio(s.ratioToBaseline)}**`,
            opt(s.firstLogLineMedianMs),
            opt(s.readyMedianMs),
            opt(s.importedMedianMs),
            String(s.failed),
          ]),
        },
      ],
      data: { rounds, variants, summary, samples, failures },
      problems,
    };
  },
});

export default bench;
await runIfMain(bench, import.meta.url);
