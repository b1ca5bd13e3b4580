import { beforeEach, describe, expect, it } from "vitest";
import type { SecretStore } from "../../src/ports";
import { expectStoreError, FakeClock, type Harness, type HarnessFactory, uid } from "./harness";

export function describeSecretStoreContract(name: string, factory: HarnessFactory<SecretStore>) {
  describe(`SecretStore contract: ${name}`, () => {
    let h: Harness<SecretStore>;

    beforeEach(async () => {
      h = await factory(new FakeClock());
    });

    it("stores, replaces and deletes a secret", async () => {
      const name = `users/${uid("user")}/llm-api-key`;
      expect(await h.store.get(name)).toBeUndefined();
      await h.store.put(name, "sk-first");
      expect(await h.store.get(name)).toBe("sk-first");
      await h.store.put(name, "sk-second");
      expect(await h.store.get(name)).toBe("sk-second");
      await h.store.delete(name);
      expect(await h.store.get(name)).toBeUndefined();
      await h.store.delete(name);
    });

    it("rejects malformed names and empty values", async () => {
      await expectStoreError(h.store.put("../escape", "v"), "INVALID_ARGUMENT");
      await expectStoreError(h.store.put("a b", "v"), "INVALID_ARGUMENT");
      await expectStoreError(h.store.put("telegram/bot-token", ""), "INVALID_ARGUMENT");
    });

    it("keeps secrets across a reopen", async (ctx) => {
      if (!h.reopen) return ctx.skip();
      await h.store.put("telegram/bot-token", "123:abc");
      expect(await (await h.reopen()).get("telegram/bot-token")).toBe("123:abc");
    });
  });
}
