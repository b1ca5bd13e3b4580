import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { until } from "@serverless-openclaw/testkit/until";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentTokens } from "../../src/agent/agent-tokens";
import { ProcessTaskRunner } from "../../src/agent/process-task-runner";
import { isSameAlive } from "../../src/agent/process-tree";
import { createConsoleLogger } from "../../src/support/local-logger";

// Stands in for the agent task: logs a secret, reports its env, starts a detached worker of its own
// (as the task does with OpenClaw), and on SIGTERM either exits (leaving the worker behind) or ignores it.
const STUB = `
import { spawn } from "node:child_process";
import { writeFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
// First, so a SIGTERM that comes as soon as the runner sees the task's first line finds it.
process.on("SIGTERM", () => {
  if (process.env.STUB_MODE === "stubborn") return;
  if (process.env.STUB_MODE === "lingering") {
    // Still writing to its work dir for a second after it was told to go (a task that went Idle, backing out).
    const late = setInterval(() => writeFileSync(join(process.env.WORK_DIR, "..", "late"), String(Date.now())), 20);
    setTimeout(() => { clearInterval(late); console.log("gone"); process.exit(0); }, 1_000);
    return;
  }
  console.log("backing up state");
  setTimeout(() => process.exit(0), 100);
});
const worker = spawn(process.execPath, ["-e", "process.on('SIGTERM',()=>{}); setInterval(()=>{},1000)"], { detached: true, stdio: "ignore" });
const previous = existsSync(join(process.env.WORK_DIR, "marker"));
writeFileSync(join(process.env.WORK_DIR ?? ".", "..", "marker-parent"), "x");
const piped = JSON.parse(readFileSync(Number(process.env.AGENT_SECRETS_FD), "utf8"));
// What a hostile agent would do with any credential it sees: keep a copy for later.
writeFileSync(join(process.env.WORK_DIR ?? ".", "..", "kept-token"), piped.LOCAL_STORE_TOKEN);
console.log(JSON.stringify({ level: "info", message: "booted", secret: piped.AGENT_SECRET, worker: worker.pid }));
console.log(JSON.stringify({ level: "info", message: "piped", keys: Object.keys(piped).sort().join(","), tokenLength: piped.LOCAL_STORE_TOKEN.length }));
console.log(JSON.stringify({ level: "info", message: "env", keys: Object.keys(process.env).sort().join(","), previous }));
setInterval(() => {}, 1000);
`;

let dir: string;
let stubPath: string;
const lines: string[] = [];
const tokens = new AgentTokens();
const logger = createConsoleLogger({ level: "debug", write: (l) => lines.push(l) });

function runner(extraEnv: Record<string, string> = {}, graceMs = 5_000) {
  return new ProcessTaskRunner({
    cwd: dir,
    entry: stubPath,
    dataDir: join(dir, "data"),
    agentWsUrl: "ws://127.0.0.1:1/agent",
    clientPushEndpoint: "http://127.0.0.1:1",
    storeUrl: "http://127.0.0.1:1/_local/rpc",
    tokens,
    openclawHome: "/nonexistent/openclaw",
    logger,
    redactor: logger.redactor,
    graceMs,
    extraEnv,
    command: { file: process.execPath, args: [stubPath] },
  });
}

