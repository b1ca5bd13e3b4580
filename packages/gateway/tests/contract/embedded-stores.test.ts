import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { createEmbeddedStores } from "../../src/adapters/local/embedded-stores";
import { describeStoresContracts } from "./all-contracts";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describeStoresContracts("embedded (data dir)", async (clock) => {
  const dir = await mkdtemp(join(tmpdir(), "gateway-embedded-"));
  dirs.push(dir);
  return {
    store: createEmbeddedStores(dir, { clock }),
    reopen: async () => createEmbeddedStores(dir, { clock }),
  };
});
