import type { Stores } from "../../src/adapters/stores";
import type { Clock } from "../../src/ports";
import { describeBlobStoreContract } from "./blob-store.contract";
import { describeConnectionStoreContract } from "./connection-store.contract";
import { describeConversationStoreContract } from "./conversation-store.contract";
import type { Harness } from "./harness";
import { describePendingQueueContract } from "./pending-queue.contract";
import { describeSecretStoreContract } from "./secret-store.contract";
import { describeSettingsStoreContract } from "./settings-store.contract";
import { describeTaskStateStoreContract } from "./task-state-store.contract";

/** Runs every port's contract against one implementation of Stores. */
export function describeStoresContracts(
  name: string,
  factory: (clock: Clock) => Promise<Harness<Stores>>,
  only: ReadonlyArray<keyof Stores> = [
    "connections",
    "taskState",
    "pending",
    "conversations",
    "settings",
    "blobs",
    "secrets",
  ],
) {
  const port =
    <K extends keyof Stores>(key: K) =>
    async (clock: Clock): Promise<Harness<Stores[K]>> => {
      const h = await factory(clock);
      const reopen = h.reopen;
      return { store: h.store[key], ...(reopen ? { reopen: async () => (await reopen())[key] } : {}) };
    };
  if (only.includes("connections")) describeConnectionStoreContract(name, port("connections"));
  if (only.includes("taskState")) describeTaskStateStoreContract(name, port("taskState"));
  if (only.includes("pending")) describePendingQueueContract(name, port("pending"));
  if (only.includes("conversations")) describeConversationStoreContract(name, port("conversations"));
  if (only.includes("settings")) describeSettingsStoreContract(name, port("settings"));
  if (only.includes("blobs")) describeBlobStoreContract(name, port("blobs"));
  if (only.includes("secrets")) describeSecretStoreContract(name, port("secrets"));
}
