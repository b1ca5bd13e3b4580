import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeLlm, startFakeLlm } from "@serverless-openclaw/testkit/fake-llm";
import { until } from "@serverless-openclaw/testkit/until";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findRepoRoot } from "../../src/support/repo-paths";
import { webLogin } from "../support/web-login";
import { RecordingSocket } from "./ws-client";

// One Ctrl-C on `npm start`, on a real terminal: `script` gives npm a pty, and a ^C written to it
// reaches the whole foreground group (npm and the server) as SIGINT, as a keypress does. Each round
// wakes an agent with a message, presses Ctrl-C once, and needs the agent's memory saved every time.
// 3 in the suite (each round boots an agent: minutes on a busy machine); CTRL_C_ROUNDS=10 for the full check.
const ROUNDS = Number(process.env.CTRL_C_ROUNDS ?? 3);
const root = findRepoRoot();
const hasScript = spawnSync("script", ["--version"]).status === 0;
let llm: FakeLlm;
let dataDir: string;
let home: string;
const running = new Set<ChildProcess>();

beforeAll(async () => {
  llm = await startFakeLlm();
  dataDir = await mkdtemp(join(tmpdir(), "local-ctrl-c-"));
  home = await mkdtemp(join(tmpdir(), "local-ctrl-c-home-"));
});

afterAll(async () => {
  // Only if a round failed: the server and its agents are in the pty's session.
  for (const child of running) if (child.pid) process.kill(-child.pid, "SIGKILL");
  await llm?.stop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(home, { recursive: true, force: true });
});

function npmStartOnPty(): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  // exec: npm itself runs on the terminal, as when typed at a shell prompt (script's `sh -c` would
  // otherwise sit in between, and a shell dies of the SIGINT the terminal sends its whole group).
  const command = `exec npm start -- --port 0 --data-dir ${dataDir} --llm-base-url ${llm.baseUrl} --llm-model ${llm.model}`;
  const child = spawn("script", ["-qfec", command, "/dev/null"], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: home, TERM: "dumb" },
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  running.add(child);
  let output = "";
  child.stdout?.on("data", (d) => {
    output += String(d);
  });
  child.stderr?.on("data", (d) => {
    output += String(d);
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return { child, output: () => output, exited };
}

describe.skipIf(!hasScript)("Ctrl-C on npm start, on a real terminal", () => {
  it(`saves the agent's memory every time one Ctrl-C is pressed (${ROUNDS} rounds)`, async () => {
    let password: string | undefined;
    for (let round = 1; round <= ROUNDS; round++) {
      const run = npmStartOnPty();
      const explain = () => `Round ${round}. Output:\n${run.output().slice(-6_000)}`;
      await until("the banner", () => /Open {4}http:\/\/127\.0\.0\.1:\d+/.test(run.output()), {
        timeoutMs: 180_000,
        explain,
      });
      const url = /Open {4}(http:\/\/127\.0\.0\.1:\d+)/.exec(run.output())?.[1] as string;
      // Generated at the first start; later banners say where to see it again.
      password ??= /password "([^"]+)"/.exec(run.output())?.[1];
      const { idToken, config } = await webLogin(url, "me", password as string);
      const socket = await RecordingSocket.open(`${config.wsUrl}?token=${encodeURIComponent(idToken)}`);
      const id = `round-${round}`;
      socket.send({
        type: "chat.send",
        conversationId: "ctrl-c",
        clientMessageId: id,
        text: `round ${round}`,
      });
      await socket.waitFor(
        `the reply in round ${round}`,
        (e) => e.type === "chat.final" && e.clientMessageId === id,
        400_000,
        explain,
      );
      await socket.close();

      // One press.
      run.child.stdin?.write("\x03");
      const code = await run.exited;
      const out = run.output();
      expect(out, explain()).toContain("stopping agents (saving their memory)");
      expect(out, explain()).not.toContain("Killing the agents now");
      expect(out, explain()).toContain("openclaw state backed up");
      expect(out, explain()).toContain("Stopped.");
      expect(code, explain()).toBe(0);
    }
  }, 3_600_000);
});
