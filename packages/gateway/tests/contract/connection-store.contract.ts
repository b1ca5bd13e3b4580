import type { Connection } from "@serverless-openclaw/shared";
import { beforeEach, describe, expect, it } from "vitest";
import type { ConnectionStore } from "../../src/ports";
import { FakeClock, type Harness, type HarnessFactory, uid } from "./harness";

export function describeConnectionStoreContract(name: string, factory: HarnessFactory<ConnectionStore>) {
  describe(`ConnectionStore contract: ${name}`, () => {
    let h: Harness<ConnectionStore>;
    const connection = (userId: string, kind: Connection["kind"] = "client"): Connection => ({
      connectionId: uid("conn"),
      userId,
      kind,
      connectedAt: new Date().toISOString(),
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    });

    beforeEach(async () => {
      h = await factory(new FakeClock());
    });

    it("stores, reads and deletes a connection", async () => {
      const c = connection(uid("user"));
      await h.store.put(c);
      expect(await h.store.get(c.connectionId)).toEqual(c);
      await h.store.delete(c.connectionId);
      expect(await h.store.get(c.connectionId)).toBeUndefined();
      await h.store.delete(c.connectionId); // deleting twice is fine
    });

    it("lists every user's connections of one kind where the store can (the gateway's own, not an agent's)", async () => {
      const list = h.store.listAll;
      if (!list) return;
      const alice = [connection(uid("alice")), connection(uid("alice"))];
      const bob = connection(uid("bob"));
      const agent = connection(uid("carol"), "agent");
      for (const c of [...alice, bob, agent]) await h.store.put(c);
      // Other tests' rows may share the table: look only for this test's.
      const ids = (cs: Connection[]) => new Set(cs.map((c) => c.connectionId));
      const clients = ids(await list.call(h.store, "client"));
      for (const c of [...alice, bob]) expect(clients.has(c.connectionId)).toBe(true);
      expect(clients.has(agent.connectionId)).toBe(false);
      expect(ids(await list.call(h.store)).has(agent.connectionId)).toBe(true);
    });

    it("lists only the given user's connections, optionally of one kind", async () => {
      const user = uid("user");
      const tabs = [connection(user), connection(user)];
      const agent = connection(user, "agent");
      const other = connection(uid("user"));
      for (const c of [...tabs, agent, other]) await h.store.put(c);
      const byId = (a: Connection, b: Connection) => a.connectionId.localeCompare(b.connectionId);
      expect((await h.store.listByUser(user)).sort(byId)).toEqual([...tabs, agent].sort(byId));
      expect((await h.store.listByUser(user, "client")).sort(byId)).toEqual([...tabs].sort(byId));
      expect(await h.store.listByUser(user, "agent")).toEqual([agent]);
      expect(await h.store.listByUser(uid("nobody"))).toEqual([]);
    });

    it("keeps connections across a reopen", async (ctx) => {
      if (!h.reopen) return ctx.skip();
      const c = connection(uid("user"));
      await h.store.put(c);
      const reopened = await h.reopen();
      expect(await reopened.get(c.connectionId)).toEqual(c);
      expect(await reopened.listByUser(c.userId)).toEqual([c]);
    });
  });
}
