import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, lstat, mkdir, readdir, readlink, rm, symlink, utimes } from "node:fs/promises";
import { isAbsolute, join, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { BlobStore } from "@serverless-openclaw/gateway/agent";
import type { Logger } from "@serverless-openclaw/shared";
import * as tar from "tar";
import * as z from "zod";
import { isSqliteFile, type SnapshotJob, type SqliteSnapshotter } from "./sqlite-snapshot";
import { shouldBackUp, stateBlobKey } from "./state-archive";

/**
 * Per-turn checkpoints of OpenClaw's state dir, so a crash after a final reply loses nothing.
 *
 * Layout under `users/<id>/openclaw-state/`: `manifest.json` lists layers, oldest first; each layer is a
 * tar.gz of the files that changed since the one before, plus the paths deleted since. The first layer
 * is full. Restore = every layer in order. A layer is written before the manifest that names it, so a
 * crash between the two leaves the previous manifest intact (and one orphan blob, removed at the next
 * compaction). After MAX_LAYERS layers the next checkpoint is full again, which bounds a restore to
 * MAX_LAYERS + 1 GETs.
 */
export const checkpointPrefix = (userId: string) => `users/${userId}/openclaw-state/`;
export const manifestKey = (userId: string) => `${checkpointPrefix(userId)}manifest.json`;
export const MAX_LAYERS = 8;

const manifestSchema = z.object({
  version: z.literal(1),
  savedAt: z.string(),
  // A layer of deletions only has no archive (no key).
  layers: z.array(z.object({ key: z.string().optional(), bytes: z.number(), deleted: z.array(z.string()) })),
});
export type CheckpointManifest = z.infer<typeof manifestSchema>;
type Layer = CheckpointManifest["layers"][number];

/** Whether anything of the user's state is saved (a checkpoint, or an archive of an older version). */
export async function hasSavedState(blobs: BlobStore, userId: string): Promise<boolean> {
  return (
    (await blobs.get(manifestKey(userId))) !== undefined ||
    (await blobs.get(stateBlobKey(userId))) !== undefined
  );
}

export async function readManifest(
  blobs: BlobStore,
  userId: string,
): Promise<CheckpointManifest | undefined> {
  const raw = await blobs.get(manifestKey(userId));
  if (!raw) return undefined;
  const manifest = manifestSchema.parse(JSON.parse(Buffer.from(raw).toString("utf8")));
  const prefix = checkpointPrefix(userId);
  for (const layer of manifest.layers)
    if (layer.key !== undefined && !layer.key.startsWith(prefix))
      throw new Error(`checkpoint layer outside the user's prefix: ${layer.key}`);
  return manifest;
}

/**
 * Restores the latest checkpoint into `stateDir` (empty or absent); falls back to the single archive
 * older versions wrote at a clean stop. Returns the layers restored (empty for an archive), or
 * undefined on a first boot.
 */
export async function restoreCheckpoint(
  blobs: BlobStore,
  userId: string,
  stateDir: string,
): Promise<{ layers: Layer[]; source: "checkpoint" | "archive" } | undefined> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const manifest = await readManifest(blobs, userId);
  if (!manifest) {
    const body = await blobs.get(stateBlobKey(userId));
    if (!body) return undefined;
    await extract(body, stateDir);
    return { layers: [], source: "archive" };
  }
  // Fetched in parallel, applied in order.
  const bodies = await Promise.all(
    manifest.layers.map(async (layer) => {
      if (layer.key === undefined) return undefined;
      const body = await blobs.get(layer.key);
      if (!body) throw new Error(`checkpoint layer missing: ${layer.key}`);
      return body;
    }),
  );
  for (const [i, layer] of manifest.layers.entries()) {
    for (const rel of layer.deleted) await rm(inside(stateDir, rel), { recursive: true, force: true });
    const body = bodies[i];
    if (body) await extract(body, stateDir);
  }
  return { layers: manifest.layers, source: "checkpoint" };
}

async function extract(body: Uint8Array, stateDir: string): Promise<void> {
  await pipeline(Readable.from([Buffer.from(body)]), tar.x({ cwd: stateDir, preservePaths: false }));
}

function inside(root: string, rel: string): string {
  const path = resolve(root, rel);
  if (isAbsolute(rel) || !path.startsWith(`${resolve(root)}${sep}`))
    throw new Error(`path outside the state dir: ${rel}`);
  return path;
}

type Kind = "file" | "link" | "db";
interface Seen {
  kind: Kind;
  size: number;
  mtimeMs: number;
  hash: string;
}

export interface CheckpointStats {
  /** Files in the layer (0: nothing changed, no layer written). */
  files: number;
  deleted: number;
  full: boolean;
  /** Milliseconds spent capturing (the part a following turn waits for). */
  captureMs: number;
}

