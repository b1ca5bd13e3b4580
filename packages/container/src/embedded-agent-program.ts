/**
 * The embedded agent host: a small ES module run as `node --input-type=module --eval <this>` in
 * OpenClaw's place (same user, environment, state and config as `openclaw gateway run` would get).
 * It loads OpenClaw's embedded agent (the code behind `openclaw agent --local`) once and answers
 * turns one at a time on the same sessions the gateway uses, without starting the gateway: no HTTP
 * server, channels, sidecars or plugin services, so the first token comes about twice as soon after
 * a cold start (docs/performance.md, "Cold path").
 *
 * OpenClaw has no public API for this. The modules are found the way `openclaw agent` finds them:
 * the dynamic imports in its own command file (dist/register.agent-turn-*.mjs), and the one chunk
 * that exports `onAgentEvent`. An OpenClaw upgrade that moves them makes the host say so
 * ({type:"unsupported", message} on fd 3) and exit 69 at start, before any turn; the task then falls
 * back to `openclaw gateway run` with a log line (openclaw-host.ts).
 *
 * Protocol, one JSON object per line. In (stdin): {type:"turn", id, sessionKey, text},
 * {type:"cancel", id} and {type:"forget", id, sessionKey, text}. Out (fd 3): {type:"ready"},
 * {type:"delta", id, text}, {type:"tool", id, phase, name, toolCallId, ts, args?, result?, isError?}
 * (the turn's tool calls, as the gateway's session.tool events carry them), {type:"error", id, message},
 * {type:"done", id}, for a forget {type:"forgotten", id, rewound}, and {type:"unsupported", message}
 * (below). OpenClaw's own output stays on stdout/stderr (the task's log).
 *
 * "forget" is Stop's rewind (stopped-prompt.ts) without a gateway: it runs in the turn queue, after
 * the stopped run has ended, and does what the gateway's `sessions.rewind` does, with the same
 * OpenClaw functions (found by name): the session's last user message, if it is the stopped prompt,
 * becomes the point the session is rewound to, so the prompt and what the run added after it leave
 * the context.
 *
 * No gateway but its own is ever dialled. OpenClaw's embedded agent still calls a gateway on some paths (its
 * agent command asks the gateway's `secrets.resolve` whenever the config holds a SecretRef, as our
 * LLM key is; some agent tools call gateway methods too), to `ws://127.0.0.1:<port>` with the
 * gateway token, where the port is OPENCLAW_GATEWAY_PORT, else gateway.port, else 18789: a port any
 * local process can hold, e.g. another user's agent on a shared machine (local mode). So the host
 * first holds a loopback port of its own that closes every connection, and points OpenClaw there
 * (OPENCLAW_GATEWAY_PORT, in its process environment): the call fails at once, OpenClaw resolves the
 * env SecretRef locally, and nothing else can listen where it dials. docs/security.md, "The embedded agent host".
 *
 * Kept as source text (not a module of ours) so the task's single-file bundle can start it with the
 * image's Node 24 and OpenClaw's files, without a second file in the image.
 */