const waitFor = (what: string, check: () => boolean) =>
  until(what, check, { timeoutMs: 60_000, intervalMs: 25, explain: () => lines.join("\n") });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "local-runner-"));
  stubPath = join(dir, "stub.mjs");
  await writeFile(stubPath, STUB);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("ProcessTaskRunner", () => {
  it("starts the task with the task environment only, secrets on a pipe, prefixes and redacts its log lines", async () => {
    process.env.ANTHROPIC_API_KEY = "sk-ant-must-not-leak";
    const r = runner();
    const secret = "agent-secret-abcdefghijklmnop";
    const { taskArn } = await r.start({ userId: "user-1234567890", agentSecret: secret });
    delete process.env.ANTHROPIC_API_KEY;
    await waitFor("env line", () => lines.some((l) => l.includes("env keys=")));
    expect(await r.running([taskArn, "arn:other"])).toEqual(new Set([taskArn]));
    const booted = lines.find((l) => l.includes("booted")) as string;
    expect(booted).toMatch(/^\[agent user-123\] booted secret=\[redacted\]/);
    expect(lines.join("\n")).not.toContain(secret);
    const keys = (/keys=(\S+)/.exec(lines.find((l) => l.includes("env keys=")) as string)?.[1] ?? "").split(
      ",",
    );
    expect(keys).toEqual(
      expect.arrayContaining([
        "USER_ID",
        "AGENT_SECRETS_FD",
        "AGENT_WS_URL",
        "CLIENT_PUSH_ENDPOINT",
        "LOCAL_STORE_URL",
        "OPENCLAW_HOME",
        "WORK_DIR",
        "HOME",
        "TMPDIR",
      ]),
    );
    expect(keys).not.toContain("ANTHROPIC_API_KEY");
    // The secrets never sit in /proc/<pid>/environ, where any process of this OS user can read them.
    expect(keys).not.toContain("AGENT_SECRET");
    expect(keys).not.toContain("LOCAL_STORE_TOKEN");
    await waitFor("piped line", () => lines.some((l) => l.includes("piped keys=")));
    expect(lines.find((l) => l.includes("piped keys="))).toMatch(
      /keys=AGENT_SECRET,LOCAL_STORE_TOKEN tokenLength=43/,
    );
    await r.stopAll("test over");
    expect(await r.running([taskArn])).toEqual(new Set());
  });

  it("stops with SIGTERM, lets the task exit, and takes its detached worker down too", async () => {
    lines.length = 0;
    const r = runner();
    const { taskArn } = await r.start({ userId: "user-graceful", agentSecret: "secret-graceful-0123456789" });
    await waitFor("boot", () => lines.some((l) => l.includes("booted")));
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // let the watcher see the worker
    const processes = r.spawnedProcesses();
    expect(processes.size).toBeGreaterThanOrEqual(2);
    await r.stop(taskArn, "idle");
    await waitFor("exit", () => lines.some((l) => l.includes("exited (code 0)")));
    expect(lines.some((l) => l.includes("backing up state"))).toBe(true);
    await waitFor("no survivors", () => [...processes].every(([pid, start]) => !isSameAlive(pid, start)));
  });

  it("revokes the start's store token when its task exits: a copy kept by the agent opens nothing afterwards", async () => {
    lines.length = 0;
    const r = runner();
    const userId = "user-revoked";
    const { taskArn } = await r.start({ userId, agentSecret: "secret-revoked-0123456789" });
    await waitFor("boot", () => lines.some((l) => l.includes("booted")));
    const kept = await readFile(join(dir, "data", "agents", userId, "kept-token"), "utf8");
    expect(tokens.resolve(kept)?.userId).toBe(userId);
    await r.stop(taskArn, "idle");
    await waitFor("exit", () => lines.some((l) => l.includes("exited (code 0)")));
    // The store RPC and the Management API resolve an agent's token with this (local-stack.ts).
    expect(tokens.resolve(kept)).toBeUndefined();
  });

  it("kills a task that ignores SIGTERM once the grace has passed", async () => {
    lines.length = 0;
    const r = runner({ STUB_MODE: "stubborn" }, 300);
    const { taskArn } = await r.start({ userId: "user-stubborn", agentSecret: "secret-stubborn-0123456789" });
    await waitFor("boot", () => lines.some((l) => l.includes("booted")));
    await r.stop(taskArn, "test");
    await waitFor("kill", () => lines.some((l) => l.includes("exited (signal SIGKILL)")));
    const processes = r.spawnedProcesses();
    await waitFor("no survivors", () => [...processes].every(([pid, start]) => !isSameAlive(pid, start)));
  });

  it("starts a user's next task only once the previous one has exited, so no two share the work dir", async () => {
    lines.length = 0;
    const r = runner({ STUB_MODE: "lingering" });
    const workDir = join(dir, "data", "agents", "user-overlap");
    const first = await r.start({ userId: "user-overlap", agentSecret: "secret-overlap-0123456789ab" });
    await waitFor("boot", () => lines.some((l) => l.includes("previous=")));
    void r.stop(first.taskArn, "idle"); // it keeps writing to its dir for a second, then exits
    await r.start({ userId: "user-overlap", agentSecret: "secret-overlap-0123456789cd" });
    await waitFor("second boot", () => lines.filter((l) => l.includes("previous=")).length === 2);
    const gone = lines.findIndex((l) => l.includes("gone"));
    const booted = lines.findLastIndex((l) => l.includes("booted"));
    expect(gone, lines.join("\n")).toBeGreaterThanOrEqual(0);
    expect(gone, lines.join("\n")).toBeLessThan(booted);
    // Nothing the first task wrote lands in the second one's fresh dir.
    expect(existsSync(join(workDir, "late"))).toBe(false);
    await r.stopAll("done");
  });

  it("gives each start a fresh work dir under the data dir, like a new ECS task", async () => {
    lines.length = 0;
    const r = runner();
    const workDir = join(dir, "data", "agents", "user-fresh");
    await r.start({ userId: "user-fresh", agentSecret: "secret-fresh-0123456789ab" });
    await waitFor("boot", () => lines.some((l) => l.includes("previous=")));
    expect(existsSync(join(workDir, "marker-parent"))).toBe(true);
    await writeFile(join(workDir, "leftover"), "x");
    await r.stopAll("restart");
    lines.length = 0;
    await r.start({ userId: "user-fresh", agentSecret: "secret-fresh-0123456789cd" });
    await waitFor("boot", () => lines.some((l) => l.includes("previous=")));
    expect(existsSync(join(workDir, "leftover"))).toBe(false);
    const processes = r.spawnedProcesses();
    await r.stopAll("done");
    expect([...processes].filter(([pid, start]) => isSameAlive(pid, start))).toEqual([]);
  });
});