export interface CheckpointerOptions {
  blobs: BlobStore;
  userId: string;
  stateDir: string;
  /** Where captured copies wait for their upload (same disk as the state dir). */
  stagingDir: string;
  snapshot: SqliteSnapshotter;
  logger: Logger;
}

/**
 * Captures what changed in the state dir since the last checkpoint (SQLite databases through the online
 * backup API, other files copied), then uploads it in the background, one upload at a time, in order.
 */
export class StateCheckpointer {
  private seen = new Map<string, Seen>();
  private layers: Layer[] = [];
  /** Layers the manifest will hold once every queued upload is done (compaction decides on it). */
  private plannedLayers = 0;
  /** Set when an upload failed: what S3 holds is then unknown, so the next checkpoint is full. */
  private forceFull = true;
  /** An upload failed: layers queued after it would skip its changes, so they wait for a full one. */
  private uploadBroken = false;
  private capturing: Promise<unknown> = Promise.resolve();
  private uploading: Promise<void> = Promise.resolve();
  /** Totals since boot, for the log and the benchmark. */
  readonly totals = { checkpoints: 0, bytes: 0, requests: 0, captureMs: 0, uploadMs: 0 };

  constructor(private readonly options: CheckpointerOptions) {}

  /** After a restore: what is on disk now is what is saved. */
  async baseline(layers: Layer[]): Promise<void> {
    this.layers = [...layers];
    this.plannedLayers = layers.length;
    // An archive of an older version has no layers: the first checkpoint writes a full one.
    this.forceFull = layers.length === 0;
    this.seen = new Map();
    for (const entry of await this.scan()) {
      const hash = entry.kind === "link" ? `link:${entry.target}` : await hashFile(entry.abs);
      this.seen.set(entry.rel, { kind: entry.kind, size: entry.size, mtimeMs: entry.mtimeMs, hash });
    }
  }

  /**
   * Captures a checkpoint and queues its upload; resolves once captured. `upload` resolves when it is
   * saved (or failed: an upload failure is logged, never thrown, and makes the next checkpoint full).
   */
  capture(): Promise<{ stats: CheckpointStats; upload: Promise<boolean> }> {
    const run = this.capturing.then(() => this.captureNow());
    this.capturing = run.catch(() => undefined);
    return run;
  }

  /** Resolves when every queued upload has finished. */
  async flush(): Promise<void> {
    await this.capturing;
    await this.uploading;
  }

  private async captureNow(): Promise<{ stats: CheckpointStats; upload: Promise<boolean> }> {
    const started = performance.now();
    const full = this.forceFull || this.plannedLayers >= MAX_LAYERS;
    const id = `${Date.now().toString().padStart(13, "0")}-${randomBytes(4).toString("hex")}`;
    const staging = join(this.options.stagingDir, id);
    await mkdir(staging, { recursive: true, mode: 0o700 });
    const entries = await this.scan();
    const next = new Map<string, Seen>();
    const changed: string[] = [];
    const dbJobs: Array<SnapshotJob & { rel: string; entry: ScanEntry }> = [];
    try {
      for (const entry of entries) {
        const prev = this.seen.get(entry.rel);
        const dest = join(staging, entry.rel);
        if (entry.kind === "db") {
          await mkdir(join(dest, ".."), { recursive: true });
          dbJobs.push({ source: entry.abs, dest, rel: entry.rel, entry });
          continue;
        }
        if (entry.kind === "link") {
          const hash = `link:${entry.target}`;
          next.set(entry.rel, { kind: "link", size: 0, mtimeMs: 0, hash });
          if (full || prev?.hash !== hash) {
            await mkdir(join(dest, ".."), { recursive: true });
            await symlink(entry.target ?? "", dest);
            changed.push(entry.rel);
          }
          continue;
        }
        if (
          !full &&
          prev &&
          prev.kind === "file" &&
          prev.size === entry.size &&
          prev.mtimeMs === entry.mtimeMs
        ) {
          next.set(entry.rel, prev);
          continue;
        }
        await mkdir(join(dest, ".."), { recursive: true });
        await copyFile(entry.abs, dest);
        const hash = await hashFile(dest);
        next.set(entry.rel, { kind: "file", size: entry.size, mtimeMs: entry.mtimeMs, hash });
        if (full || prev?.hash !== hash) {
          await utimes(dest, new Date(), new Date(entry.mtimeMs)).catch(() => undefined);
          changed.push(entry.rel);
        } else await rm(dest, { force: true });
      }
      await this.options.snapshot(dbJobs);
      for (const job of dbJobs) {
        const hash = await hashFile(job.dest);
        const prev = this.seen.get(job.rel);
        next.set(job.rel, { kind: "db", size: job.entry.size, mtimeMs: job.entry.mtimeMs, hash });
        if (full || prev?.hash !== hash) changed.push(job.rel);
        else await rm(job.dest, { force: true });
      }
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      throw err;
    }
    const deleted = full ? [] : [...this.seen.keys()].filter((rel) => !next.has(rel));
    this.seen = next;
    const captureMs = Math.round(performance.now() - started);
    const stats: CheckpointStats = { files: changed.length, deleted: deleted.length, full, captureMs };
    this.totals.captureMs += captureMs;
    if (changed.length === 0 && deleted.length === 0) {
      await rm(staging, { recursive: true, force: true });
      return { stats, upload: Promise.resolve(true) };
    }
    this.forceFull = false;
    this.plannedLayers = full ? 1 : this.plannedLayers + 1;
    const upload = this.uploading.then(() => this.upload(id, staging, changed.sort(), deleted.sort(), full));
    this.uploading = upload.then(() => undefined);
    return { stats, upload };
  }

