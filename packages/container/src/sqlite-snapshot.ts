import { type ChildProcess, spawn } from "node:child_process";
import { open } from "node:fs/promises";
import type { Socket } from "node:net";

/** One database to copy: `source` (live, possibly in WAL mode) → `dest` (a new self-contained file). */
export interface SnapshotJob {
  source: string;
  dest: string;
}

/** Copies SQLite databases consistently while other processes may write to them. */
export interface SqliteSnapshotter {
  (jobs: readonly SnapshotJob[]): Promise<void>;
  /** Ends a helper process, if one was started. */
  close?: () => void;
}

const HEADER = Buffer.from("SQLite format 3\0", "latin1");

/** Whether a file starts with SQLite's header (the agent may keep its own databases in the workspace). */
export async function isSqliteFile(path: string): Promise<boolean> {
  const handle = await open(path, "r").catch(() => undefined);
  if (!handle) return false;
  try {
    const buf = Buffer.alloc(HEADER.length);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return bytesRead === HEADER.length && buf.equals(HEADER);
  } finally {
    await handle.close();
  }
}

// SQLite's online backup API (node:sqlite `backup`, Node ≥ 22.16): it reads through the WAL under
// SQLite's own locks, so the copy is a consistent database even while OpenClaw writes. A plain file
// copy of a live `-wal` is not. The child form reads one JSON line of jobs per request and answers
// one line each, so a per-turn checkpoint does not pay for starting a Node process.
const SCRIPT = `
import { DatabaseSync, backup } from "node:sqlite";
import { createInterface } from "node:readline";
for await (const line of createInterface({ input: process.stdin })) {
  const { id, jobs } = JSON.parse(line);
  try {
    for (const { source, dest } of jobs) {
      const db = new DatabaseSync(source);
      try { await backup(db, dest); } finally { db.close(); }
    }
    process.stdout.write(JSON.stringify({ id }) + "\\n");
  } catch (err) {
    process.stdout.write(JSON.stringify({ id, error: String(err && err.message || err) }) + "\\n");
  }
}
`;

type SqliteModule = {
  DatabaseSync: new (path: string) => { close(): void };
  backup?: (db: unknown, dest: string) => Promise<number>;
};

/**
 * In the image the task runs on Node 24 and uses node:sqlite itself. Local mode runs the task on the
 * repo's Node (20, no node:sqlite), so it runs the same few lines on OpenClaw's Node 24 in a child
 * started once and kept for the task's life (it exits when the task's end of its stdin closes).
 */
export function createSqliteSnapshotter(fallbackNode: string): SqliteSnapshotter {
  let inProcess: Promise<SqliteModule | undefined> | undefined;
  let worker: SnapshotWorker | undefined;
  const snapshot: SqliteSnapshotter = async (jobs) => {
    if (jobs.length === 0) return;
    inProcess ??= import("node:sqlite" as string).then(
      (m: SqliteModule) => (typeof m.backup === "function" ? m : undefined),
      () => undefined,
    );
    const sqlite = await inProcess;
    if (sqlite?.backup) {
      for (const { source, dest } of jobs) {
        const db = new sqlite.DatabaseSync(source);
        try {
          await sqlite.backup(db, dest);
        } finally {
          db.close();
        }
      }
      return;
    }
    if (!worker || worker.dead) worker = new SnapshotWorker(fallbackNode);
    await worker.run(jobs);
  };
  snapshot.close = () => worker?.close();
  return snapshot;
}

class SnapshotWorker {
  dead = false;
  private readonly child: ChildProcess;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private nextId = 0;
  private stderr = "";
  private lines = "";

  constructor(node: string) {
    this.child = spawn(node, ["--no-warnings", "--input-type=module", "-e", SCRIPT], {
      stdio: ["pipe", "pipe", "pipe"],
      // Its own process group: the signal that stops the task (sent to the task's group) must not
      // kill a snapshot half-way; it ends by itself when the task closes its stdin (or dies).
      detached: true,
    });
    this.child.stderr?.on("data", (c: Buffer) => {
      this.stderr = (this.stderr + c.toString("utf8")).slice(-2_000);
    });
    this.child.stdout?.on("data", (c: Buffer) => this.onData(c));
    this.child.once("error", (err) => this.fail(err));
    this.child.once("exit", (code, signal) =>
      this.fail(
        new Error(`SQLite snapshot worker exited (${signal ?? `exit ${code}`}): ${this.stderr.trim()}`),
      ),
    );
    this.child.stdin?.on("error", () => undefined);
    this.idle();
  }

  run(jobs: readonly SnapshotJob[]): Promise<void> {
    const id = this.nextId++;
    const done = new Promise<void>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.busy();
    this.child.stdin?.write(`${JSON.stringify({ id, jobs })}\n`);
    return done;
  }

  close(): void {
    this.dead = true;
    this.child.stdin?.end();
  }

  private onData(chunk: Buffer): void {
    this.lines += chunk.toString("utf8");
    for (let nl = this.lines.indexOf("\n"); nl >= 0; nl = this.lines.indexOf("\n")) {
      const line = this.lines.slice(0, nl);
      this.lines = this.lines.slice(nl + 1);
      const { id, error } = JSON.parse(line) as { id: number; error?: string };
      const waiter = this.waiting.get(id);
      this.waiting.delete(id);
      if (error) waiter?.reject(new Error(`SQLite snapshot failed: ${error}`));
      else waiter?.resolve();
    }
    if (this.waiting.size === 0) this.idle();
  }

  private fail(err: Error): void {
    this.dead = true;
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
  }

  // While no snapshot runs, the worker must not keep the task's process alive.
  private idle(): void {
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr])
      (s as Partial<Socket>)?.unref?.();
  }

  private busy(): void {
    this.child.ref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as Partial<Socket>)?.ref?.();
  }
}
