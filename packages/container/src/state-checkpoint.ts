import { randomBytes } from "node:crypto";
import { constants, copyFileSync, mkdirSync, symlinkSync } from "node:fs";
import { copyFile, rm, utimes } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import type { BlobStore } from "@serverless-openclaw/gateway/agent";
import type { Logger } from "@serverless-openclaw/shared";
import * as tar from "tar";
import type { PinnedSnapshot, SnapshotJob, SqliteSnapshotter } from "./sqlite-snapshot";
import { stateBlobKey } from "./state-archive";
import {
  type CheckpointLayer,
  type CheckpointManifest,
  type CheckpointTurn,
  checkpointPrefix,
  MAX_LAYERS,
  manifestKey,
} from "./state-manifest";
import { type EntryKind, hashFile, type ScanEntry, scanStateDir } from "./state-scan";

/** At most this many unconfirmed turns are named in a manifest (a store that keeps failing must not grow it). */
const MAX_TURNS = 50;
/** Files up to this size are copied in a row during the freeze (a turn's notes, transcripts, configs). */
const SYNC_COPY_BYTES = 4 * 2 ** 20;

interface Seen {
  kind: EntryKind;
  size: number;
  mtimeMs: number;
  hash: string;
}

export interface CheckpointStats {
  /** Files in the layer (0: nothing changed, no layer written). */
  files: number;
  deleted: number;
  full: boolean;
  /** Milliseconds the caller was held (the next turn waits only for this part). */
  frozenMs: number;
  /** Of which the SQLite pins took (local mode: a round trip to the helper process). */
  pinMs: number;
  /** Milliseconds from the start to the layer being ready to upload (frozen + the background part). */
  captureMs: number;
}

/** One checkpoint, taken by `capture()`. */
export interface Capture {
  /** Milliseconds `capture()` held its caller: the scan, the copies of changed files, the SQLite pins. */
  frozenMs: number;
  /** What the layer holds, once the background part is done; undefined when it failed (logged). */
  stats: Promise<CheckpointStats | undefined>;
  /** Settles once saved: true, or false when the capture or its upload failed (logged, never thrown). */
  upload: Promise<boolean>;
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

/** What the frozen part of a capture hands to the background part. */
interface Frozen {
  id: string;
  /** Orders checkpoints: the manifest of this one names the turns that ended before it (seq <= this). */
  seq: number;
  staging: string;
  full: boolean;
  started: number;
  frozenMs: number;
  pinMs: number;
  /** Entries whose copy in staging is what this checkpoint holds (files and databases), to be hashed. */
  copied: Array<{ rel: string; entry: ScanEntry }>;
  /** The state of every entry that needs no hashing (links, files unchanged since the last scan). */
  next: Map<string, Seen>;
  /** Links that changed (already in staging). */
  changedLinks: string[];
  pinned: PinnedSnapshot;
}

/**
 * Captures what changed in the state dir since the last checkpoint, then uploads it in the background,
 * one upload at a time, in order.
 *
 * A capture holds its caller (the next turn) only while it freezes the state as it is: a scan, a copy
 * of each file whose size or mtime changed (small: what a turn wrote) and a pin of each SQLite database
 * (a read transaction, `sqlite-snapshot.ts`). The databases are then copied from their pins, the copies
 * hashed and the layer packed in the background, while the next turn already runs and writes; what
 * the layer holds is still the state at the end of the turn. Captures are chained (each diffs against
 * the one before): a capture waits for the background part of the previous one.
 */
export class StateCheckpointer {
  private seen = new Map<string, Seen>();
  private layers: CheckpointLayer[] = [];
  /** Layers the manifest will hold once every queued upload is done (compaction decides on it). */
  private plannedLayers = 0;
  /** Set when an upload failed: what S3 holds is then unknown, so the next checkpoint is full. */
  private forceFull = true;
  /** An upload failed: layers queued after it would skip its changes, so they wait for a full one. */
  private uploadBroken = false;
  /** The previous capture, to its end (background part included). */
  private capturing: Promise<unknown> = Promise.resolve();
  private uploading: Promise<void> = Promise.resolve();
  /**
   * Turns that ended before a checkpoint was frozen (so every later checkpoint holds them) and whose
   * reply is not known to be stored: each manifest names those frozen into it (seq <= its own).
   */
  private unconfirmed: Array<{ seq: number; turn: CheckpointTurn }> = [];
  private seq = 0;
  /** Totals since boot, for the log and the benchmark. */
  readonly totals = { checkpoints: 0, bytes: 0, requests: 0, frozenMs: 0, captureMs: 0, uploadMs: 0 };

