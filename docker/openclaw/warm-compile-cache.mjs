// Runs OpenClaw once at image build time, until it is ready, so Node's compile cache
// (NODE_COMPILE_CACHE) holds the compiled form of every module a boot loads. A task then skips
// most of that work on every cold start. Usage: node warm-compile-cache.mjs <openclaw-home> <cache-dir>
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [home, cacheDir] = process.argv.slice(2);
if (!home || !cacheDir) throw new Error("usage: warm-compile-cache.mjs <openclaw-home> <cache-dir>");
const work = mkdtempSync(join(tmpdir(), "warm-"));
for (const d of ["home", "tmp", "state", "logs"]) mkdirSync(join(work, d));
const token = "build-time-warmup-token";
// The same lean settings the task uses (packages/container/src/openclaw-config.ts), without a model.
writeFileSync(
  join(work, "openclaw.json"),
  JSON.stringify({
    agents: { defaults: { heartbeat: { every: "0m" } } },
    gateway: {
      mode: "local",
      bind: "loopback",
      auth: { mode: "token", token },
      controlUi: { enabled: false },
      http: { endpoints: { chatCompletions: { enabled: true } } },
    },
    models: { catalogRefresh: { enabled: false } },
    update: { checkOnStart: false },
    cron: { enabled: false },
    discovery: { mdns: { mode: "off" } },
    browser: { enabled: false },
    memory: { search: { enabled: false } },
    logging: { file: join(work, "logs", "openclaw.log") },
  }),
);
const port = await new Promise((resolve) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
// One boot to /readyz (or to its exit). OpenClaw gives its state-lease heartbeat a fixed 5 s to start
// and exits 78 during start-up when a starved CPU misses it (docs/performance.md); the task retries that
// exit once, and a build on a busy machine does the same here, up to three boots, each from a new state.
async function boot() {
  const state = mkdtempSync(join(work, "state-"));
  const child = spawn(
    process.execPath,
    [
      join(home, "node_modules/openclaw/openclaw.mjs"),
      "gateway",
      "run",
      "--port",
      String(port),
      "--bind",
      "loopback",
    ],
    {
      stdio: "inherit",
      detached: true,
      env: {
        PATH: process.env.PATH,
        HOME: join(work, "home"),
        TMPDIR: join(work, "tmp"),
        NO_COLOR: "1",
        NODE_COMPILE_CACHE: cacheDir,
        OPENCLAW_CONFIG_PATH: join(work, "openclaw.json"),
        OPENCLAW_STATE_DIR: state,
        OPENCLAW_NO_AUTO_UPDATE: "1",
        OPENCLAW_DISABLE_BONJOUR: "1",
        OPENCLAW_SKIP_CHANNELS: "1",
        OPENCLAW_SKIP_CRON: "1",
        OPENCLAW_SKIP_BROWSER_CONTROL_SERVER: "1",
        OPENCLAW_SKIP_CANVAS_HOST: "1",
        OPENCLAW_SKIP_GMAIL_WATCHER: "1",
      },
    },
  );
  let exited;
  child.once("exit", (code, signal) => {
    exited = { code, signal };
  });
  const deadline = Date.now() + 300_000;
  let ready = false;
  while (!ready && !exited && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
  }
  return { child, ready, exited };
}

let attempt = 1;
let { child, ready, exited } = await boot();
while (exited?.code === 78 && attempt < 3) {
  attempt += 1;
  console.error(`OpenClaw exited 78 during start-up (a start-up limit on a busy CPU); boot ${attempt} of 3`);
  ({ child, ready, exited } = await boot());
}
if (exited) {
  rmSync(work, { recursive: true, force: true });
  throw new Error(
    `OpenClaw exited (code ${exited.code}, signal ${exited.signal}) while warming the compile cache` +
      (Number(process.versions.node.split(".")[0]) < 24
        ? `: it needs Node 24 and this is Node ${process.versions.node}`
        : "; its output is above"),
  );
}
// A clean SIGTERM lets Node flush the compile cache to disk.
process.kill(-child.pid, "SIGTERM");
await new Promise((r) => child.once("exit", r));
rmSync(work, { recursive: true, force: true });
if (!ready) throw new Error("OpenClaw did not become ready while warming the compile cache");
console.log(`compile cache warmed in ${cacheDir}`);
