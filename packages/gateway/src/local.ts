// The embedded twins of what AWS provides, for local mode and tests: stores on files or in memory,
// the secrets file, an in-process scheduler, and the store RPC's server side (the agent task's client
// side is in ./agent).
export {
  createEmbeddedStores,
  createMemoryStores,
  type EmbeddedStoresOptions,
} from "./adapters/local/embedded-stores";
export { FileSecretStore } from "./adapters/local/file-secret-store";
export { InProcessScheduler, type InProcessSchedulerOptions } from "./adapters/local/in-process-scheduler";
export { type StoreRpcServer, startStoreRpcServer } from "./adapters/local/rpc-http-server";
export {
  createStoreRpcHandler,
  type RpcResponse,
  type RpcTokenResolver,
  type StoreRpcHandler,
} from "./adapters/local/rpc-server";
