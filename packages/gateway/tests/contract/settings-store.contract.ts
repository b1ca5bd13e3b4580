import { beforeEach, describe, expect, it } from "vitest";
import type { SettingsStore } from "../../src/ports";
import { FakeClock, type Harness, type HarnessFactory, uid } from "./harness";

export function describeSettingsStoreContract(name: string, factory: HarnessFactory<SettingsStore>) {
  describe(`SettingsStore contract: ${name}`, () => {
    let h: Harness<SettingsStore>;
    let clock: FakeClock;
    const inSeconds = (s: number) => Math.floor(clock.now().getTime() / 1000) + s;

    beforeEach(async () => {
      clock = new FakeClock();
      h = await factory(clock);
    });

    it("stores JSON documents per user and key", async () => {
      const userId = uid("user");
      const value = {
        provider: "anthropic",
        model: "claude",
        inactivityMinutes: 15,
        tags: ["a", "b"],
        nested: { on: true, none: null },
      };
      await h.store.put(userId, "settings", value);
      expect(await h.store.get(userId, "settings")).toEqual(value);
      expect(await h.store.get(uid("user"), "settings")).toBeUndefined();
      await h.store.put(userId, "settings", "replaced");
      expect(await h.store.get(userId, "settings")).toBe("replaced");
      await h.store.delete(userId, "settings");
      expect(await h.store.get(userId, "settings")).toBeUndefined();
    });

    it("puts only when absent", async () => {
      const userId = uid("user");
      expect(await h.store.putIfAbsent(userId, "telegram#1", { n: 1 })).toBe(true);
      expect(await h.store.putIfAbsent(userId, "telegram#1", { n: 2 })).toBe(false);
      expect(await h.store.get(userId, "telegram#1")).toEqual({ n: 1 });
    });

    it("treats an item whose expiresAt passed as absent", async () => {
      const userId = uid("user");
      await h.store.put(userId, "pairing-code#PAST", { u: 1 }, { expiresAt: inSeconds(-5) });
      expect(await h.store.get(userId, "pairing-code#PAST")).toBeUndefined();
      expect(await h.store.take(userId, "pairing-code#PAST")).toBeUndefined();

      await h.store.put(userId, "pairing-code#SOON", { u: 2 }, { expiresAt: inSeconds(600) });
      expect(await h.store.get(userId, "pairing-code#SOON")).toEqual({ u: 2 });
      expect(await h.store.list(userId, "pairing-code#")).toEqual([
        { settingKey: "pairing-code#SOON", value: { u: 2 } },
      ]);
      clock.advance(601_000);
      expect(await h.store.get(userId, "pairing-code#SOON")).toBeUndefined();
      expect(await h.store.list(userId, "pairing-code#")).toEqual([]);
      expect(await h.store.putIfAbsent(userId, "pairing-code#SOON", { u: 3 })).toBe(true);
      expect(await h.store.get(userId, "pairing-code#SOON")).toEqual({ u: 3 });
    });

    it("takes a value once, even with 20 parallel callers", async () => {
      const userId = uid("user");
      await h.store.put(userId, "pairing-code#ONCE", { telegramUserId: 7 }, { expiresAt: inSeconds(600) });
      const taken = await Promise.all(
        Array.from({ length: 20 }, () => h.store.take(userId, "pairing-code#ONCE")),
      );
      expect(taken.filter((v) => v !== undefined)).toEqual([{ telegramUserId: 7 }]);
      expect(await h.store.get(userId, "pairing-code#ONCE")).toBeUndefined();
      expect(await h.store.take(userId, "missing")).toBeUndefined();
    });

    it("lists the items of a prefix in key order", async () => {
      const userId = uid("user");
      await h.store.put(userId, "telegram#20", { id: 20 });
      await h.store.put(userId, "telegram#10", { id: 10 });
      await h.store.put(userId, "settings", { x: 1 });
      await h.store.put(uid("user"), "telegram#30", { id: 30 });
      expect(await h.store.list(userId, "telegram#")).toEqual([
        { settingKey: "telegram#10", value: { id: 10 } },
        { settingKey: "telegram#20", value: { id: 20 } },
      ]);
    });

    it("keeps settings across a reopen", async (ctx) => {
      if (!h.reopen) return ctx.skip();
      const userId = uid("user");
      await h.store.put(userId, "settings", { model: "m" });
      await h.store.put(userId, "pairing-code#X", 1, { expiresAt: inSeconds(60) });
      await h.store.put(userId, "pairing-code#Y", 2, { expiresAt: inSeconds(60) });
      await h.store.take(userId, "pairing-code#Y");
      const reopened = await h.reopen();
      expect(await reopened.get(userId, "settings")).toEqual({ model: "m" });
      expect(await reopened.get(userId, "pairing-code#X")).toBe(1);
      expect(await reopened.get(userId, "pairing-code#Y")).toBeUndefined();
    });
  });
}
