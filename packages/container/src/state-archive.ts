import { readlinkSync } from "node:fs";
import { mkdir, readdir, rm } from "node:fs/promises";
import { isAbsolute, join, relative } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { BlobStore } from "@serverless-openclaw/gateway/agent";
import * as tar from "tar";

/** Blob key of a user's OpenClaw state. */
export const stateBlobKey = (userId: string) => `users/${userId}/openclaw-state.tar.gz`;

/**
 * What is not worth saving: control-UI asset cache (~54 MB), temp files, logs, and the lock
 * databases, which OpenClaw rebuilds, `plugin-skills/` (symlinks into the installed runtime,
 * recreated at every boot), and `browser/` (Chromium's user data dir: tens of MB of cache, cookies
 * of whatever the agent browsed; each task starts with a fresh profile). The SQLite `-wal`/`-shm`
 * files ARE kept: after a clean stop they still hold committed pages.
 */
const TOP_LEVEL_SKIP = new Set(["cache", "tmp", "logs", "plugin-skills", "browser"]);
/**
 * The user's custom skills (and their staging dir): reinstalled from the skill store at every boot
 * (skills-install.ts), so a deleted or disabled skill never comes back from a backup.
 */
const INSTALLED_SKILLS = new Set(["skills", "skills.staging"]);
const isLockDb = (name: string) => /lock.*\.sqlite(-wal|-shm|-journal)?$/.test(name);

export function shouldBackUp(relPath: string): boolean {
  const parts = relPath.split("/").filter((p) => p && p !== ".");
  if (parts.length === 0) return true;
  if (TOP_LEVEL_SKIP.has(parts[0] ?? "")) return false;
  if (INSTALLED_SKILLS.has(parts[0] ?? "")) return false;
  return !isLockDb(parts[parts.length - 1] ?? "");
}

/**
 * Restores the saved state into `stateDir` (which must be empty or absent). Returns false on a
 * first boot, when nothing was saved yet.
 */
export async function restoreState(blobs: BlobStore, userId: string, stateDir: string): Promise<boolean> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const body = await blobs.get(stateBlobKey(userId));
  if (!body) return false;
  await pipeline(Readable.from([Buffer.from(body)]), tar.x({ cwd: stateDir, preservePaths: false }));
  return true;
}

/** Packs the state dir (only while OpenClaw is stopped: SQLite files must not move under it). */
export async function packState(stateDir: string): Promise<Uint8Array> {
  const entries = (await readdir(stateDir)).filter((name) => shouldBackUp(name)).sort();
  const chunks: Buffer[] = [];
  const stream = tar.c(
    {
      gzip: true,
      cwd: stateDir,
      portable: true,
      // Absolute symlinks point into this machine's paths; they would dangle after a restore elsewhere.
      filter: (path, stat) =>
        shouldBackUp(relative(".", path)) && !(isSymlink(stat) && isAbsoluteLink(stateDir, path)),
    },
    entries,
  );
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

function isSymlink(stat: unknown): boolean {
  return typeof (stat as { isSymbolicLink?: () => boolean })?.isSymbolicLink === "function"
    ? (stat as { isSymbolicLink: () => boolean }).isSymbolicLink()
    : false;
}

function isAbsoluteLink(stateDir: string, path: string): boolean {
  try {
    return isAbsolute(readlinkSync(join(stateDir, path)));
  } catch {
    return false;
  }
}

export async function backupState(blobs: BlobStore, userId: string, stateDir: string): Promise<number> {
  const body = await packState(stateDir);
  await blobs.put(stateBlobKey(userId), body);
  return body.byteLength;
}

export async function emptyDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
  await mkdir(path, { recursive: true, mode: 0o700 });
}
