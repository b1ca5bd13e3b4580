import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { StoreError } from "../store-error";
import { replaceFileAtomically } from "./atomic-file";

/** A stored item: plain JSON. */
export type Item = Record<string, unknown>;

const COMPACT_AFTER_LINES = 10_000;

/** A persisted change, one JSON line of a table's journal. */
type JournalEntry = { pk: string; sk: string; item: Item | null };

/**
 * One embedded table: items by partition key, then sort key, kept in memory. Every call is
 * synchronous, so a read-check-write inside one adapter method is atomic within the process,
 * which gives the exact conditional semantics of DynamoDB without locks.
 *
 * With a file, every change is appended to a JSON-lines journal before it is applied, and on open the
 * journal is replayed and compacted (written to a temp file, fsynced, renamed over), so the data
 * survives restarts and a crash mid-append loses at most the torn last line.
 */
export class LocalTable {
  private readonly partitions = new Map<string, Map<string, Item>>();
  private journalLines = 0;

  constructor(
    private readonly file?: string,
    /** Drops items on open (e.g. expired TTL items) so the journal does not grow forever. */
    keepOnOpen: (item: Item) => boolean = () => true,
  ) {
    if (file) this.open(file, keepOnOpen);
  }

  get(pk: string, sk = ""): Item | undefined {
    const item = this.partitions.get(pk)?.get(sk);
    return item ? structuredClone(item) : undefined;
  }

  put(pk: string, sk: string, item: Item): void {
    const copy = structuredClone(item);
    this.append({ pk, sk, item: copy });
    this.apply(pk, sk, copy);
    this.maybeCompact();
  }

  delete(pk: string, sk = ""): void {
    if (!this.partitions.get(pk)?.has(sk)) return;
    this.append({ pk, sk, item: null });
    this.apply(pk, sk, null);
    this.maybeCompact();
  }

  /** Items of one partition in sort-key order (code-unit order, like DynamoDB for ASCII keys). */
  query(
    pk: string,
    opts: { prefix?: string; below?: string; descending?: boolean } = {},
  ): Array<[string, Item]> {
    const partition = this.partitions.get(pk);
    if (!partition) return [];
    const keys = [...partition.keys()]
      .filter(
        (sk) =>
          (opts.prefix === undefined || sk.startsWith(opts.prefix)) &&
          (opts.below === undefined || sk < opts.below),
      )
      .sort();
    if (opts.descending) keys.reverse();
    return keys.map((sk) => [sk, structuredClone(partition.get(sk) as Item)]);
  }

  scan(): Item[] {
    const out: Item[] = [];
    for (const partition of this.partitions.values()) {
      for (const item of partition.values()) out.push(structuredClone(item));
    }
    return out;
  }

  private apply(pk: string, sk: string, item: Item | null): void {
    let partition = this.partitions.get(pk);
    if (item === null) {
      partition?.delete(sk);
      if (partition?.size === 0) this.partitions.delete(pk);
      return;
    }
    if (!partition) {
      partition = new Map();
      this.partitions.set(pk, partition);
    }
    partition.set(sk, item);
  }

  private append(entry: JournalEntry): void {
    if (!this.file) return;
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
    this.journalLines++;
  }

  /** A long-running server rewrites the same rows (heartbeats); compact once the journal is mostly history. */
  private maybeCompact(): void {
    if (this.file && this.journalLines > COMPACT_AFTER_LINES && this.journalLines > 4 * this.size()) {
      this.compact(this.file);
    }
  }

  private size(): number {
    let n = 0;
    for (const partition of this.partitions.values()) n += partition.size;
    return n;
  }

  private open(file: string, keepOnOpen: (item: Item) => boolean): void {
    mkdirSync(dirname(file), { recursive: true });
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    const lines = text.split("\n");
    lines.forEach((line, index) => {
      if (line.trim() === "") return;
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        // Only the last line can be torn by a crash; anything else means the file was damaged.
        if (index >= lines.length - 2) return;
        throw new StoreError(
          "STORE_CORRUPT",
          `Line ${index + 1} of ${file} is not valid JSON; restore it from a backup or remove it.`,
        );
      }
      this.apply(entry.pk, entry.sk, entry.item);
    });
    for (const [pk, partition] of this.partitions) {
      for (const [sk, item] of partition) if (!keepOnOpen(item)) this.apply(pk, sk, null);
    }
    this.compact(file);
  }

  private compact(file: string): void {
    replaceFileAtomically(file, (append) => {
      for (const [pk, partition] of this.partitions) {
        for (const [sk, item] of partition) append(`${JSON.stringify({ pk, sk, item })}\n`);
      }
    });
    this.journalLines = this.size();
  }
}
