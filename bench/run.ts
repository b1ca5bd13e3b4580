// `npm run bench`: every registered bench (bench/registry.ts), full form, one after the other, each in
// a process of its own; the machine's load average at the start and end of each; all of it written to
// bench/results/<date>.json; then the figures sections of docs/performance.md regenerated from that file.
//
//   npm run bench                          all benches, full form
//   npm run bench -- warm-path cold-path   only these (their sections are regenerated, the rest kept)
//   npm run bench -- --smoke               the short forms (what `npm test` runs); docs left alone
//   npm run bench -- --docs-from bench/results/2026-12-06-1405.json   regenerate the docs only
//   options: --results-dir <dir> (default bench/results), --docs <file> (default docs/performance.md, or none),
//            --settle <seconds> (default 180 in the full form, 0 in the short form; see settle())
import { execFileSync, spawn } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { BenchReport } from "./lib/bench";
import { type BenchRun, type ResultsFile, updateDoc } from "./lib/results";
import { BENCHES } from "./registry";

const root = resolve(fileURLToPath(import.meta.url), "../..");
const { values, positionals } = parseArgs({
  options: {
    smoke: { type: "boolean" },
    "results-dir": { type: "string" },
    docs: { type: "string" },
    "docs-from": { type: "string" },
    settle: { type: "string" },
  },
  allowPositionals: true,
});
const smoke = values.smoke === true;
const docsPath = values.docs ?? (smoke ? "none" : join(root, "docs/performance.md"));

async function regenerateDocs(file: ResultsFile, from: string): Promise<void> {
  if (docsPath === "none") return;
  await writeFile(docsPath, updateDoc(await readFile(docsPath, "utf8"), file));
  console.log(`Regenerated the figures in ${docsPath} from ${from}`);
}

function git(...args: string[]): string {
  try {
    return execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
  } catch {
    return "";
  }
}

const load3 = () => loadavg().map((n) => Math.round(n * 100) / 100) as [number, number, number];

/**
 * Waits (up to `--settle` seconds) for the 1-minute load average to fall below half the CPU count
 * before a full-form bench starts. The previous bench's own work keeps the load average up for a minute
 * or two after it ends (it decays with a one-minute time constant), so without this wait every bench
 * after the first would start "loaded" on a quiet machine and be marked so in docs/performance.md.
 * On a machine that stays busy it gives up after the limit and the bench is marked loaded, as before.
 */
async function settle(): Promise<void> {
  const limitS = Number(values.settle ?? (smoke ? 0 : 180));
  if (!Number.isFinite(limitS) || limitS <= 0) return;
  const quiet = cpus().length / 2;
  const t0 = performance.now();
  const load1 = () => loadavg()[0] ?? 0;
  if (load1() < quiet) return;
  console.log(`(waiting up to ${limitS} s for the load average (${load3()[0]}) to fall below ${quiet})`);
  while (load1() >= quiet && performance.now() - t0 < limitS * 1000) {
    await new Promise((r) => setTimeout(r, 2000));
  }
  console.log(`(load average ${load3()[0]} after ${Math.round((performance.now() - t0) / 1000)} s)`);
}

async function runOne(name: string, argv: string[]): Promise<BenchRun> {
  const bench = (await (BENCHES[name] as () => Promise<{ default: import("./lib/bench").Bench }>)()).default;
  const out = join(values["results-dir"] ?? join(root, "bench/results"), `.${name}-${process.pid}.json`);
  await settle();
  const startedAt = new Date().toISOString();
  const start = load3();
  const t0 = performance.now();
  console.log(`\n=== ${name} (${smoke ? "short form" : "full form"}; load average ${start.join(" ")}) ===`);
  const exit = await new Promise<number | null>((done) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(root, "bench/lib/run-one.ts"), name, out, smoke ? "smoke" : "full", ...argv],
      { cwd: root, stdio: "inherit" },
    );
    child.once("exit", (code) => done(code));
  });
  const end = load3();
  let result: { report?: BenchReport; error?: string } = {};
  try {
    result = JSON.parse(await readFile(out, "utf8"));
  } catch {
    result = { error: `the bench process exited with code ${exit} and wrote no result` };
  }
  await rm(out, { force: true });
  return {
    name,
    measures: bench.measures,
    timed: bench.timed !== false,
    smoke,
    argv,
    startedAt,
    durationMs: Math.round(performance.now() - t0),
    loadAverage: { start, end },
    ...result,
  };
}

async function main(): Promise<number> {
  if (values["docs-from"]) {
    const file = JSON.parse(await readFile(values["docs-from"], "utf8")) as ResultsFile;
    await regenerateDocs(file, values["docs-from"]);
    return 0;
  }
  const unknown = positionals.filter((n) => !(n in BENCHES));
  if (unknown.length) {
    console.error(`Unknown bench: ${unknown.join(", ")}. Registered: ${Object.keys(BENCHES).join(", ")}`);
    return 2;
  }
  const names = positionals.length ? positionals : Object.keys(BENCHES);
  const resultsDir = values["results-dir"] ?? join(root, "bench/results");
  await mkdir(resultsDir, { recursive: true });
  const startedAt = new Date();
  const file: ResultsFile = {
    startedAt: startedAt.toISOString(),
    commit: git("rev-parse", "HEAD") || "unknown",
    dirty: git("status", "--porcelain", "--untracked-files=no") !== "",
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    memoryGb: Math.round(totalmem() / 2 ** 30),
    benches: [],
  };
  const stamp = startedAt.toISOString().slice(0, 16).replace(":", "").replace("T", "-");
  const path = join(resultsDir, `${stamp}${smoke ? "-smoke" : ""}.json`);
  for (const name of names) {
    file.benches.push(await runOne(name, []));
    // Written after every bench: an interrupted run keeps what it measured.
    await writeFile(path, `${JSON.stringify(file, null, 2)}\n`);
  }
  console.log(`\nResults: ${path}`);
  await regenerateDocs(file, path);
  const failed = file.benches.filter((b) => b.error || b.report?.problems?.length);
  for (const b of failed) console.error(`FAILED ${b.name}: ${b.error ?? b.report?.problems?.join("; ")}`);
  return failed.length ? 1 : 0;
}

process.exit(await main());
