import { mkdir, mkdtemp, readdir, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OpenClawRuntime, resolveOpenClawRuntime } from "../../src/openclaw-runtime";
import { TaskHarness, until } from "../support/harness";

// An OpenClaw upgrade that moved the internals the embedded host finds by name must cost speed, not
// the agent: the task runs the gateway instead, says so in its log, and answers. The upgrade is
// stood in for by the real OpenClaw package with its agent command chunk (register.agent-turn-*)
// missing from the dist the host reads; `openclaw gateway run` itself runs the real files (Node
// resolves the symlinked entry to its real path).
let h: TaskHarness;
let pkgDir: string;
let moved: OpenClawRuntime;

beforeAll(async () => {
  const real = resolveOpenClawRuntime();
  pkgDir = await mkdtemp(join(tmpdir(), "openclaw-moved-"));
  const dist = join(pkgDir, "dist");
  await mkdir(dist);
  const realDist = join(dirname(real.entry), "dist");
  const files = (await readdir(realDist)).filter((f) => !f.startsWith("register.agent-turn-"));
  await Promise.all(files.map((f) => symlink(join(realDist, f), join(dist, f))));
  const entry = join(pkgDir, "openclaw.mjs");
  await symlink(real.entry, entry);
  moved = { ...real, entry };
  h = new TaskHarness();
  await h.start();
  await h.useFakeLlm();
});

afterAll(async () => {
  await h?.stop();
  if (pkgDir) await rm(pkgDir, { recursive: true, force: true });
});

describe("embedded mode when OpenClaw's internals moved", () => {
  it("falls back to the gateway with a log line, and answers", async () => {
    const tab = await h.addClient();
    await h.enqueue("hello after an upgrade", "conv-f", "f-1");
    // bootConnected: a gateway that misses OpenClaw's own 5 s start-up limit on a loaded machine gets
    // another boot (each boot falls back again first).
    const run = await h.bootConnected({
      boot: () => h.boot({ openClawReadyTimeoutMs: 380_000 }, { openClawMode: "embedded", runtime: moved }),
      timeoutMs: 450_000,
    });
    await until(
      "f-1 answered",
      () => h.push.of("chat.final", tab).some((e) => e.clientMessageId === "f-1"),
      450_000,
    ).catch(async (err: Error) => {
      throw new Error(`${err.message}\n${(await h.allLogs()).split("\n").slice(-60).join("\n")}`);
    });
    expect(h.push.of("chat.final", tab).find((e) => e.clientMessageId === "f-1")?.text).toContain(
      "echo: hello after an upgrade",
    );
    const logs = await h.allLogs();
    expect(logs).toMatch(/falling back to the gateway[^\n]*no register\.agent-turn chunk/);
    expect(logs).toContain('"mode":"gateway"');
    // The host's exit was start-up's to handle, not a crash that stops the task.
    expect(logs).not.toContain("OpenClaw exited unexpectedly");
    void run.task.stop("signal");
    expect(await run.exit).toBe(0);
  }, 1_500_000);
});
