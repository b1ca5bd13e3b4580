import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryStores } from "@serverless-openclaw/gateway/local";
import { afterEach, describe, expect, it } from "vitest";
import { backupState, restoreState, shouldBackUp, stateBlobKey } from "../../src/state-archive";

const dirs: string[] = [];
const temp = async () => {
  const d = await mkdtemp(join(tmpdir(), "state-archive-"));
  dirs.push(d);
  return d;
};
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function listAll(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listAll(join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

describe("state archive", () => {
  it("round-trips the state dir through the blob store, keeping WAL files and skipping caches and locks", async () => {
    const { blobs } = createMemoryStores();
    const src = await temp();
    const files: Record<string, string> = {
      "state/openclaw.sqlite": "db",
      "state/openclaw.sqlite-wal": "wal",
      "state/openclaw.sqlite-shm": "shm",
      "agents/main/agent/openclaw-agent.sqlite": "agent",
      "workspace/AGENTS.md": "# agents",
      "config-journal-fingerprint.key": "k",
      "cache/ui/big.js": "x",
      "tmp/t": "t",
      "logs/a.log": "l",
      "state/gateway-lock.sqlite": "lock",
    };
    for (const [rel, body] of Object.entries(files)) {
      await mkdir(join(src, rel, ".."), { recursive: true });
      await writeFile(join(src, rel), body);
    }
    await mkdir(join(src, "plugin-skills"));
    await symlink("/usr/lib/some-runtime/skill", join(src, "plugin-skills", "browser"));
    await symlink("/etc/hostname", join(src, "workspace", "abs-link"));
    await symlink("AGENTS.md", join(src, "workspace", "rel-link"));
    expect(await restoreState(blobs, "u1", await temp())).toBe(false);
    await backupState(blobs, "u1", src);
    expect(await blobs.get(stateBlobKey("u1"))).toBeDefined();
    const dest = await temp();
    expect(await restoreState(blobs, "u1", join(dest, "state-dir"))).toBe(true);
    expect(await listAll(join(dest, "state-dir"))).toEqual(
      [
        "agents/main/agent/openclaw-agent.sqlite",
        "config-journal-fingerprint.key",
        "state/openclaw.sqlite",
        "state/openclaw.sqlite-shm",
        "state/openclaw.sqlite-wal",
        "workspace/AGENTS.md",
        "workspace/rel-link",
      ].sort(),
    );
    expect(await readFile(join(dest, "state-dir", "state/openclaw.sqlite-wal"), "utf8")).toBe("wal");
  });

  it("skips the top-level cache, tmp and logs dirs and lock databases, nothing else", () => {
    for (const skipped of [
      "cache",
      "tmp/x",
      "logs/a.log",
      "state/gateway-lock.sqlite",
      "x/lock.sqlite-wal",
    ]) {
      expect(shouldBackUp(skipped)).toBe(false);
    }
    for (const kept of [
      "state/openclaw.sqlite-wal",
      "workspace/cache/notes.md",
      "agents/main/tmp",
      "blocks.md",
    ]) {
      expect(shouldBackUp(kept)).toBe(true);
    }
  });
});
