import { spawn } from "node:child_process";
import { join } from "node:path";
import { findRepoRoot } from "../../src/support/repo-paths";

export const REPO_ROOT = findRepoRoot();

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, collecting its output (never through a shell). */
export function runCommand(file: string, args: string[], options: { cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString("utf8");
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString("utf8");
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** podman with the flags these machines need (runc; ulimits a sandboxed root may set). */
export function podman(args: string[]): Promise<Run> {
  const [command, ...rest] = args;
  const limits = command === "run" ? ["--ulimit", "nofile=20000:20000", "--ulimit", "nproc=20000:20000"] : [];
  return runCommand("podman", ["--runtime", "runc", command as string, ...limits, ...rest]);
}

/**
 * Builds the agent image with scripts/agent-image.mjs (what a deployer runs too). A failed build fails
 * the caller with the end of the build's output.
 */
export async function buildAgentImage(options: { tag: string; browser?: boolean }): Promise<void> {
  const started = Date.now();
  const args = [join(REPO_ROOT, "scripts/agent-image.mjs"), "build", "--tag", options.tag];
  if (options.browser) args.push("--browser");
  const build = await runCommand(process.execPath, args, { cwd: REPO_ROOT });
  const output = `${build.stdout}\n${build.stderr}`;
  if (build.code !== 0) {
    throw new Error(`Building the agent image failed (exit ${build.code}):\n${output.slice(-6_000)}`);
  }
  // A figure for the record (docs/performance.md), never asserted.
  console.log(`agent image ${options.tag} built in ${Math.round((Date.now() - started) / 1000)} s`);
}

/**
 * Untags a test's image but keeps its layers (`--no-prune`): a plain `podman rmi` also removes the
 * image's now-dangling parents, the layers `buildah bud --layers` reuses, so every run rebuilt the
 * final stage (Chromium's apt install, the OpenClaw copy, the compile-cache warm-up boot) instead of
 * only what changed. Kept layers are shared by the next build of the same content.
 */
export async function removeTestImage(tag: string): Promise<void> {
  await podman(["rmi", "--no-prune", tag]);
}

/** Removes every container a test started with this label (a task killed mid-way leaves one behind). */
export async function removeTestContainers(label: string): Promise<void> {
  const list = await podman([
    "ps",
    "-a",
    "--filter",
    `label=serverless-openclaw-test=${label}`,
    "--format",
    "{{.ID}}",
  ]);
  const ids = list.stdout.split("\n").filter(Boolean);
  if (ids.length > 0) await podman(["rm", "-f", "-t", "0", ...ids]);
}

export interface ContainerProcess {
  pid: number;
  uid: number;
  cmd: string;
  /** Names in /proc/<pid>/environ (read as root from inside the container). */
  envNames: string[];
  /** Inodes of the process's sockets. */
  sockets: string[];
}

// Runs inside the container as root: every process with its uid, command line, environment names and
// socket inodes, and every listening TCP socket of its network namespace.
const INSPECT = `
const fs = require("fs");
const read = (p) => { try { return fs.readFileSync(p, "utf8"); } catch { return ""; } };
const processes = fs.readdirSync("/proc").filter((d) => /^\\d+$/.test(d) && d !== String(process.pid)).map((pid) => {
  const uid = Number(/^Uid:\\s+(\\d+)/m.exec(read("/proc/" + pid + "/status"))?.[1] ?? -1);
  const cmd = read("/proc/" + pid + "/cmdline").split("\\0").join(" ").trim();
  const envNames = read("/proc/" + pid + "/environ").split("\\0").filter(Boolean).map((e) => e.split("=")[0]);
  let sockets = [];
  try {
    sockets = fs.readdirSync("/proc/" + pid + "/fd").flatMap((fd) => {
      try { const m = /^socket:\\[(\\d+)\\]$/.exec(fs.readlinkSync("/proc/" + pid + "/fd/" + fd)); return m ? [m[1]] : []; } catch { return []; }
    });
  } catch {}
  return { pid: Number(pid), uid, cmd, envNames, sockets };
}).filter((p) => p.cmd);
const hex4 = (h) => h.match(/../g).reverse().map((b) => parseInt(b, 16)).join(".");
const listening = [];
for (const [file, v6] of [["/proc/net/tcp", false], ["/proc/net/tcp6", true]]) {
  for (const line of read(file).split("\\n").slice(1)) {
    const f = line.trim().split(/\\s+/);
    if (f[3] !== "0A") continue;
    const [addr, port] = f[1].split(":");
    const address = v6 ? (addr === "00000000000000000000000001000000" ? "::1" : addr === "0".repeat(32) ? "::" : addr) : hex4(addr);
    listening.push({ address: address + ":" + parseInt(port, 16), inode: f[9] });
  }
}
console.log(JSON.stringify({ processes, listening }));
`;

export async function inspectProcesses(
  container: string,
): Promise<{ processes: ContainerProcess[]; listening: Array<{ address: string; inode: string }> }> {
  const out = await podman(["exec", container, "node", "-e", INSPECT]);
  if (out.code !== 0) throw new Error(`podman exec failed: ${out.stderr}`);
  return JSON.parse(out.stdout);
}
