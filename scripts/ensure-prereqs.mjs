#!/usr/bin/env node
// Everything `npm test` needs besides npm packages: the pinned OpenClaw runtime, Java (DynamoDB Local runs
// on it), Chromium (the web end-to-end tests drive it) and the container tools that build and run the
// agent image without a Docker engine (buildah, podman, runc, fuse-overlayfs, debootstrap, uidmap).
// Missing system packages come from Debian's repositories through apt-get, and from nowhere else.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));

const openclaw = spawnSync(process.execPath, [join(root, "scripts", "ensure-openclaw.mjs")], {
  stdio: "inherit",
});
if (openclaw.status !== 0) process.exit(openclaw.status ?? 1);

const CHROMIUM = "/usr/bin/chromium";
const MIN_JAVA = 17;

function javaMajor() {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java";
  const result = spawnSync(java, ["-version"], { encoding: "utf8" });
  if (result.status !== 0) return undefined;
  // `openjdk version "17.0.15" 2025-04-15` (or "1.8.0_x" for Java 8).
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  if (!match) return undefined;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major;
}

const missing = [];
const java = javaMajor();
if (java === undefined || java < MIN_JAVA) {
  missing.push({
    pkg: "openjdk-17-jre-headless",
    what: java === undefined ? "Java" : `Java ${MIN_JAVA}+ (found Java ${java})`,
    why: "DynamoDB Local, used by the storage tests, runs on it",
  });
}
if (!existsSync(CHROMIUM)) {
  missing.push({ pkg: "chromium", what: `Chromium (${CHROMIUM})`, why: "the web end-to-end tests drive it" });
}
const onPath = (command) =>
  spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
// The agent image is built (buildah) and run (podman with runc) in the tests; debootstrap makes its base.
const IMAGE_TOOLS = [
  { pkg: "buildah", command: "buildah" },
  { pkg: "podman", command: "podman" },
  { pkg: "runc", command: "runc" },
  { pkg: "fuse-overlayfs", command: "fuse-overlayfs" },
  { pkg: "debootstrap", command: "debootstrap" },
  { pkg: "uidmap", command: "newuidmap" },
  // bench/image-size.ts measures each layer zstd-compressed (ECR and Fargate accept zstd layers).
  { pkg: "zstd", command: "zstd" },
];
for (const tool of IMAGE_TOOLS) {
  if (!onPath(tool.command))
    missing.push({
      pkg: tool.pkg,
      what: tool.pkg,
      why: "the agent image is built and run in the tests (docs/deployment.md)",
    });
}
if (missing.length === 0) process.exit(0);

const packages = missing.map((m) => m.pkg);
const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
const sudo = asRoot ? [] : ["sudo"];
const commands = [
  [...sudo, "apt-get", "update"],
  [
    ...sudo,
    "env",
    "DEBIAN_FRONTEND=noninteractive",
    "apt-get",
    "install",
    "-y",
    "--no-install-recommends",
    ...packages,
  ],
];
const printable = commands.map((c) => c.join(" ")).join(" && ");

for (const m of missing) console.log(`Missing ${m.what}: ${m.why}.`);

const hasAptGet = spawnSync("sh", ["-c", "command -v apt-get"], { stdio: "ignore" }).status === 0;
if (!hasAptGet) {
  console.error(
    `\nThis is not a Debian-like system (no apt-get). Install ${packages.join(" and ")} with your package manager` +
      `${missing.some((m) => m.pkg === "chromium") ? `, with Chromium at ${CHROMIUM}` : ""}, then run npm test again.`,
  );
  process.exit(1);
}

console.log(`Installing ${packages.join(", ")} from Debian's packages (a minute or two):\n  ${printable}`);
for (const [command, ...args] of commands) {
  const result = spawnSync(command, args, { stdio: "inherit" });
  if (result.status !== 0) {
    console.error(
      `\nThe install failed. Please run this yourself, then run npm test again:\n\n  ${printable}\n`,
    );
    process.exit(1);
  }
}

const javaAfter = javaMajor();
const stillMissing = [
  ...(javaAfter === undefined || javaAfter < MIN_JAVA ? ["Java 17"] : []),
  ...(existsSync(CHROMIUM) ? [] : [`Chromium at ${CHROMIUM}`]),
  ...IMAGE_TOOLS.filter((t) => !onPath(t.command)).map((t) => t.pkg),
];
if (stillMissing.length > 0) {
  console.error(
    `\nStill missing after the install: ${stillMissing.join(", ")}. Please run:\n\n  ${printable}\n`,
  );
  process.exit(1);
}
console.log("Test prerequisites installed.");
