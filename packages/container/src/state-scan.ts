import { createHash } from "node:crypto";
import { createReadStream, lstatSync, readdirSync, readlinkSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { isSqliteFileSync } from "./sqlite-snapshot";
import { shouldBackUp } from "./state-archive";

// What the checkpointer sees of OpenClaw's state dir: the entries worth saving (state-archive.ts's
// shouldBackUp), each a file, a relative link or a SQLite database, and a file's content hash.

export type EntryKind = "file" | "link" | "db";

/** Every entry of the state dir worth saving, in a stable order. */
export function scanStateDir(root: string): ScanEntry[] {
  const out: ScanEntry[] = [];
  walk(root, "", out);
  return out;
}

export interface ScanEntry {
  rel: string;
  abs: string;
  kind: EntryKind;
  size: number;
  mtimeMs: number;
  target?: string;
}

const JOURNAL = /^(.*)-(wal|shm|journal)$/;
const DB_NAME = /\.(sqlite3?|db)$/i;

// Synchronous on purpose: the scan is on the next turn's path, and a few dozen lstat calls take well
// under a millisecond in a row, while each one awaited through the thread pool waits for a scheduling
// slot of its own on a busy machine (tens of milliseconds a scan at load 25).
function walk(root: string, rel: string, out: ScanEntry[]): void {
  const dir = join(root, rel);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const present = new Set(names);
  for (const name of names.sort()) {
    const childRel = rel ? `${rel}/${name}` : name;
    if (!shouldBackUp(childRel)) continue;
    // A database's journal files: the snapshot of the database already holds their committed pages.
    const journalOf = JOURNAL.exec(name)?.[1];
    if (journalOf && present.has(journalOf)) continue;
    const abs = join(dir, name);
    const stat = lstatSync(abs, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isDirectory()) {
      walk(root, childRel, out);
    } else if (stat.isSymbolicLink()) {
      const target = readlinkOrUndefined(abs);
      // An absolute link points into this machine's paths; it would dangle after a restore elsewhere.
      if (target && !isAbsolute(target))
        out.push({ rel: childRel, abs, kind: "link", size: 0, mtimeMs: 0, target });
    } else if (stat.isFile()) {
      const kind: EntryKind = DB_NAME.test(name) && isSqliteFileSync(abs) ? "db" : "file";
      out.push({ rel: childRel, abs, kind, size: stat.size, mtimeMs: stat.mtimeMs });
    }
  }
}

function readlinkOrUndefined(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

export function hashFile(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("data", (c) => hash.update(c))
      .on("error", reject)
      .on("end", () => resolvePromise(hash.digest("hex")));
  });
}
