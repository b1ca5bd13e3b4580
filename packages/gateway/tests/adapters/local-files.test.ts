import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEmbeddedStores } from "../../src/adapters/local/embedded-stores";
import { FileBlobStore } from "../../src/adapters/local/file-blob-store";
import { FileSecretStore } from "../../src/adapters/local/file-secret-store";
import { LocalTable } from "../../src/adapters/local/local-table";
import { expectStoreError, FakeClock } from "../contract/harness";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "gateway-local-files-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lines = (file: string) => readFileSync(file, "utf8").split("\n").filter(Boolean);

describe("LocalTable journal", () => {
  it("replays the journal and compacts it on open", () => {
    const file = join(dir, "T.jsonl");
    const table = new LocalTable(file);
    for (let i = 0; i < 10; i++) table.put("p", "k", { n: i });
    table.put("p", "gone", { n: -1 });
    table.delete("p", "gone");
    expect(lines(file)).toHaveLength(12);
    const reopened = new LocalTable(file);
    expect(reopened.get("p", "k")).toEqual({ n: 9 });
    expect(reopened.get("p", "gone")).toBeUndefined();
    expect(lines(file)).toHaveLength(1);
  });

  it("compacts a long-running journal that is mostly history, without losing the latest write", () => {
    const file = join(dir, "T.jsonl");
    const table = new LocalTable(file);
    // The 10 001st line triggers the compaction, so that very write must survive it.
    for (let i = 0; i <= 10_000; i++) table.put("p", `k${i % 3}`, { n: i });
    expect(lines(file).length).toBeLessThan(100);
    const reopened = new LocalTable(file);
    expect([0, 1, 2].map((k) => reopened.get("p", `k${k}`))).toEqual([
      { n: 9_999 },
      { n: 10_000 },
      { n: 9_998 },
    ]);
  });

  it("ignores a torn last line (a crash mid-append) but refuses damage elsewhere", () => {
    const file = join(dir, "T.jsonl");
    new LocalTable(file).put("p", "a", { ok: true });
    appendFileSync(file, '{"pk":"p","sk":"b","item":{"ok"');
    expect(new LocalTable(file).get("p", "a")).toEqual({ ok: true });
    writeFileSync(file, `not json\n${JSON.stringify({ pk: "p", sk: "a", item: {} })}\n`);
    expect(() => new LocalTable(file)).toThrow(/not valid JSON/);
  });

  it("returns copies, so callers cannot change stored items", () => {
    const table = new LocalTable();
    const item = { list: [1] };
    table.put("p", "k", item);
    item.list.push(2);
    const read = table.get("p", "k") ?? { list: [] };
    (read.list as number[]).push(3);
    expect(table.get("p", "k")).toEqual({ list: [1] });
  });

  it("drops expired items from the journal on open", async () => {
    const clock = new FakeClock();
    const stores = createEmbeddedStores(dir, { clock });
    const soon = Math.floor(clock.now().getTime() / 1000) + 60;
    await stores.settings.put("u1", "pairing-code#A", 1, { expiresAt: soon });
    await stores.settings.put("u1", "settings", { x: 1 });
    clock.advance(120_000);
    const reopened = createEmbeddedStores(dir, { clock });
    expect(await reopened.settings.list("u1", "")).toEqual([{ settingKey: "settings", value: { x: 1 } }]);
    expect(lines(join(dir, "tables", "Settings.jsonl"))).toHaveLength(1);
  });
});

describe("FileBlobStore", () => {
  it("leaves no temp files behind and keeps objects under the directory", async () => {
    const store = new FileBlobStore(dir);
    await store.put("users/u1/state.tar.gz", new Uint8Array([1, 2]));
    expect(readdirSync(join(dir, "tmp"))).toEqual([]);
    expect(readFileSync(join(dir, "objects", "users", "u1", "state.tar.gz"))).toEqual(Buffer.from([1, 2]));
  });

  it("reports a key that clashes with a folder as a conflict", async () => {
    const store = new FileBlobStore(dir);
    await store.put("a/b", new Uint8Array([1]));
    await expectStoreError(store.put("a", new Uint8Array([2])), "CONFLICT");
    await expectStoreError(store.put("a/b/c", new Uint8Array([2])), "CONFLICT");
    expect(await store.get("a")).toBeUndefined();
    expect(await store.get("a/b/c")).toBeUndefined();
    expect(await store.list("")).toEqual(["a/b"]);
  });
});

describe("FileSecretStore", () => {
  const SECRET = "sk-do-not-leak-0123456789";

  it("keeps secrets in a file only its owner can read", async () => {
    const file = join(dir, "secrets.json");
    await new FileSecretStore(file).put("telegram/bot-token", SECRET);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await new FileSecretStore(file).get("telegram/bot-token")).toBe(SECRET);
  });

  it("refuses a damaged file without echoing its content", () => {
    const file = join(dir, "secrets.json");
    writeFileSync(file, `{"telegram/bot-token": ${JSON.stringify(SECRET)}, "broken": 1}`);
    let message = "";
    try {
      new FileSecretStore(file);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/not a JSON object of strings/);
    expect(message).not.toContain(SECRET);
  });
});
