import type {
  BlobStore,
  ConnectionStore,
  ConversationStore,
  PendingQueue,
  SecretStore,
  SettingsStore,
  TaskStateStore,
} from "../ports";

/** Every storage port, as one object: built by createAwsStores, createEmbeddedStores, createMemoryStores or createRpcStores. */
export type Stores = {
  connections: ConnectionStore;
  taskState: TaskStateStore;
  pending: PendingQueue;
  conversations: ConversationStore;
  settings: SettingsStore;
  blobs: BlobStore;
  secrets: SecretStore;
};
