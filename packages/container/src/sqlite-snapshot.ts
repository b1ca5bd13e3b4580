import { spawn } from "node:child_process";
import { open } from "node:fs/promises";

/** One database to copy: `source` (live, possibly in WAL mode) → `dest` (a new self-contained file). */
export interface SnapshotJob {
  source: string;
  dest: string;
}

/** Copies SQLite databases consistently while other processes may write to them. */
export type SqliteSnapshotter = (jobs: readonly SnapshotJob[]) => Promise<void>;

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
// copy of a live `-wal` is not.
const SCRIPT = `
import { DatabaseSync, backup } from "node:sqlite";
for (const { source, dest } of JSON.parse(process.argv[1])) {
  const db = new DatabaseSync(source);
  try { await backup(db, dest); } finally { db.close(); }
}
`;

type SqliteModule = {
  DatabaseSync: new (path: string) => { close(): void };
  backup?: (db: unknown, dest: string) => Promise<number>;
};

/**
 * In the image the task runs on Node 24 and uses node:sqlite itself. Local mode runs the task on the
 * repo's Node (20, no node:sqlite), so it runs the same few lines on OpenClaw's Node 24 in a child.
 */
export function createSqliteSnapshotter(fallbackNode: string): SqliteSnapshotter {
  let inProcess: Promise<SqliteModule | undefined> | undefined;
  return async (jobs) => {
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
    await runChild(fallbackNode, jobs);
  };
}

function runChild(node: string, jobs: readonly SnapshotJob[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, ["--no-warnings", "--input-type=module", "-e", SCRIPT, JSON.stringify(jobs)], {
      stdio: ["ignore", "ignore", "pipe"],
      // Its own process group: the signal that stops the task (sent to the task's group) must not
      // kill a snapshot half-way; it ends by itself within moments.
      detached: true,
    });
    let stderr = "";
    child.stderr?.on("data", (c: Buffer) => {
      stderr = (stderr + c.toString("utf8")).slice(-2_000);
    });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`SQLite snapshot failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });
}
