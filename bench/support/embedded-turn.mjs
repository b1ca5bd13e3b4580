// One turn of OpenClaw's embedded agent (what `openclaw agent --local` runs) called as a library in a
// fresh Node 24 process, streaming: prints one JSON line per milestone (ms since this process
// started). The bench spawns it with the same environment and state dir as the gateway it compares.
// OpenClaw has no public entry point for this: the chunks are the ones `openclaw agent`'s own
// command file imports (dist/register.agent-turn-*.mjs), so an upgrade that moves them fails loudly.
// Usage: node embedded-turn.mjs <openclaw package dir> <session key> <message>
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [pkgDir, sessionKey, message] = process.argv.slice(2);
const origin = performance.timeOrigin;
const say = (event) =>
  process.stdout.write(`${JSON.stringify({ event, ms: Math.round(performance.now()), origin })}\n`);
say("start");
const dist = join(pkgDir, "dist");
const register = readdirSync(dist).find((f) => /^register\.agent-turn-[\w-]+\.mjs$/.test(f));
if (!register) throw new Error(`no register.agent-turn chunk in ${dist}`);
const imports = [
  ...readFileSync(join(dist, register), "utf8").matchAll(/import\("\.\/([\w.-]+\.mjs)"\)/g),
].map((m) => m[1]);
const load = (prefix) => {
  const file = imports.find((f) => f.startsWith(prefix));
  if (!file) throw new Error(`${register} no longer imports ${prefix}*`);
  return import(pathToFileURL(join(dist, file)).href);
};
const eventsFile = readdirSync(dist).find(
  (f) =>
    /^agent-events-[\w-]+\.mjs$/.test(f) && readFileSync(join(dist, f), "utf8").includes("onAgentEvent as"),
);
// BENCH_BUNDLE=<file>: the same three exports from an esbuild bundle of them (scripts/openclaw-bundle.mjs).
const [{ defaultRuntime }, { agentCliCommand }, events] = process.env.BENCH_BUNDLE
  ? await import(pathToFileURL(process.env.BENCH_BUNDLE).href).then((b) => [b, b, b])
  : await Promise.all([
      load("runtime-"),
      load("agent-via-gateway-"),
      import(pathToFileURL(join(dist, eventsFile)).href),
    ]);
const onAgentEvent = Object.values(events).find((v) => typeof v === "function" && v.name === "onAgentEvent");
say("imported");
// BENCH_PRELOAD=1: what the task's embedded host does right after it starts: import the modules the
// agent command imports lazily on its first run, in the background (the same module instances).
if (process.env.BENCH_PRELOAD === "1") {
  // The same selection as packages/container/src/embedded-agent-program.ts.
  const command = readFileSync(
    join(
      dist,
      imports.find((f) => f.startsWith("agent-via-gateway-")),
    ),
    "utf8",
  );
  const agentChunk = /import\("\.\/([\w.-]+\.mjs)"\)\.then\(\(module\) => module\.agentCommand\)/.exec(
    command,
  );
  const chunks = [...command.matchAll(/import\("\.\/([\w.-]+\.mjs)"\)/g)].map((m) => m[1]);
  const eager = chunks.filter((f) => f.startsWith("io-") || f.startsWith("embedded-state-lock-"));
  for (const chunk of [...(agentChunk ? [agentChunk[1]] : []), ...eager])
    import(pathToFileURL(join(dist, chunk)).href).catch(() => undefined);
}
// BENCH_MESSAGE_AFTER_MS=<ms>: the message comes that long after OpenClaw was imported (a task started
// by the pre-warm on page open or typing); 0 or unset: at once (a message to an Idle agent).
const after = Number(process.env.BENCH_MESSAGE_AFTER_MS ?? 0);
if (after > 0) await new Promise((r) => setTimeout(r, after));
say("message");
let text = "";
onAgentEvent((e) => {
  if (e.stream !== "assistant" || !e.data?.delta) return;
  if (!text) say("first-token");
  text += e.data.delta;
});
await agentCliCommand({ message, sessionKey, local: true, json: true }, { ...defaultRuntime, log: () => {} });
process.stdout.write(
  `${JSON.stringify({ event: "done", ms: Math.round(performance.now()), origin, text })}\n`,
);
process.exit(0);