  constructor(private readonly options: CheckpointerOptions) {}

  /**
   * After a restore: what is on disk now is what is saved, including `turns` (the restored manifest's),
   * which the next manifests keep naming until they are answered.
   */
  async baseline(layers: CheckpointLayer[], turns: CheckpointTurn[] = []): Promise<void> {
    this.unconfirmed = turns.map((turn) => ({ seq: 0, turn }));
    this.layers = [...layers];
    this.plannedLayers = layers.length;
    // An archive of an older version has no layers: the first checkpoint writes a full one.
    this.forceFull = layers.length === 0;
    this.seen = new Map();
    for (const entry of this.scan()) {
      const hash = entry.kind === "link" ? `link:${entry.target}` : await hashFile(entry.abs);
      this.seen.set(entry.rel, { kind: entry.kind, size: entry.size, mtimeMs: entry.mtimeMs, hash });
    }
  }

  /**
   * Freezes the state and resolves (the caller may change the state dir again from then on); the rest
   * of the capture and the upload go on in the background. Rejects only when the freeze failed.
   * `turn`: the turn that just ended (its manifest, and every later one until `answered`, names it).
   */
  capture(turn?: CheckpointTurn): Promise<Capture> {
    const frozen = this.capturing.then(() => this.freeze(turn));
    const finished = frozen.then((f) => this.finish(f));
    this.capturing = finished.catch(() => undefined);
    return frozen.then(({ frozenMs }) => {
      const settled = finished.catch(() => undefined);
      return {
        frozenMs,
        stats: settled.then((r) => r?.stats),
        upload: settled.then((r) => (r ? r.upload : false)),
      };
    });
  }

  /** The turn's reply is stored: later manifests need not name it. */
  answered(pendingId: string): void {
    this.unconfirmed = this.unconfirmed.filter((u) => u.turn.pendingId !== pendingId);
  }

  /** Resolves when every capture and upload queued so far has finished. */
  async flush(): Promise<void> {
    await this.capturing;
    await this.uploading;
  }

  private async freeze(turn: CheckpointTurn | undefined): Promise<Frozen> {
    const started = performance.now();
    const seq = ++this.seq;
    // Named from this checkpoint on, even if this one fails: any later one also holds the turn.
    if (turn) this.unconfirmed = [...this.unconfirmed, { seq, turn }].slice(-MAX_TURNS);
    const full = this.forceFull || this.plannedLayers >= MAX_LAYERS;
    const id = `${Date.now().toString().padStart(13, "0")}-${randomBytes(4).toString("hex")}`;
    const staging = join(this.options.stagingDir, id);
    mkdirSync(staging, { recursive: true, mode: 0o700 });
    const next = new Map<string, Seen>();
    const copied: Frozen["copied"] = [];
    const changedLinks: string[] = [];
    const dbJobs: SnapshotJob[] = [];
    try {
      for (const entry of this.scan()) {
        const prev = this.seen.get(entry.rel);
        const dest = join(staging, entry.rel);
        if (entry.kind === "link") {
          const hash = `link:${entry.target}`;
          next.set(entry.rel, { kind: "link", size: 0, mtimeMs: 0, hash });
          if (full || prev?.hash !== hash) {
            mkdirSync(join(dest, ".."), { recursive: true });
            symlinkSync(entry.target ?? "", dest);
            changedLinks.push(entry.rel);
          }
          continue;
        }
        if (
          entry.kind === "file" &&
          !full &&
          prev?.kind === "file" &&
          prev.size === entry.size &&
          prev.mtimeMs === entry.mtimeMs
        ) {
          next.set(entry.rel, prev);
          continue;
        }
        mkdirSync(join(dest, ".."), { recursive: true });
        // A reflink where the filesystem has them (instant, copy-on-write), a copy elsewhere; in a row
        // for what a turn usually writes (see walk), through the thread pool for a big file.
        if (entry.kind === "db") dbJobs.push({ source: entry.abs, dest });
        else if (entry.size <= SYNC_COPY_BYTES) copyFileSync(entry.abs, dest, constants.COPYFILE_FICLONE);
        else await copyFile(entry.abs, dest, constants.COPYFILE_FICLONE);
        copied.push({ rel: entry.rel, entry });
      }
      const pinStarted = performance.now();
      const pinned = await this.options.snapshot.pin(dbJobs);
      const now = performance.now();
      const frozenMs = Math.round(now - started);
      const pinMs = Math.round(now - pinStarted);
      return { id, seq, staging, full, started, frozenMs, pinMs, copied, next, changedLinks, pinned };
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      throw err;
    }
  }

