import { join } from "node:path";
import type { Clock } from "../../ports";
import { isExpired, systemClock } from "../clock";
import type { Stores } from "../stores";
import { EmbeddedConnectionStore } from "./embedded-connection-store";
import { EmbeddedConversationStore } from "./embedded-conversation-store";
import { EmbeddedPendingQueue } from "./embedded-pending-queue";
import { EmbeddedSettingsStore } from "./embedded-settings-store";
import { EmbeddedTaskStateStore } from "./embedded-task-state-store";
import { FileBlobStore } from "./file-blob-store";
import { FileSecretStore } from "./file-secret-store";
import { LocalTable } from "./local-table";
import { MemoryBlobStore } from "./memory-blob-store";
import { MemorySecretStore } from "./memory-secret-store";

export interface EmbeddedStoresOptions {
  /** Decides TTL expiry and `updatedAt`; tests pass a fake one. Defaults to the system clock. */
  clock?: Clock;
}

/**
 * The stores of local mode, persisted under `dataDir`:
 * `tables/<Table>.jsonl` (journals), `blobs/objects/…`, `secrets.json` (0600).
 * One process must own a data dir; other processes reach it through the store RPC.
 */
export function createEmbeddedStores(dataDir: string, options: EmbeddedStoresOptions = {}): Stores {
  const clock = options.clock ?? systemClock;
  const table = (name: string) =>
    new LocalTable(join(dataDir, "tables", `${name}.jsonl`), (item) => !isExpired(item.expiresAt, clock));
  return build(table, clock, {
    blobs: new FileBlobStore(join(dataDir, "blobs")),
    secrets: new FileSecretStore(join(dataDir, "secrets.json")),
  });
}

/** The same stores in memory only, for fast unit tests. */
export function createMemoryStores(options: EmbeddedStoresOptions = {}): Stores {
  return build(() => new LocalTable(), options.clock ?? systemClock, {
    blobs: new MemoryBlobStore(),
    secrets: new MemorySecretStore(),
  });
}

function build(
  table: (name: string) => LocalTable,
  clock: Clock,
  files: Pick<Stores, "blobs" | "secrets">,
): Stores {
  return {
    connections: new EmbeddedConnectionStore(table("Connections")),
    taskState: new EmbeddedTaskStateStore(table("TaskState"), clock),
    pending: new EmbeddedPendingQueue(table("PendingMessages"), clock),
    conversations: new EmbeddedConversationStore(table("Conversations")),
    settings: new EmbeddedSettingsStore(table("Settings"), clock),
    ...files,
  };
}
