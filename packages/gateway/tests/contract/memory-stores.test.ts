import { createMemoryStores } from "../../src/adapters/local/embedded-stores";
import { describeStoresContracts } from "./all-contracts";

describeStoresContracts("memory", async (clock) => ({ store: createMemoryStores({ clock }) }));
