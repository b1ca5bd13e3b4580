import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BlobStore } from "@serverless-openclaw/gateway/agent";
import { createMemoryStores } from "@serverless-openclaw/gateway/local";
import { Redactor } from "@serverless-openclaw/shared";
import { openclawRuntime } from "@serverless-openclaw/testkit/openclaw";
import { afterEach, describe, expect, it } from "vitest";
import { createJsonLogger } from "../../src/logger";
import { createSqliteSnapshotter, type SqliteSnapshotter } from "../../src/sqlite-snapshot";
import { packState, stateBlobKey } from "../../src/state-archive";
import { StateCheckpointer } from "../../src/state-checkpoint";
import {
  checkpointPrefix,
  MAX_LAYERS,
  manifestKey,
  readManifest,
  restoreCheckpoint,
} from "../../src/state-manifest";

const node24 = openclawRuntime().nodeBin;
const dirs: string[] = [];
const children: ChildProcess[] = [];
const temp = async () => {
  const d = await mkdtemp(join(tmpdir(), "state-checkpoint-"));
  dirs.push(d);
  return d;
};
afterEach(async () => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
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

async function put(dir: string, rel: string, body: string): Promise<void> {
  await mkdir(join(dir, rel, ".."), { recursive: true });
  await writeFile(join(dir, rel), body);
}

/** Counts what the checkpointer asks of S3. */
function counting(blobs: BlobStore) {
  const calls = { put: 0, get: 0, delete: 0 };
  const wrapped: BlobStore = {
    put: (k, b) => {
      calls.put += 1;
      return blobs.put(k, b);
    },
    get: (k) => {
      calls.get += 1;
      return blobs.get(k);
    },
    delete: (k) => {
      calls.delete += 1;
      return blobs.delete(k);
    },
    list: (p) => blobs.list(p),
  };
  return { blobs: wrapped, calls };
}

function checkpointer(
  blobs: BlobStore,
  stateDir: string,
  stagingDir: string,
  logs: string[] = [],
  snapshot: SqliteSnapshotter = createSqliteSnapshotter(node24),
) {
  return new StateCheckpointer({
    blobs,
    userId: "u1",
    stateDir,
    stagingDir,
    snapshot,
    logger: createJsonLogger({ redactor: new Redactor(), level: "debug", write: (l) => logs.push(l) }),
  });
}

/**
 * A process that keeps a database open (WAL mode by default, its rows only in the `-wal` file with
 * automatic checkpoints off, as OpenClaw's databases are while it runs) and inserts more rows when
 * asked, as a writer going on while a checkpoint is taken.
 */
async function liveWalWriter(path: string, rows: number, journalMode = "WAL") {
  const script = `
    import { DatabaseSync } from "node:sqlite";
    import { createInterface } from "node:readline";
    const db = new DatabaseSync(process.argv[1]);
    db.exec("PRAGMA journal_mode=${journalMode}; PRAGMA wal_autocheckpoint=0; CREATE TABLE IF NOT EXISTS t(x TEXT)");
    const ins = db.prepare("INSERT INTO t VALUES (?)");
    let n = 0;
    const insert = (count) => { for (let i = 0; i < count; i++) ins.run("row " + n++); };
    insert(Number(process.argv[2]));
    process.stdout.write("ready\\n");
    for await (const line of createInterface({ input: process.stdin })) {
      try { insert(Number(line)); process.stdout.write("inserted\\n"); }
      catch (err) { process.stdout.write("failed " + err.message + "\\n"); }
    }
  `;
  const child = spawn(node24, ["--no-warnings", "--input-type=module", "-e", script, path, String(rows)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const answer = (word: string, from: number) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = out.slice(from).split("\n")[0] ?? "";
        if (out.slice(from).includes("\n")) {
          child.stdout?.off("data", check);
          if (line.startsWith(word)) resolve(line);
          else reject(new Error(`writer: ${line}`));
        }
      };
      child.stdout?.on("data", check);
      child.once("exit", (code) => reject(new Error(`writer exited ${code}`)));
      check();
    });
  await answer("ready", 0);
  return {
    /** Inserts `count` more rows (committed when this resolves); rejects when the insert failed. */
    insert: async (count: number) => {
      const from = out.length;
      child.stdin?.write(`${count}\n`);
      await answer("inserted", from);
    },
  };
}

