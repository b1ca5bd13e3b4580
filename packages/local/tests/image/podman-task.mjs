#!/usr/bin/env node
// Local mode's process task runner starts this instead of the task itself, so the agent runs inside the
// built image the way ECS runs it: `podman run` of the image's own CMD, as the image's user, with the
// image's OPENCLAW_HOME, WORK_DIR and compile cache. Usage: podman-task.mjs <image> <label> <exit-log>
//
// The wiring the runner sets (USER_ID, AGENT_SECRET, store URL and token, timeouts…) is passed by name
// (`--env NAME`), so no secret appears on a command line; paths that only make sense on this machine are
// not passed. SIGTERM and SIGINT go on to the task through podman (as StopTask's SIGTERM does), and the
// task's exit code is appended to <exit-log> for the test to read.
import { spawn } from "node:child_process";
import { appendFileSync, closeSync, readFileSync } from "node:fs";

const [image, label, exitLog] = process.argv.slice(2);
if (!image || !label || !exitLog) {
  console.error("usage: podman-task.mjs <image> <label> <exit-log>");
  process.exit(2);
}
// Local mode's runner sends the agent secret and the start's store token on a pipe (AGENT_SECRETS_FD),
// not in the environment. Inside the image the task gets them as ECS gives them, in its environment,
// which OpenClaw (another uid, with a filtered environment) cannot read; so the wrapper reads the pipe
// and hands the values to podman by name.
if (process.env.AGENT_SECRETS_FD !== undefined) {
  const fd = Number(process.env.AGENT_SECRETS_FD);
  const piped = JSON.parse(readFileSync(fd, "utf8"));
  closeSync(fd);
  delete process.env.AGENT_SECRETS_FD;
  for (const [name, value] of Object.entries(piped)) if (typeof value === "string") process.env[name] = value;
}
const HOST_ONLY = new Set([
  "PATH",
  "HOME",
  "TMPDIR",
  "WORK_DIR",
  "OPENCLAW_HOME",
  "OPENCLAW_COMPILE_CACHE",
  "NODE_EXTRA_CA_CERTS",
  "LANG",
  "LC_ALL",
  "TZ",
  "CHROMIUM_PATH",
  "CHROMIUM_NO_SANDBOX",
  "SystemRoot",
]);
const names = Object.keys(process.env).filter(
  (name) => !HOST_ONLY.has(name) && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name),
);
const args = [
  "--runtime",
  "runc", // crun refuses this kind of host's hybrid cgroups
  "run",
  "--rm",
  "--pull=never",
  "--network",
  "host", // local mode's server listens on this machine's loopback
  "--label",
  `serverless-openclaw-test=${label}`,
  // podman's default ulimits need CAP_SYS_RESOURCE, which a sandboxed root may not have.
  "--ulimit",
  "nofile=20000:20000",
  "--ulimit",
  "nproc=20000:20000",
  ...names.flatMap((name) => ["--env", name]),
  image,
];
const child = spawn("podman", args, { stdio: ["ignore", "inherit", "inherit"] });
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => {
  appendFileSync(exitLog, `${JSON.stringify({ code, signal })}\n`);
  process.exit(code ?? 1);
});
