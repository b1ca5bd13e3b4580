import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readSync } from "node:fs";
import type { Socket } from "node:net";

/** One database to copy: `source` (live, possibly in WAL mode) → `dest` (a new self-contained file). */
export interface SnapshotJob {
  source: string;
  dest: string;
}

/** Databases held at one moment (`pin`), written out later, while their writers go on. */
export interface PinnedSnapshot {
  /** Writes every pinned database to its `dest` as it was when pinned, then lets go of it. */
  copy(): Promise<void>;
  /** Lets go without copying (a capture that failed after the pin). */
  release(): void;
}

/** Copies SQLite databases consistently while other processes may write to them. */
export interface SqliteSnapshotter {
  /**
   * Holds each database as it is now. A database in WAL mode is held by a read transaction (a few
   * page reads, no copy): its writers carry on, appending to the WAL, and `copy()` later reads the
   * held version. Any other database is copied at once, since a held read lock would stop its writers.
   */
  pin(jobs: readonly SnapshotJob[]): Promise<PinnedSnapshot>;
  /** Starts the helper process now, if one is needed, so the first pin does not pay for its start. */
  prepare?: () => void;
  /** Ends the helper process, if one was started. */
  close?: () => void;
}

const HEADER = Buffer.from("SQLite format 3\0", "latin1");

/**
 * Whether a file starts with SQLite's header (the agent may keep its own databases in the workspace).
 * Synchronous: the checkpoint's scan is on the next turn's path (state-checkpoint.ts walk).
 */
export function isSqliteFileSync(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return false;
  }
  try {
    const buf = Buffer.alloc(HEADER.length);
    return readSync(fd, buf, 0, buf.length, 0) === HEADER.length && buf.equals(HEADER);
  } finally {
    closeSync(fd);
  }
}

// The one implementation, run in the task (Node 24, the image) or in a helper (local mode, where the
// task runs on the repo's Node 20, which has no node:sqlite). SQLite's online backup API (node:sqlite
// `backup`) copies through the WAL under SQLite's own locks, so the copy is a consistent database even
// while OpenClaw writes; a plain copy of a live `-wal` is not. The backup reads inside the read
// transaction the source connection already holds (SQLite's sqlite3_backup_step only opens one when
// none is open), so what it copies is the database as of the pin, however much was written since.
const CORE = `
export function pinAll(sqlite, jobs) {
  return jobs.reduce(async (held, { source, dest }) => {
    const out = await held;
    // A writer's lock held for a moment (a WAL reset) is waited out rather than failing the checkpoint.
    const db = new sqlite.DatabaseSync(source, { timeout: 5000 });
    try {
      const mode = String(Object.values(db.prepare("PRAGMA journal_mode").get() ?? {})[0]).toLowerCase();
      if (mode !== "wal") {
        await sqlite.backup(db, dest);
        db.close();
        return out;
      }
      db.exec("BEGIN");
      db.prepare("SELECT count(*) FROM sqlite_schema").get();
    } catch (err) {
      try { db.close(); } catch {}
      releaseAll(out);
      throw err;
    }
    return [...out, { db, dest }];
  }, Promise.resolve([]));
}
export async function copyAll(sqlite, held) {
  try {
    for (const { db, dest } of held) await sqlite.backup(db, dest);
  } finally {
    releaseAll(held);
  }
}
export function releaseAll(held) {
  for (const { db } of held) {
    try { db.exec("ROLLBACK"); } catch {}
    try { db.close(); } catch {}
  }
}
`;

// The helper: one JSON line per request, one line per answer. Pins live in it between their pin and
// their copy or release.
const WORKER = `${CORE}
import * as sqlite from "node:sqlite";
import { createInterface } from "node:readline";
const pins = new Map();
const answer = (o) => process.stdout.write(JSON.stringify(o) + "\\n");
for await (const line of createInterface({ input: process.stdin })) {
  const { id, op, pin, jobs } = JSON.parse(line);
  try {
    if (op === "pin") pins.set(id, await pinAll(sqlite, jobs));
    else if (op === "copy") await copyAll(sqlite, pins.get(pin) ?? []);
    else releaseAll(pins.get(pin) ?? []);
    if (op !== "pin") pins.delete(pin);
    answer({ id });
  } catch (err) {
    answer({ id, error: String((err && err.message) || err) });
  }
}
`;

type SqliteModule = { DatabaseSync: unknown; backup?: unknown };
type Held = unknown[];
interface Core {
  pinAll(sqlite: SqliteModule, jobs: readonly SnapshotJob[]): Promise<Held>;
  copyAll(sqlite: SqliteModule, held: Held): Promise<void>;
  releaseAll(held: Held): void;
}

/**
 * In the image the task runs on Node 24 and uses node:sqlite itself. Local mode runs the task on the
 * repo's Node (20, no node:sqlite), so it runs the same code on OpenClaw's Node 24 in a child started
 * once and kept for the task's life (it exits when the task's end of its stdin closes).
 */
export function createSqliteSnapshotter(fallbackNode: string): SqliteSnapshotter {
  let inProcess: Promise<{ sqlite: SqliteModule; core: Core } | undefined> | undefined;
  let worker: SnapshotWorker | undefined;
  const local = () => {
    inProcess ??= import("node:sqlite" as string).then(
      async (sqlite: SqliteModule) =>
        typeof sqlite.backup === "function"
          ? {
              sqlite,
              core: (await import(
                `data:text/javascript;base64,${Buffer.from(CORE).toString("base64")}`
              )) as Core,
            }
          : undefined,
      () => undefined,
    );
    return inProcess;
  };
  const helper = () => {
    if (!worker || worker.dead) worker = new SnapshotWorker(fallbackNode);
    return worker;
  };
  return {
    async pin(jobs) {
      if (jobs.length === 0) return { copy: async () => undefined, release: () => undefined };
      const own = await local();
      if (own) {
        const held = await own.core.pinAll(own.sqlite, jobs);
        return { copy: () => own.core.copyAll(own.sqlite, held), release: () => own.core.releaseAll(held) };
      }
      const w = helper();
      const pin = await w.pin(jobs);
      return {
        copy: () => w.request({ op: "copy", pin }),
        release: () => void w.request({ op: "release", pin }).catch(() => undefined),
      };
    },
    prepare() {
      void local().then((own) => {
        if (!own) helper();
      });
    },
    close: () => worker?.close(),
  };
}

class SnapshotWorker {
  dead = false;
  private readonly child: ChildProcess;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private nextId = 0;
  private stderr = "";
  private lines = "";

  constructor(node: string) {
    this.child = spawn(node, ["--no-warnings", "--input-type=module", "-e", WORKER], {
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

  /** Pins in the helper; resolves with the pin's id, which its copy or release names. */
  async pin(jobs: readonly SnapshotJob[]): Promise<number> {
    const { id, done } = this.send({ op: "pin", jobs });
    await done;
    return id;
  }

  request(body: { op: "copy" | "release"; pin: number }): Promise<void> {
    return this.send(body).done;
  }

  private send(body: Record<string, unknown>): { id: number; done: Promise<void> } {
    const id = this.nextId++;
    if (this.dead)
      return { id, done: Promise.reject(new Error(`SQLite snapshot worker is gone: ${this.stderr.trim()}`)) };
    const done = new Promise<void>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.busy();
    this.child.stdin?.write(`${JSON.stringify({ id, ...body })}\n`);
    return { id, done };
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
