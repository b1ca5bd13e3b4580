/**
 * Gateway Lambda bundles: size and cold init per handler.
 *
 *   npx tsx bench/gateway-bundle.ts [runs=7]   (or as part of `npm run bench`)
 *
 * Each entry in packages/gateway/src/lambda is bundled with esbuild exactly as packages/cdk does it
 * (ESM, minified, node22 target, SDK bundled). Cold init is the time a fresh `node` process takes to
 * import the bundle (module evaluation + building the dependencies, what Lambda's init phase does),
 * printed as a ratio against importing an empty module in the same run, so the numbers compare across
 * machines. Median and spread over the runs. Nothing is asserted; read the table.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { arg, defineBench, runIfMain } from "./lib/bench";
import { ms, ratio, spread } from "./lib/stats";

const root = resolve(fileURLToPath(import.meta.url), "../..");
const lambdaDir = join(root, "packages/gateway/src/lambda");

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

const bench = defineBench({
  name: "gateway-bundle",
  measures:
    "each Lambda bundled as packages/cdk does it: size, and a fresh `node` importing it (Lambda's init phase) vs importing an empty module",
  async run(ctx) {
    const runs = arg(ctx, 0, 7, 1);
    const out = mkdtempSync(join(tmpdir(), "gateway-bench-"));
    try {
      const baselineFile = join(out, "baseline.mjs");
      writeFileSync(baselineFile, "export const handler = async () => ({ statusCode: 200 });\n");
      const baseline = spread(Array.from({ length: runs }, () => importMs(baselineFile)));
      const handlers: Record<
        string,
        { bytes: number; gzipBytes: number; initMs: ReturnType<typeof spread> }
      > = {};
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
        const initMs = spread(Array.from({ length: runs }, () => importMs(outfile)));
        handlers[name] = {
          bytes: statSync(outfile).size,
          gzipBytes: gzipSync(readFileSync(outfile)).length,
          initMs,
        };
        ctx.log(`${name}: ${ms(initMs.median)}`);
      }
      const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
      return {
        setup: `${runs} fresh \`node\` imports per bundle (node ${process.version}); an empty module imports in ${ms(baseline.median)} median`,
        tables: [
          {
            header: ["handler", "bundle", "gzip", "cold init median (min–max)", "vs empty module"],
            rows: Object.entries(handlers).map(([name, h]) => [
              name,
              kib(h.bytes),
              kib(h.gzipBytes),
              `${ms(h.initMs.median)} (${ms(h.initMs.min)}–${ms(h.initMs.max)})`,
              ratio(h.initMs.median / baseline.median),
            ]),
          },
        ],
        data: { runs, node: process.version, baselineMs: baseline, handlers },
      };
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
});

export default bench;
await runIfMain(bench, import.meta.url);
