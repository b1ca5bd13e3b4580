import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { freePort } from "../src/free-port";
import { startProcess, waitUntil } from "../src/process";

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// A child that prints its pid and the pid of a grandchild that escapes the process group (like OpenClaw's
// spawn-broker, which calls setsid), then waits forever.
const ESCAPING_TREE = `
const { spawn } = require("node:child_process");
const grandchild = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { detached: true, stdio: "ignore" });
console.log("pids " + process.pid + " " + grandchild.pid);
setInterval(() => {}, 1000);
`;

describe("startProcess", () => {
  it("captures output and stops the whole tree, including children outside its group", async () => {
    const proc = startProcess({ name: "tree", command: process.execPath, args: ["-e", ESCAPING_TREE] });
    await waitUntil("the tree's pids", async () => /pids \d+ \d+/.test(proc.logs()), {
      timeoutMs: 30_000,
      process: proc,
    });
    const [, leader, escaped] = (/pids (\d+) (\d+)/.exec(proc.logs()) ?? []).map(Number);
    expect(isAlive(leader ?? 0)).toBe(true);
    expect(isAlive(escaped ?? 0)).toBe(true);
    const exit = await proc.stop({ graceMs: 5_000 });
    expect(exit.signal).toBe("SIGTERM");
    await vi.waitFor(() => expect(isAlive(escaped ?? 0)).toBe(false), { timeout: 5_000 });
  });

  it("reports a process that exits before it is ready, with its output", async () => {
    const proc = startProcess({
      name: "quitter",
      command: process.execPath,
      args: ["-e", "console.error('cannot bind'); process.exit(3)"],
    });
    await expect(
      waitUntil("never", async () => false, { timeoutMs: 30_000, process: proc }),
    ).rejects.toMatchObject({
      code: "STANDIN_EXITED",
      message: expect.stringContaining("cannot bind"),
    });
  });

  it("times out with STANDIN_TIMEOUT and the last error", async () => {
    await expect(
      waitUntil(
        "a miracle",
        async () => {
          throw new Error("not yet");
        },
        { timeoutMs: 200, intervalMs: 50 },
      ),
    ).rejects.toMatchObject({ code: "STANDIN_TIMEOUT", message: expect.stringContaining("not yet") });
  });

  it("kills what a test process started, and removes its temp dirs, when that process exits", async () => {
    const dir = await mkdtemp(join(tmpdir(), "testkit-safety-net-"));
    const port = await freePort();
    // A separate Node process uses the testkit, starts a server child, then exits without stopping it.
    const script = `
      import { removeDirOnExit, startProcess, waitUntil } from ${JSON.stringify(join(import.meta.dirname, "../src/process.ts"))};
      removeDirOnExit(${JSON.stringify(dir)});
      const proc = startProcess({ name: "server", command: process.execPath,
        args: ["-e", "require('node:http').createServer((q, r) => r.end('ok')).listen(${port}, '127.0.0.1')"] });
      await waitUntil("server", async () => (await fetch("http://127.0.0.1:${port}")).ok, { timeoutMs: 30000, process: proc });
      console.log("up");
      process.exit(0);
    `;
    const tsx = join(import.meta.dirname, "../../../node_modules/.bin/tsx");
    const parent = spawn(tsx, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    parent.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => parent.on("exit", resolve));
    expect(out).toContain("up");
    expect(code).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}`)).rejects.toThrow();
    expect(existsSync(dir)).toBe(false);
  });
});
