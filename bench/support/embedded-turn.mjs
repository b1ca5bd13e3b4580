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
const [{ defaultRuntime }, { agentCliCommand }, events] = await Promise.all([
  load("runtime-"),
  load("agent-via-gateway-"),
  import(pathToFileURL(join(dist, eventsFile)).href),
]);
const onAgentEvent = Object.values(events).find((v) => typeof v === "function" && v.name === "onAgentEvent");
say("imported");
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
