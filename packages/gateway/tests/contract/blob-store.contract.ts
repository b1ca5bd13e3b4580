import { beforeEach, describe, expect, it } from "vitest";
import type { BlobStore } from "../../src/ports";
import { expectStoreError, FakeClock, type Harness, type HarnessFactory, uid } from "./harness";

export function describeBlobStoreContract(name: string, factory: HarnessFactory<BlobStore>) {
  describe(`BlobStore contract: ${name}`, () => {
    let h: Harness<BlobStore>;

    beforeEach(async () => {
      h = await factory(new FakeClock());
    });

    it("stores every byte value unchanged, overwrites and deletes", async () => {
      const key = `users/${uid("user")}/openclaw-state.tar.gz`;
      const bytes = Uint8Array.from({ length: 1024 }, (_, i) => (i * 7) % 256);
      await h.store.put(key, bytes);
      expect(await h.store.get(key)).toEqual(bytes);
      await h.store.put(key, new Uint8Array([1, 2, 3]));
      expect(await h.store.get(key)).toEqual(new Uint8Array([1, 2, 3]));
      await h.store.put(key, new Uint8Array());
      expect(await h.store.get(key)).toEqual(new Uint8Array());
      await h.store.delete(key);
      expect(await h.store.get(key)).toBeUndefined();
      await h.store.delete(key);
    });

    it("lists keys under a prefix in order", async () => {
      const root = `users/${uid("user")}`;
      for (const k of ["skills/b.md", "skills/a.md", "state.tar.gz"])
        await h.store.put(`${root}/${k}`, new Uint8Array([1]));
      expect(await h.store.list(`${root}/skills/`)).toEqual([`${root}/skills/a.md`, `${root}/skills/b.md`]);
      expect(await h.store.list(`${root}/`)).toHaveLength(3);
      expect(await h.store.list(`users/${uid("nobody")}/`)).toEqual([]);
    });

    it("rejects keys that could escape the store", async () => {
      for (const key of ["../x", "a/../../b", "/etc/passwd", "a//b", "a\\b", "", "a/./b"]) {
        await expectStoreError(h.store.put(key, new Uint8Array([1])), "INVALID_ARGUMENT");
        await expectStoreError(h.store.get(key), "INVALID_ARGUMENT");
      }
      await expectStoreError(h.store.list("../"), "INVALID_ARGUMENT");
    });

    it("keeps blobs across a reopen", async (ctx) => {
      if (!h.reopen) return ctx.skip();
      const key = `users/${uid("user")}/state.tar.gz`;
      await h.store.put(key, new Uint8Array([9, 8, 7]));
      expect(await (await h.reopen()).get(key)).toEqual(new Uint8Array([9, 8, 7]));
    });
  });
}
