/**
 * Gateway Lambda bundles: size and cold init per handler.
 *
 *   npx tsx bench/gateway-bundle.ts [runs=7]
 *
 * Each entry in packages/gateway/src/lambda is bundled with esbuild exactly as packages/cdk does it
 * (ESM, minified, node22 target, SDK bundled). Cold init is the time a fresh `node` process takes to
 * import the bundle (module evaluation + building the dependencies, what Lambda's init phase does),
 * printed as a ratio against importing an empty module in the same run, so the numbers compare across
 * machines. Nothing is asserted; read the table.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = resolve(fileURLToPath(import.meta.url), "../..");
const lambdaDir = join(root, "packages/gateway/src/lambda");
const runs = Number(process.argv[2] ?? 7);

/** A complete (dummy) Lambda environment: init builds clients but makes no network call. */
const LAMBDA_ENV: Record<string, string> = {
  TABLE_CONVERSATIONS: "Conversations",
  TABLE_SETTINGS: "Settings",
  TABLE_TASK_STATE: "TaskState",
  TABLE_CONNECTIONS: "Connections",
  TABLE_PENDING: "PendingMessages",
  DATA_BUCKET: "bench-bucket",
  SECRET_PREFIX: "/bench/",
  USER_POOL_ID: "us-east-1_Bench1",
  USER_POOL_CLIENT_ID: "benchclient",
  CLIENT_WS_MANAGEMENT_ENDPOINT: "https://client.execute-api.us-east-1.amazonaws.com/prod",
  AGENT_WS_MANAGEMENT_ENDPOINT: "https://agent.execute-api.us-east-1.amazonaws.com/prod",
  AGENT_WS_URL: "wss://agent.execute-api.us-east-1.amazonaws.com/prod",
  ECS_CLUSTER: "bench",
  TASK_DEFINITION: "bench:1",
  TASK_SUBNETS: "subnet-1",
  TASK_SECURITY_GROUP: "sg-1",
  CONTAINER_NAME: "openclaw",
  TELEGRAM_ENABLED: "true",
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "bench",
  AWS_SECRET_ACCESS_KEY: "bench",
  POWERTOOLS_DEV: "false",
  POWERTOOLS_LOG_LEVEL: "ERROR",
};

function importMs(file: string): number {
  const script = `const t=performance.now();await import(${JSON.stringify(`file://${file}`)});process.stdout.write(String(performance.now()-t));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    env: { PATH: process.env.PATH ?? "", ...LAMBDA_ENV },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"], // the SDK's Node-version warning is noise here
  });
  return Number(out);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main() {
  const out = mkdtempSync(join(tmpdir(), "gateway-bench-"));
  try {
    const baselineFile = join(out, "baseline.mjs");
    writeFileSync(baselineFile, "export const handler = async () => ({ statusCode: 200 });\n");
    const baseline = median(Array.from({ length: runs }, () => importMs(baselineFile)));

    const rows: string[][] = [];
    for (const entry of readdirSync(lambdaDir)
      .filter((f) => f.endsWith(".ts"))
      .sort()) {
      const name = basename(entry, ".ts");
      const outfile = join(out, `${name}.mjs`);
      await build({
        entryPoints: [join(lambdaDir, entry)],
        outfile,
        bundle: true,
        minify: true,
        platform: "node",
        target: "node22",
        format: "esm",
        mainFields: ["module", "main"],
        banner: {
          js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
        },
        logLevel: "error",
      });
      const bytes = statSync(outfile).size;
      const gz = gzipSync(readFileSync(outfile)).length;
      const init = median(Array.from({ length: runs }, () => importMs(outfile)));
      rows.push([
        name,
        `${(bytes / 1024).toFixed(0)} KiB`,
        `${(gz / 1024).toFixed(0)} KiB`,
        `${init.toFixed(0)} ms`,
        `${(init / baseline).toFixed(1)}×`,
      ]);
    }
    const header = ["handler", "bundle", "gzip", "cold init (median)", "vs empty module"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
    console.log(
      `Gateway Lambda bundles (node ${process.version}, ${runs} runs each; empty module imports in ${baseline.toFixed(1)} ms)`,
    );
    console.log(line(header));
    for (const row of rows) console.log(line(row));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

await main();
