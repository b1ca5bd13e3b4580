import { randomUUID } from "node:crypto";
import { KEYS, LIMITS, type PendingMessage } from "@serverless-openclaw/shared";
import { beforeEach, describe, expect, it } from "vitest";
import type { PendingQueue } from "../../src/ports";
import { expectStoreError, FakeClock, type Harness, type HarnessFactory, uid } from "./harness";

export function describePendingQueueContract(name: string, factory: HarnessFactory<PendingQueue>) {
  describe(`PendingQueue contract: ${name}`, () => {
    let h: Harness<PendingQueue>;
    let clock: FakeClock;

    beforeEach(async () => {
      clock = new FakeClock();
      h = await factory(clock);
    });

    const message = (userId: string, offsetMs = 0, clientMessageId = uid("cm")): PendingMessage => {
      const receivedAt = new Date(clock.now().getTime() + offsetMs).toISOString();
      return {
        userId,
        id: KEYS.pending.message(receivedAt, randomUUID()),
        clientMessageId,
        conversationId: "conv-1",
        text: `hello ${offsetMs}`,
        channel: "telegram",
        replyTo: { channel: "telegram", chatId: 42, messageId: 7 },
        receivedAt,
      };
    };

    it("queues a message and lists it", async () => {
      const m = message(uid("user"));
      expect(await h.store.enqueue(m)).toEqual({ status: "queued", message: m });
      expect(await h.store.list(m.userId)).toEqual([m]);
      expect(await h.store.list(uid("user"))).toEqual([]);
    });

    it("lists messages oldest first whatever the enqueue order, and honours the limit", async () => {
      const userId = uid("user");
      const messages = [3, 1, 4, 0, 2].map((s) => message(userId, s * 1000));
      for (const m of messages) await h.store.enqueue(m);
      const sorted = [...messages].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
      expect(await h.store.list(userId)).toEqual(sorted);
      expect(await h.store.list(userId, 2)).toEqual(sorted.slice(0, 2));
    });

    it("reports a repeated clientMessageId as a duplicate, even after the message was delivered", async () => {
      const userId = uid("user");
      const first = message(userId, 0, "cm-repeat");
      expect((await h.store.enqueue(first)).status).toBe("queued");
      expect(await h.store.enqueue(message(userId, 5, "cm-repeat"))).toEqual({ status: "duplicate" });
      expect(await h.store.list(userId)).toEqual([first]);
      await h.store.delete(userId, first.id);
      expect(await h.store.list(userId)).toEqual([]);
      expect(await h.store.enqueue(message(userId, 10, "cm-repeat"))).toEqual({ status: "duplicate" });
      // Another user may use the same clientMessageId.
      expect((await h.store.enqueue(message(uid("user"), 0, "cm-repeat"))).status).toBe("queued");
    });

    it("queues exactly one of 20 parallel duplicates", async () => {
      const userId = uid("user");
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => h.store.enqueue(message(userId, i, "cm-race"))),
      );
      expect(results.filter((r) => r.status === "queued")).toHaveLength(1);
      expect(await h.store.list(userId)).toHaveLength(1);
    });

    it("forgets messages and idempotency keys once their TTL passed", async () => {
      const userId = uid("user");
      const old = message(userId, 0, "cm-ttl");
      await h.store.enqueue(old);
      clock.advance((Math.max(LIMITS.pendingTtlSeconds, LIMITS.dedupeTtlSeconds) + 1) * 1000);
      expect(await h.store.list(userId)).toEqual([]);
      const again = message(userId, 0, "cm-ttl");
      expect(await h.store.enqueue(again)).toEqual({ status: "queued", message: again });
      expect(await h.store.list(userId)).toEqual([again]);
    });

    it("rejects ids that are not `<timestamp>#<uuid>`", async () => {
      const userId = uid("user");
      await expectStoreError(h.store.enqueue({ ...message(userId), id: "dedupe#x" }), "INVALID_ARGUMENT");
      await expectStoreError(h.store.delete(userId, "dedupe#x"), "INVALID_ARGUMENT");
      expect(await h.store.list(userId)).toEqual([]);
    });

    it("keeps messages and idempotency keys across a reopen", async (ctx) => {
      if (!h.reopen) return ctx.skip();
      const m = message(uid("user"), 0, "cm-reopen");
      await h.store.enqueue(m);
      const reopened = await h.reopen();
      expect(await reopened.list(m.userId)).toEqual([m]);
      expect(await reopened.enqueue(message(m.userId, 1, "cm-reopen"))).toEqual({ status: "duplicate" });
    });
  });
}