export const EMBEDDED_AGENT_PROGRAM = String.raw`
import { createWriteStream, readdirSync, readFileSync } from "node:fs";
import { EventEmitter } from "node:events";
import { join } from "node:path";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { randomUUID } from "node:crypto";

// The gateway port OpenClaw dials (see above): ours, before any of OpenClaw is loaded. An explicit
// OPENCLAW_GATEWAY_URL would win over the port, so it goes.
const decoy = createServer((socket) => socket.destroy());
await new Promise((resolve, reject) => {
  decoy.once("error", reject);
  decoy.listen({ port: 0, host: "127.0.0.1", exclusive: true }, resolve);
});
decoy.unref();
delete process.env.OPENCLAW_GATEWAY_URL;
process.env.OPENCLAW_GATEWAY_PORT = String(decoy.address().port);

const out = createWriteStream("", { fd: 3 });
const send = (message) => out.write(JSON.stringify(message) + "\n");
const dist = process.env.SOC_OPENCLAW_DIST;
// OpenClaw's internals this host needs, found by name. When an upgrade moved them, the host says so on
// fd 3 ("unsupported") and exits 69 (EX_UNAVAILABLE) before any turn: the task then runs the gateway
// instead (openclaw-host.ts), so an upgrade costs speed, never the agent.
let files, lazy, defaultRuntime, agentCliCommand, onAgentEvent;
try {
  files = readdirSync(dist);
  const register = files.find((f) => /^register\.agent-turn-[\w-]+\.mjs$/.test(f));
  if (!register) throw new Error("no register.agent-turn chunk in " + dist);
  lazy = [...readFileSync(join(dist, register), "utf8").matchAll(/import\("\.\/([\w.-]+\.mjs)"\)/g)].map((m) => m[1]);
  const load = (prefix) => {
    const file = lazy.find((f) => f.startsWith(prefix));
    if (!file) throw new Error(register + " no longer imports " + prefix + "*");
    return import(pathToFileURL(join(dist, file)).href);
  };
  const eventsFile = files.find((f) => /^agent-events-[\w-]+\.mjs$/.test(f) && readFileSync(join(dist, f), "utf8").includes("onAgentEvent as"));
  if (!eventsFile) throw new Error("no agent-events chunk exporting onAgentEvent");
  const [runtimeModule, commandModule, events] = await Promise.all([
    load("runtime-"),
    load("agent-via-gateway-"),
    import(pathToFileURL(join(dist, eventsFile)).href),
  ]);
  ({ defaultRuntime } = runtimeModule);
  ({ agentCliCommand } = commandModule);
  onAgentEvent = Object.values(events).find((v) => typeof v === "function" && v.name === "onAgentEvent");
  if (typeof agentCliCommand !== "function" || !onAgentEvent || !defaultRuntime)
    throw new Error("agentCliCommand / onAgentEvent / defaultRuntime not found");
} catch (err) {
  const message = "OpenClaw layout changed: " + (err instanceof Error ? err.message : String(err));
  console.error("embedded agent host: " + message);
  out.write(JSON.stringify({ type: "unsupported", message }) + "\n", () => process.exit(69));
  await new Promise(() => {});
}

// The chunks the agent command imports lazily on its first run (its command module, the config
// loader, the state lock), imported now in the background: the same module instances its first run
// awaits, so a message already waiting loads nothing twice, and one that comes while the user is
// still typing (a task started by the pre-warm) finds them loaded. Best effort: a chunk that is not
// found is left to the run, which fails loudly by itself.
{
  const command = readFileSync(join(dist, lazy.find((f) => f.startsWith("agent-via-gateway-"))), "utf8");
  const agentChunk = /import\("\.\/([\w.-]+\.mjs)"\)\.then\(\(module\) => module\.agentCommand\)/.exec(command);
  const chunks = [...command.matchAll(/import\("\.\/([\w.-]+\.mjs)"\)/g)].map((m) => m[1]);
  const eager = chunks.filter((f) => f.startsWith("io-") || f.startsWith("embedded-state-lock-"));
  for (const chunk of [...(agentChunk ? [agentChunk[1]] : []), ...eager])
    import(pathToFileURL(join(dist, chunk)).href).catch(() => undefined);
}

// OpenClaw's one-shot CLI prints its reply and may ask to exit; the host lives on.
const runtime = { ...defaultRuntime, log: () => {}, exit: () => {} };
let current;
// A tool result's text beyond this is never shown (the chat's preview is 600 characters): cut here so
// a tool that read a huge file does not push megabytes through the pipe.
const RESULT_TEXT_CHARS = 4000;
const trimResult = (result) => {
  if (!result || typeof result !== "object") return typeof result === "string" ? result.slice(0, RESULT_TEXT_CHARS) : result;
  const out = {};
  if (Array.isArray(result.content))
    out.content = result.content.filter((p) => p && p.type === "text").slice(0, 8).map((p) => ({ type: "text", text: String(p.text ?? "").slice(0, RESULT_TEXT_CHARS) }));
  if (result.details && typeof result.details === "object") {
    const { exitCode, status } = result.details;
    out.details = { ...(exitCode !== undefined ? { exitCode } : {}), ...(status !== undefined ? { status } : {}) };
  }
  return out;
};
onAgentEvent((e) => {
  if (!current || e.runId !== current.runId) return;
  if (e.stream === "tool") {
    // The same events the gateway relays to its session subscribers as session.tool (OpenClaw's
    // tool stream, args and result already sanitized by OpenClaw), for the chat's live tool activity.
    const d = e.data || {};
    try { send({
      type: "tool",
      id: current.id,
      phase: d.phase,
      name: d.name,
      toolCallId: d.toolCallId,
      ts: e.ts,
      ...(d.args !== undefined ? { args: d.args } : {}),
      ...(d.result !== undefined ? { result: trimResult(d.result) } : {}),
      ...(d.isError !== undefined ? { isError: d.isError } : {}),
    }); } catch {}
    return;
  }
  if (e.stream !== "assistant") return;
  const delta = e.data && e.data.delta;
  if (typeof delta === "string" && delta) {
    current.streamed = true;
    send({ type: "delta", id: current.id, text: delta });
  }
});

// Cancels for turns still waiting in the queue (sent while OpenClaw was loading): never started.
const cancelled = new Set();
async function turn(request) {
  if (cancelled.delete(request.id)) {
    send({ type: "error", id: request.id, message: "cancelled" });
    return;
  }
  // Cancel: the CLI stops a run on SIGINT from the process it is given; this one is ours.
  const signals = Object.assign(new EventEmitter(), { exitCode: undefined });
  current = { id: request.id, runId: randomUUID(), signals, streamed: false };
  try {
    const result = await agentCliCommand(
      { message: request.text, sessionKey: request.sessionKey, runId: current.runId, local: true, json: false },
      runtime,
      { process: signals },
    );
    const failed = (result && result.payloads || []).find((p) => p && p.isError);
    if (failed && !current.streamed) send({ type: "error", id: request.id, message: String(failed.text || "the agent failed") });
    else send({ type: "done", id: request.id });
  } catch (err) {
    send({ type: "error", id: request.id, message: err instanceof Error ? err.message : String(err) });
  } finally {
    current = undefined;
  }
}

// OpenClaw's session functions behind the gateway's sessions.rewind, loaded on the first Stop.
const exported = async (prefix, name) => {
  for (const f of files.filter((f) => f.startsWith(prefix) && f.endsWith(".mjs"))) {
    if (!readFileSync(join(dist, f), "utf8").includes(name)) continue;
    const fn = Object.values(await import(pathToFileURL(join(dist, f)).href)).find((v) => typeof v === "function" && v.name === name);
    if (fn) return fn;
  }
  throw new Error("OpenClaw layout changed: no " + prefix + "* chunk exports " + name);
};
let sessionApi;
const loadSessionApi = async () => {
  const [getRuntimeConfig, loadEntry, readDelta, rewind] = await Promise.all([
    exported("io-", "getRuntimeConfig"),
    exported("sessions-shared-", "loadAccessorSessionEntryForGatewayTarget"),
    exported("session-accessor-", "readTranscriptRawDelta"),
    exported("session-accessor-", "rewindSessionToMessage"),
  ]);
  const clearQueues = await exported("cleanup-", "clearSessionQueues").catch(() => undefined);
  return { getRuntimeConfig, loadEntry, readDelta, rewind, clearQueues };
};
const textOf = (content) => typeof content === "string" ? content : Array.isArray(content) ? content.map((p) => p && typeof p === "object" && "text" in p ? String(p.text) : "").join("") : "";
async function forget(request) {
  try {
    sessionApi ??= await loadSessionApi();
    const { getRuntimeConfig, loadEntry, readDelta, rewind, clearQueues } = sessionApi;
    const target = loadEntry({ cfg: getRuntimeConfig(), key: request.sessionKey });
    const sessionId = target.entry && target.entry.sessionId;
    let rewound = false;
    if (sessionId) {
      const scope = { agentId: target.target.agentId, sessionId, sessionKey: target.canonicalKey, storePath: target.storePath };
      // The newest user message, from the end of the transcript (pages of up to 500 events).
      let last;
      let cursor;
      for (;;) {
        const page = readDelta(scope, { maxEvents: 500, ...(cursor ? { cursor } : {}) });
        if (page.kind !== "page") break;
        for (const { event } of page.events)
          if (event && event.type === "message" && event.message && event.message.role === "user") last = event;
        if (!page.hasMore) break;
        cursor = page.cursor;
      }
      if (last && last.id && textOf(last.message.content).includes(String(request.text).trim())) {
        const result = await rewind({ agentId: target.target.agentId, sessionKey: target.canonicalKey, sessionStoreKey: target.sessionStoreKey, storePath: target.storePath, entryId: last.id });
        if (!result || result.status !== "created") throw new Error("sessions rewind refused: " + JSON.stringify(result && result.status));
        if (clearQueues) clearQueues([request.sessionKey, target.canonicalKey, sessionId]);
        rewound = true;
      }
    }
    send({ type: "forgotten", id: request.id, rewound });
  } catch (err) {
    send({ type: "error", id: request.id, message: err instanceof Error ? err.message : String(err) });
  }
}

let queue = Promise.resolve();
createInterface({ input: process.stdin }).on("line", (line) => {
  let request;
  try { request = JSON.parse(line); } catch { return; }
  if (request.type === "turn") queue = queue.then(() => turn(request));
  else if (request.type === "forget") queue = queue.then(() => forget(request));
  else if (request.type === "cancel") {
    if (current && current.id === request.id) current.signals.emit("SIGINT", "SIGINT");
    else cancelled.add(request.id);
  }
});
// Stop like the gateway does: end the running turn, then exit through process.exit so OpenClaw's exit
// hooks close its databases and release its leases and locks (a plain SIGTERM death would leave
// them held in the state the task backs up).
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  if (current) current.signals.emit("SIGINT", "SIGINT");
  const timer = setTimeout(() => process.exit(0), 5000);
  queue.finally(() => { clearTimeout(timer); process.exit(0); });
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
send({ type: "ready" });
`;