  /** The background part: the databases copied from their pins, hashes, the diff, the upload queued. */
  private async finish(f: Frozen): Promise<{ stats: CheckpointStats; upload: Promise<boolean> } | undefined> {
    const { staging, full, next } = f;
    const changed = [...f.changedLinks];
    try {
      await f.pinned.copy();
      for (const { rel, entry } of f.copied) {
        const dest = join(staging, rel);
        const hash = await hashFile(dest);
        const prev = this.seen.get(rel);
        next.set(rel, { kind: entry.kind, size: entry.size, mtimeMs: entry.mtimeMs, hash });
        if (full || prev?.hash !== hash) {
          if (entry.kind === "file")
            await utimes(dest, new Date(), new Date(entry.mtimeMs)).catch(() => undefined);
          changed.push(rel);
        } else await rm(dest, { force: true });
      }
    } catch (err) {
      f.pinned.release();
      await rm(staging, { recursive: true, force: true });
      // Nothing of this checkpoint is kept: the next one diffs against the last good one.
      this.options.logger.warn("checkpoint capture failed", { error: err });
      return undefined;
    }
    const deleted = full ? [] : [...this.seen.keys()].filter((rel) => !next.has(rel));
    this.seen = next;
    const captureMs = Math.round(performance.now() - f.started);
    const stats: CheckpointStats = {
      files: changed.length,
      deleted: deleted.length,
      full,
      frozenMs: f.frozenMs,
      pinMs: f.pinMs,
      captureMs,
    };
    this.totals.frozenMs += f.frozenMs;
    this.totals.captureMs += captureMs;
    if (changed.length === 0 && deleted.length === 0) {
      await rm(staging, { recursive: true, force: true });
      return { stats, upload: Promise.resolve(true) };
    }
    this.forceFull = false;
    this.plannedLayers = full ? 1 : this.plannedLayers + 1;
    const upload = this.uploading.then(() =>
      this.upload(f.id, f.seq, staging, changed.sort(), deleted.sort(), full),
    );
    this.uploading = upload.then(() => undefined);
    return { stats, upload };
  }

  private async upload(
    id: string,
    seq: number,
    staging: string,
    files: string[],
    deleted: string[],
    full: boolean,
  ): Promise<boolean> {
    const { blobs, userId, logger } = this.options;
    const started = performance.now();
    try {
      if (this.uploadBroken && !full) return false;
      let layer: CheckpointLayer = { bytes: 0, deleted };
      let requests = 1;
      if (files.length > 0) {
        const body = await packLayer(staging, files);
        layer = { key: `${checkpointPrefix(userId)}layer-${id}.tar.gz`, bytes: body.byteLength, deleted };
        await blobs.put(layer.key as string, body);
        requests += 1;
      }
      const previous = this.layers;
      const layers = full ? [layer] : [...previous, layer];
      const turns = this.unconfirmed.filter((u) => u.seq <= seq).map((u) => u.turn);
      const manifest: CheckpointManifest = {
        version: 1,
        savedAt: new Date().toISOString(),
        layers,
        ...(turns.length > 0 ? { turns } : {}),
      };
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

  private scan(): ScanEntry[] {
    return scanStateDir(this.options.stateDir);
  }
}

// The layer is packed while the next turn runs, in the task's process. tar's own `gzip` option
// compresses synchronously on the event loop (minizlib): a layer of ~1-2 MB of databases held the loop
// 80-270 ms at a time on a loaded machine, and the next turn's stream waited behind it. Node's zlib
// stream compresses on the thread pool instead; the archive is the same tar.gz.
async function packLayer(staging: string, files: string[]): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  await pipeline(
    tar.c({ cwd: staging, portable: true }, files) as unknown as Readable,
    createGzip(),
    async (gzipped: AsyncIterable<Buffer>) => {
      for await (const chunk of gzipped) chunks.push(chunk);
    },
  );
  return new Uint8Array(Buffer.concat(chunks));
}