  private async upload(
    id: string,
    staging: string,
    files: string[],
    deleted: string[],
    full: boolean,
  ): Promise<boolean> {
    const { blobs, userId, logger } = this.options;
    const started = performance.now();
    try {
      if (this.uploadBroken && !full) return false;
      let layer: Layer = { bytes: 0, deleted };
      let requests = 1;
      if (files.length > 0) {
        const body = await packLayer(staging, files);
        layer = { key: `${checkpointPrefix(userId)}layer-${id}.tar.gz`, bytes: body.byteLength, deleted };
        await blobs.put(layer.key as string, body);
        requests += 1;
      }
      const previous = this.layers;
      const layers = full ? [layer] : [...previous, layer];
      const manifest: CheckpointManifest = { version: 1, savedAt: new Date().toISOString(), layers };
      const manifestBody = Buffer.from(JSON.stringify(manifest));
      await blobs.put(manifestKey(userId), manifestBody);
      this.layers = layers;
      this.uploadBroken = false;
      if (full) {
        // Layers the new manifest no longer names, and the single archive older versions wrote.
        const stale = [...previous.flatMap((l) => (l.key ? [l.key] : [])), stateBlobKey(userId)];
        await Promise.all(stale.map((key) => blobs.delete(key).catch(() => undefined)));
        requests += stale.length;
      }
      const uploadMs = Math.round(performance.now() - started);
      this.totals.checkpoints += 1;
      this.totals.bytes += layer.bytes + manifestBody.byteLength;
      this.totals.requests += requests;
      this.totals.uploadMs += uploadMs;
      logger.info("checkpoint saved", {
        files: files.length,
        deleted: deleted.length,
        full,
        bytes: layer.bytes + manifestBody.byteLength,
        requests,
        uploadMs,
        layers: layers.length,
      });
      return true;
    } catch (err) {
      this.forceFull = true;
      this.uploadBroken = true;
      logger.warn("checkpoint upload failed; the next checkpoint is full", { error: err });
      return false;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  private async scan(): Promise<ScanEntry[]> {
    const out: ScanEntry[] = [];
    await walk(this.options.stateDir, "", out);
    return out;
  }
}

interface ScanEntry {
  rel: string;
  abs: string;
  kind: Kind;
  size: number;
  mtimeMs: number;
  target?: string;
}

const JOURNAL = /^(.*)-(wal|shm|journal)$/;
const DB_NAME = /\.(sqlite3?|db)$/i;

async function walk(root: string, rel: string, out: ScanEntry[]): Promise<void> {
  const dir = join(root, rel);
  const names = await readdir(dir).catch(() => [] as string[]);
  const present = new Set(names);
  for (const name of names.sort()) {
    const childRel = rel ? `${rel}/${name}` : name;
    if (!shouldBackUp(childRel)) continue;
    // A database's journal files: the snapshot of the database already holds their committed pages.
    const journalOf = JOURNAL.exec(name)?.[1];
    if (journalOf && present.has(journalOf)) continue;
    const abs = join(dir, name);
    const stat = await lstat(abs).catch(() => undefined);
    if (!stat) continue;
    if (stat.isDirectory()) {
      await walk(root, childRel, out);
    } else if (stat.isSymbolicLink()) {
      const target = await readlink(abs).catch(() => undefined);
      // An absolute link points into this machine's paths; it would dangle after a restore elsewhere.
      if (target && !isAbsolute(target))
        out.push({ rel: childRel, abs, kind: "link", size: 0, mtimeMs: 0, target });
    } else if (stat.isFile()) {
      const kind: Kind = DB_NAME.test(name) && (await isSqliteFile(abs)) ? "db" : "file";
      out.push({ rel: childRel, abs, kind, size: stat.size, mtimeMs: stat.mtimeMs });
    }
  }
}

async function packLayer(staging: string, files: string[]): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  const stream = tar.c({ gzip: true, cwd: staging, portable: true }, files);
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

function hashFile(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("data", (c) => hash.update(c))
      .on("error", reject)
      .on("end", () => resolvePromise(hash.digest("hex")));
  });
}