/** A snapshotter whose copies wait for `open()`: the background part of a capture, held. */
function gatedSnapshotter() {
  const real = createSqliteSnapshotter(node24);
  let open!: () => void;
  const gate = new Promise<void>((r) => {
    open = r;
  });
  const snapshot: SqliteSnapshotter = {
    async pin(jobs) {
      const pinned = await real.pin(jobs);
      return { copy: () => gate.then(() => pinned.copy()), release: pinned.release };
    },
    close: real.close,
  };
  return { snapshot, open };
}

async function countRows(path: string): Promise<number> {
  const script = `
    import { DatabaseSync } from "node:sqlite";
    const db = new DatabaseSync(process.argv[1], { readOnly: true });
    process.stdout.write(String(db.prepare("SELECT count(*) AS n FROM t").get().n));
  `;
  const child = spawn(node24, ["--no-warnings", "--input-type=module", "-e", script, path], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  await new Promise((r) => child.once("exit", r));
  return Number(out);
}

describe("per-turn state checkpoints", () => {
  it("saves only what changed, and a restore of all layers reproduces the state dir", async () => {
    const { blobs: raw } = createMemoryStores();
    const { blobs, calls } = counting(raw);
    const src = await temp();
    await put(src, "workspace/AGENTS.md", "# agents");
    await put(src, "workspace/notes/old.txt", "old");
    await put(src, "config-journal-fingerprint.key", "k");
    await put(src, "cache/ui/big.js", "x");
    await put(src, "state/gateway-lock.sqlite", "lock");
    await symlink("AGENTS.md", join(src, "workspace", "rel-link"));
    await symlink("/etc/hostname", join(src, "workspace", "abs-link"));
    const cp = checkpointer(blobs, src, await temp());
    await cp.baseline([]);

    const first = await cp.capture();
    expect(await first.upload).toBe(true);
    expect(await first.stats).toMatchObject({ full: true, files: 4 });

    await put(src, "workspace/new.txt", "written by the agent's shell");
    await put(src, "workspace/AGENTS.md", "# agents, edited");
    await rm(join(src, "workspace/notes/old.txt"));
    const before = calls.put;
    const second = await cp.capture();
    expect(await second.upload).toBe(true);
    expect(await second.stats).toMatchObject({ full: false, files: 2, deleted: 1 });
    // One layer and the manifest.
    expect(calls.put - before).toBe(2);

    const manifest = await readManifest(raw, "u1");
    expect(manifest?.layers.map((l) => l.deleted)).toEqual([[], ["workspace/notes/old.txt"]]);
    // The second layer holds only the two changed files.
    const layer = await raw.get(manifest?.layers[1]?.key ?? "");
    expect(layer?.byteLength).toBeLessThan((await raw.get(manifest?.layers[0]?.key ?? ""))?.byteLength ?? 0);

    const dest = join(await temp(), "state");
    expect(await restoreCheckpoint(raw, "u1", dest)).toMatchObject({ source: "checkpoint" });
    expect(await listAll(dest)).toEqual([
      "config-journal-fingerprint.key",
      "workspace/AGENTS.md",
      "workspace/new.txt",
      "workspace/rel-link",
    ]);
    expect(await readFile(join(dest, "workspace/new.txt"), "utf8")).toBe("written by the agent's shell");
    expect(await readFile(join(dest, "workspace/rel-link"), "utf8")).toBe("# agents, edited");
  });

  it("a turn that only deleted files writes a layer of deletions", async () => {
    const { blobs } = createMemoryStores();
    const src = await temp();
    await put(src, "workspace/a.txt", "a");
    await put(src, "workspace/b.txt", "b");
    const cp = checkpointer(blobs, src, await temp());
    await cp.baseline([]);
    await (await cp.capture()).upload;
    await rm(join(src, "workspace/b.txt"));
    const only = await cp.capture();
    expect(await only.upload).toBe(true);
    expect(await only.stats).toMatchObject({ files: 0, deleted: 1 });
    const dest = join(await temp(), "state");
    await restoreCheckpoint(blobs, "u1", dest);
    expect(await listAll(dest)).toEqual(["workspace/a.txt"]);
  });

  it("a checkpoint when nothing changed costs no S3 request", async () => {
    const { blobs: raw } = createMemoryStores();
    const { blobs, calls } = counting(raw);
    const src = await temp();
    await put(src, "workspace/a.txt", "a");
    const cp = checkpointer(blobs, src, await temp());
    await cp.baseline([]);
    await (await cp.capture()).upload;
    const before = { ...calls };
    const again = await cp.capture();
    await again.upload;
    expect((await again.stats)?.files).toBe(0);
    expect(calls).toEqual(before);
  });

  it("snapshots a live WAL database through SQLite's backup API: committed rows only in the -wal survive", async () => {
    const { blobs } = createMemoryStores();
    const src = await temp();
    const db = join(src, "agents/main/agent/openclaw-agent.sqlite");
    await mkdir(join(db, ".."), { recursive: true });
    await liveWalWriter(db, 50);
    // The rows are in the -wal; the main file alone (what a file copy without the WAL keeps) has none.
    expect((await listAll(src)).filter((f) => f.includes("-wal"))).toHaveLength(1);

    const cp = checkpointer(blobs, src, await temp());
    await cp.baseline([]);
    expect(await (await cp.capture()).upload).toBe(true);

    const dest = join(await temp(), "state");
    await restoreCheckpoint(blobs, "u1", dest);
    // No journal file was saved: the restored database is self-contained.
    expect(await listAll(dest)).toEqual(["agents/main/agent/openclaw-agent.sqlite"]);
    expect(await countRows(join(dest, "agents/main/agent/openclaw-agent.sqlite"))).toBe(50);
  }, 60_000);

  it("holds its caller only until the state is frozen: what is written after that is not in the layer", async () => {
    const { blobs } = createMemoryStores();
    const src = await temp();
    const db = join(src, "agents/main/agent/openclaw-agent.sqlite");
    await mkdir(join(db, ".."), { recursive: true });
    const writer = await liveWalWriter(db, 20);
    await put(src, "workspace/a.txt", "end of turn 1");
    const { snapshot, open } = gatedSnapshotter();
    const cp = checkpointer(blobs, src, await temp(), [], snapshot);
    await cp.baseline([]);

    // Resolves with the databases' copies still held back: the next turn would start now.
    const turn1 = await cp.capture();
    // The next turn writes: rows in the database, a file changed in place, a new file.
    await writer.insert(30);
    await put(src, "workspace/a.txt", "changed by turn 2");
    await put(src, "workspace/b.txt", "written by turn 2");
    open();
    expect(await turn1.upload).toBe(true);
    expect(await turn1.stats).toMatchObject({ full: true, files: 2 });

    const dest = join(await temp(), "state");
    await restoreCheckpoint(blobs, "u1", dest);
    expect(await listAll(dest)).toEqual(["agents/main/agent/openclaw-agent.sqlite", "workspace/a.txt"]);
    expect(await readFile(join(dest, "workspace/a.txt"), "utf8")).toBe("end of turn 1");
    expect(await countRows(join(dest, "agents/main/agent/openclaw-agent.sqlite"))).toBe(20);

    // The next checkpoint holds the second turn.
    const turn2 = await cp.capture();
    expect(await turn2.upload).toBe(true);
    expect(await turn2.stats).toMatchObject({ full: false, files: 3 });
    const later = join(await temp(), "state");
    await restoreCheckpoint(blobs, "u1", later);
    expect(await readFile(join(later, "workspace/a.txt"), "utf8")).toBe("changed by turn 2");
    expect(await readFile(join(later, "workspace/b.txt"), "utf8")).toBe("written by turn 2");
    expect(await countRows(join(later, "agents/main/agent/openclaw-agent.sqlite"))).toBe(50);
  }, 60_000);

  it("copies a database not in WAL mode at once, holding no lock its writers would wait for", async () => {
    const src = await temp();
    const db = join(src, "agent-own.db");
    // A rollback-journal database (the agent's own, say): a held read lock would fail its writer's
    // next commit with "database is locked" (the writer has no busy timeout).
    const writer = await liveWalWriter(db, 10, "DELETE");
    const out = join(await temp(), "copy.db");
    const pinned = await createSqliteSnapshotter(node24).pin([{ source: db, dest: out }]);
    expect(await countRows(out)).toBe(10);
    await writer.insert(5);
    await pinned.copy();
    expect(await countRows(out)).toBe(10);
    expect(await countRows(db)).toBe(15);
  }, 60_000);

  it("a capture whose background part fails keeps nothing; the next checkpoint holds its changes", async () => {
    const { blobs } = createMemoryStores();
    const src = await temp();
    const db = join(src, "state/openclaw.sqlite");
    await mkdir(join(db, ".."), { recursive: true });
    await liveWalWriter(db, 5);
    const real = createSqliteSnapshotter(node24);
    let failNext = false;
    const snapshot: SqliteSnapshotter = {
      async pin(jobs) {
        const pinned = await real.pin(jobs);
        if (!failNext) return pinned;
        failNext = false;
        pinned.release();
        return { copy: () => Promise.reject(new Error("disk full")), release: () => undefined };
      },
    };
    const logs: string[] = [];
    const cp = checkpointer(blobs, src, await temp(), logs, snapshot);
    await cp.baseline([]);
    await put(src, "workspace/a.txt", "a");
    expect(await (await cp.capture()).upload).toBe(true);

    await put(src, "workspace/b.txt", "b");
    failNext = true;
    const failed = await cp.capture();
    expect(await failed.upload).toBe(false);
    expect(await failed.stats).toBeUndefined();
    expect(logs.join("\n")).toContain("checkpoint capture failed");

    const next = await cp.capture();
    expect(await next.upload).toBe(true);
    expect(await next.stats).toMatchObject({ full: false });
    const dest = join(await temp(), "state");
    await restoreCheckpoint(blobs, "u1", dest);
    expect(await listAll(dest)).toEqual(["state/openclaw.sqlite", "workspace/a.txt", "workspace/b.txt"]);
    real.close?.();
  }, 60_000);

  it("takes every snapshot through one helper process, which outlives a failed snapshot and ends on close", async () => {
    const src = await temp();
    const db = join(src, "a.sqlite");
    await liveWalWriter(db, 20);
    const snapshot = createSqliteSnapshotter(node24);
    // The helper runs only where node:sqlite is missing (the repo's Node 20 in local mode).
    if (process.versions.node.startsWith("20.")) {
      const workers = () =>
        execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], { encoding: "utf8" })
          .split("\n")
          .filter((l) => l.includes("node:sqlite") && l.includes("readline"))
          .map((l) => l.trim().split(/\s+/)[0] ?? "");
      const before = workers();
      const seen = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const out = join(await temp(), "copy.sqlite");
        await (await snapshot.pin([{ source: db, dest: out }])).copy();
        expect(await countRows(out)).toBe(20);
        for (const pid of workers()) if (!before.includes(pid)) seen.add(pid);
      }
      const bad = await snapshot.pin([{ source: db, dest: join(src, "missing/dir/copy.sqlite") }]);
      await expect(bad.copy()).rejects.toThrow(/SQLite snapshot failed/);
      const out = join(await temp(), "after-failure.sqlite");
      await (await snapshot.pin([{ source: db, dest: out }])).copy();
      expect(await countRows(out)).toBe(20);
      expect(seen.size).toBe(1);
      snapshot.close?.();
      const deadline = Date.now() + 30_000;
      while (workers().some((pid) => seen.has(pid)) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(workers().filter((pid) => seen.has(pid))).toEqual([]);
    } else {
      const out = join(await temp(), "copy.sqlite");
      await (await snapshot.pin([{ source: db, dest: out }])).copy();
      expect(await countRows(out)).toBe(20);
    }
  }, 60_000);

  it(`compacts to one full layer after ${MAX_LAYERS} layers and deletes the layers it replaced`, async () => {
    const { blobs } = createMemoryStores();
    const src = await temp();
    const cp = checkpointer(blobs, src, await temp());
    await cp.baseline([]);
    for (let i = 0; i <= MAX_LAYERS; i++) {
      await put(src, `workspace/file-${i}.txt`, `turn ${i}`);
      await (await cp.capture()).upload;
    }
    const manifest = await readManifest(blobs, "u1");
    expect(manifest?.layers).toHaveLength(1);
    const keys = (await blobs.list(checkpointPrefix("u1"))).sort();
    expect(keys).toEqual([manifest?.layers[0]?.key, manifestKey("u1")].sort());
    const dest = join(await temp(), "state");
    await restoreCheckpoint(blobs, "u1", dest);
    expect(await listAll(dest)).toHaveLength(MAX_LAYERS + 1);
  });

  it("restores the single archive of older versions, then replaces it with a full checkpoint", async () => {
    const { blobs } = createMemoryStores();
    const old = await temp();
    await put(old, "workspace/kept.txt", "from an older version");
    await blobs.put(stateBlobKey("u1"), await packState(old));

    const dest = join(await temp(), "state");
    const restored = await restoreCheckpoint(blobs, "u1", dest);
    expect(restored).toEqual({ source: "archive", layers: [], turns: [] });
    const cp = checkpointer(blobs, dest, await temp());
    await cp.baseline(restored?.layers ?? []);
    const first = await cp.capture();
    await first.upload;
    expect((await first.stats)?.full).toBe(true);
    expect(await blobs.get(stateBlobKey("u1"))).toBeUndefined();
    const again = join(await temp(), "state");
    await restoreCheckpoint(blobs, "u1", again);
    expect(await readFile(join(again, "workspace/kept.txt"), "utf8")).toBe("from an older version");
  });

  it("after a failed upload, later layers wait and the next checkpoint is full", async () => {
    const { blobs: raw } = createMemoryStores();
    let failing = false;
    const blobs: BlobStore = {
      ...raw,
      put: (k, b) => (failing ? Promise.reject(new Error("S3 down")) : raw.put(k, b)),
      get: (k) => raw.get(k),
      delete: (k) => raw.delete(k),
      list: (p) => raw.list(p),
    };
    const src = await temp();
    const cp = checkpointer(blobs, src, await temp());
    await cp.baseline([]);
    await put(src, "workspace/a.txt", "a");
    await (await cp.capture()).upload;
    failing = true;
    await put(src, "workspace/b.txt", "b");
    expect(await (await cp.capture()).upload).toBe(false);
    failing = false;
    await put(src, "workspace/c.txt", "c");
    const next = await cp.capture();
    expect(await next.upload).toBe(true);
    expect((await next.stats)?.full).toBe(true);
    const dest = join(await temp(), "state");
    await restoreCheckpoint(raw, "u1", dest);
    expect(await listAll(dest)).toEqual(["workspace/a.txt", "workspace/b.txt", "workspace/c.txt"]);
  });

  it("names the turns its state holds until they are answered, and a restore hands them back", async () => {
    const { blobs } = createMemoryStores();
    const src = await temp();
    const cp = checkpointer(blobs, src, await temp());
    await cp.baseline([]);
    const turn = (n: number) => ({
      pendingId: `p-${n}`,
      reply: {
        conversationId: "c-1",
        messageId: `m-${n}-reply`,
        clientMessageId: `m-${n}`,
        role: "assistant" as const,
        text: `reply ${n}`,
        channel: "web" as const,
        createdAt: new Date(2026, 0, 1, 0, 0, n).toISOString(),
      },
    });
    const names = async () => (await readManifest(blobs, "u1"))?.turns?.map((t) => t.pendingId);

    await put(src, "workspace/1.txt", "one");
    await (await cp.capture(turn(1))).upload;
    expect(await names()).toEqual(["p-1"]);
    // The second turn ended before turn 1's reply was stored: its manifest names both.
    await put(src, "workspace/2.txt", "two");
    await (await cp.capture(turn(2))).upload;
    expect(await names()).toEqual(["p-1", "p-2"]);
    // Stored: later manifests leave it out; a checkpoint without a turn (the stop) keeps the rest.
    cp.answered("p-1");
    await put(src, "workspace/3.txt", "three");
    await (await cp.capture()).upload;
    expect(await names()).toEqual(["p-2"]);

    const restored = await restoreCheckpoint(blobs, "u1", join(await temp(), "state"));
    expect(restored?.turns).toEqual([turn(2)]);
    // The next task keeps naming a restored turn until it is answered.
    const next = checkpointer(blobs, src, await temp());
    await next.baseline(restored?.layers ?? [], restored?.turns ?? []);
    await put(src, "workspace/4.txt", "four");
    await (await next.capture(turn(4))).upload;
    expect(await names()).toEqual(["p-2", "p-4"]);
    next.answered("p-2");
    next.answered("p-4");
    await put(src, "workspace/5.txt", "five");
    await (await next.capture()).upload;
    expect(await names()).toBeUndefined();
  });

  it("refuses a manifest naming a layer outside the user's prefix, and a deletion outside the state dir", async () => {
    const { blobs } = createMemoryStores();
    const manifest = (layers: unknown) =>
      Buffer.from(JSON.stringify({ version: 1, savedAt: new Date().toISOString(), layers }));
    await blobs.put(
      manifestKey("u1"),
      manifest([{ key: "users/u2/openclaw-state/x", bytes: 1, deleted: [] }]),
    );
    await expect(restoreCheckpoint(blobs, "u1", join(await temp(), "s"))).rejects.toThrow(/prefix/);
    const key = `${checkpointPrefix("u1")}layer-x.tar.gz`;
    const one = await temp();
    await put(one, "workspace/a.txt", "a");
    await blobs.put(key, await packState(one));
    await blobs.put(manifestKey("u1"), manifest([{ key, bytes: 1, deleted: ["../../etc"] }]));
    await expect(restoreCheckpoint(blobs, "u1", join(await temp(), "s"))).rejects.toThrow(/outside/);
  });
});
