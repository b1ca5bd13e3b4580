import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { createEmbeddedStores, createMemoryStores } from "../../src/adapters/local/embedded-stores";
import { createRpcStores } from "../../src/adapters/local/rpc-client";
import { type StoreRpcServer, startStoreRpcServer } from "../../src/adapters/local/rpc-http-server";
import { describeStoresContracts } from "./all-contracts";

const servers: StoreRpcServer[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const server of servers) await server.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describeStoresContracts("RPC client → memory stores", async (clock) => {
  const server = await startStoreRpcServer(createMemoryStores({ clock }));
  servers.push(server);
  return { store: createRpcStores(server.url, server.token) };
});

// The path local mode takes: agent task → RPC → the local server's embedded stores, which survive a restart.
describeStoresContracts(
  "RPC client → embedded stores",
  async (clock) => {
    const dir = await mkdtemp(join(tmpdir(), "gateway-rpc-"));
    dirs.push(dir);
    const server = await startStoreRpcServer(createEmbeddedStores(dir, { clock }));
    servers.push(server);
    return {
      store: createRpcStores(server.url, server.token),
      reopen: async () => {
        const restarted = await startStoreRpcServer(createEmbeddedStores(dir, { clock }));
        servers.push(restarted);
        return createRpcStores(restarted.url, restarted.token);
      },
    };
  },
  ["connections", "taskState", "pending", "conversations", "settings", "blobs", "secrets"],
);
