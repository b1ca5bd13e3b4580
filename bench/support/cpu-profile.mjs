// Summarises a V8 CPU profile (`node --cpu-prof`, e.g. the embedded variant of
// bench/openclaw-first-token.ts run with BENCH_CPU_PROF=<dir>): where the main thread's time went,
// and for how long it sat idle waiting on something else (a Worker, a child process, a pipe, a
// timer), named after what woke it up. On OpenClaw's first turn the idle share is the time its own
// SQLite Workers and helper processes spend booting (docs/performance.md, "Cold path").
// Usage: node bench/support/cpu-profile.mjs <file.cpuprofile> [top=25]
import { readFileSync } from "node:fs";

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error("usage: node bench/support/cpu-profile.mjs <file.cpuprofile> [top=25]");
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, "utf8"));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);

const short = (url) => (url || "(native)").replace(/^file:\/\//, "").replace(/.*node_modules\//, "");
const frame = (id) => {
  const { functionName, url, lineNumber } = nodes.get(id).callFrame;
  return `${functionName || "(anonymous)"} ${short(url)}:${lineNumber + 1}`;
};
const stackText = (id) => {
  const out = [];
  for (let at = id; at !== undefined; at = parent.get(at)) out.push(frame(at));
  return out.join(" < ");
};
const isIdle = (id) => nodes.get(id).callFrame.functionName === "(idle)";

// What ended an idle stretch (or ran just before it), first match wins.
const WAKERS = [
  ["OpenClaw's SQLite worker store", /sqlite-worker|state-worker|sqlite-canonical|state-read-worker/],
  ["a child process (OpenClaw's database preflight, integrity check)", /child_process|preflight|Integrity/i],
  ["another worker thread", /worker|MessagePort/i],
  ["a pipe or stream", /stream|readable/i],
  ["a timer", /timers|processImmediate|listOnTimeout/],
];

const category = (id) => {
  const { functionName, url } = nodes.get(id).callFrame;
  if (functionName === "(garbage collector)") return "garbage collection";
  if (/^node:internal\/modules|^node:internal\/(url|fs)|^node:(fs|path)$/.test(url))
    return "Node's module loader (resolve, read, link)";
  if (url.includes("/openclaw/")) return "OpenClaw's own code (evaluating modules, then its work)";
  if (url.includes("node_modules/")) return "OpenClaw's dependencies";
  if (!url) return "native (compiling, V8, libuv)";
  return "other JavaScript (Node's internals, this script)";
};
// Native frames count for the JavaScript that called them (compileSourceTextModule → the loader).
const owner = (id) => {
  let at = id;
  while (
    at !== undefined &&
    !nodes.get(at).callFrame.url &&
    nodes.get(at).callFrame.functionName !== "(garbage collector)"
  )
    at = parent.get(at);
  return at ?? id;
};
const busyBy = new Map();
const self = new Map();
const idleBy = new Map();
let total = 0;
let idle = 0;
let stretch = 0;
let before;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  if (isIdle(id)) {
    stretch += dt;
    idle += dt;
    return;
  }
  if (stretch > 0) {
    const text = `${stackText(id)} || ${before === undefined ? "" : stackText(before)}`;
    const waker = WAKERS.find(([, re]) => re.test(text))?.[0] ?? "other";
    idleBy.set(waker, (idleBy.get(waker) ?? 0) + stretch);
    stretch = 0;
  }
  before = id;
  const kind = category(owner(id));
  busyBy.set(kind, (busyBy.get(kind) ?? 0) + dt);
  const key = short(nodes.get(id).callFrame.url);
  self.set(key, (self.get(key) ?? 0) + dt);
});

const msText = (us) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
const print = (title, map) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${msText(v)}  ${k}`);
};
console.log(
  `profile ${msText(total)}, main thread idle ${msText(idle)} (${((100 * idle) / total).toFixed(0)} %)`,
);
print("idle, by what the main thread was waiting for:", idleBy);
print("busy, by kind (native frames count for their JavaScript caller):", busyBy);
print("busy, by file (self time):", self);
