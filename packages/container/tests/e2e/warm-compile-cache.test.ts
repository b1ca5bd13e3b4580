import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { LEAN_BOOT_ENV } from "@serverless-openclaw/shared";
import { openclawRuntime } from "@serverless-openclaw/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * docker/openclaw/warm-compile-cache.mjs runs at `docker build` (no Docker engine here), so it is run
 * here against the same pinned OpenClaw the tests use: a script that fails would fail every deploy.
 */
const SCRIPT = resolve(import.meta.dirname, "../../../../docker/openclaw/warm-compile-cache.mjs");

let cacheDir: string;

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), "warm-cache-"));
});

afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

function run(nodeBin: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(nodeBin, [SCRIPT, ...args], {
      env: { PATH: `${dirname(nodeBin)}:${process.env.PATH ?? ""}` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (b: Buffer) => (output += b));
    child.stderr.on("data", (b: Buffer) => (output += b));
    child.once("error", fail);
    child.once("exit", (code) => done({ code, output }));
  });
}

async function filesUnder(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).length;
}

describe("the image's compile-cache warm-up (docker/openclaw/warm-compile-cache.mjs)", () => {
  it("boots the pinned OpenClaw to /readyz, stops it cleanly and leaves a filled compile cache", async () => {
    const runtime = openclawRuntime();
    const { code, output } = await run(runtime.nodeBin, [runtime.dir, cacheDir]);
    expect(code, output.slice(-3000)).toBe(0);
    expect(output).toContain(`compile cache warmed in ${cacheDir}`);
    // Node writes one file per compiled module; a boot compiles thousands.
    expect(await filesUnder(cacheDir)).toBeGreaterThan(100);
  }, 360_000);

  it("says that Node 24 is needed when run under an older Node", async (ctx) => {
    if (Number(process.versions.node.split(".")[0]) >= 24) return ctx.skip();
    const runtime = openclawRuntime();
    const empty = await mkdtemp(join(tmpdir(), "warm-cache-old-node-"));
    try {
      const { code, output } = await run(process.execPath, [runtime.dir, empty]);
      expect(code).not.toBe(0);
      expect(output).toMatch(/needs Node 24 and this is Node 2\d/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  }, 120_000);

  it("boots OpenClaw as lean as the task does (the same LEAN_BOOT_ENV switches)", async () => {
    const script = await readFile(SCRIPT, "utf8");
    for (const [name, value] of Object.entries(LEAN_BOOT_ENV)) {
      expect(script, `${name} is missing from the warm-up's environment`).toContain(`${name}: "${value}"`);
    }
  });
});
