import { type ConversationMeta, LIMITS, type StoredMessage } from "@serverless-openclaw/shared";
import { beforeEach, describe, expect, it } from "vitest";
import type { ConversationStore } from "../../src/ports";
import { expectStoreError, FakeClock, type Harness, type HarnessFactory, iso, uid } from "./harness";

const BASE = Date.parse("2026-03-01T10:00:00.000Z");

/** Turn n of a conversation: user message at 2n s, reply at 2n+1 s. */
export function turn(conversationId: string, n: number, clientMessageId = `cm-${n}`) {
  const user: StoredMessage = {
    conversationId,
    messageId: `u-${n}`,
    clientMessageId,
    role: "user",
    text: `question ${n}`,
    channel: "web",
    createdAt: iso(BASE, 2000 * n),
  };
  const reply: StoredMessage = {
    ...user,
    messageId: `a-${n}`,
    role: "assistant",
    text: `answer ${n}`,
    createdAt: iso(BASE, 2000 * n + 1000),
  };
  return { user, reply };
}

export function describeConversationStoreContract(name: string, factory: HarnessFactory<ConversationStore>) {
  describe(`ConversationStore contract: ${name}`, () => {
    let h: Harness<ConversationStore>;

    beforeEach(async () => {
      h = await factory(new FakeClock());
    });

    const meta = (conversationId: string, updatedOffset: number): ConversationMeta => ({
      conversationId,
      title: `Title ${conversationId}`,
      channel: "web",
      createdAt: iso(BASE, 0),
      updatedAt: iso(BASE, updatedOffset),
    });

    it("stores a turn once: a second putTurn for the same message returns false", async () => {
      const userId = uid("user");
      const { user, reply } = turn("c1", 0);
      expect(await h.store.putTurn(userId, user, reply)).toBe(true);
      const redelivered = {
        ...reply,
        messageId: "a-other",
        text: "a second answer",
        createdAt: iso(BASE, 9000),
      };
      expect(await h.store.putTurn(userId, { ...user, createdAt: iso(BASE, 8000) }, redelivered)).toBe(false);
      expect((await h.store.page(userId, "c1", { limit: 10 })).messages).toEqual([user, reply]);
      expect(await h.store.findReply(userId, "c1", "cm-0")).toEqual(reply);
      expect(await h.store.findReply(userId, "c1", "cm-none")).toBeUndefined();
      expect(await h.store.findReply(userId, "c2", "cm-0")).toBeUndefined();
    });

    it("stores exactly one of 10 parallel putTurn calls for the same message", async () => {
      const userId = uid("user");
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => {
          const { user, reply } = turn("c1", 0);
          return h.store.putTurn(userId, user, { ...reply, messageId: `a-${i}` });
        }),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await h.store.page(userId, "c1", { limit: 50 })).messages).toHaveLength(2);
    });

    it("refuses a turn whose message ids are already used by another turn", async () => {
      const userId = uid("user");
      const first = turn("c1", 0);
      await h.store.putTurn(userId, first.user, first.reply);
      const clash = turn("c1", 0, "cm-other");
      await expectStoreError(h.store.putTurn(userId, clash.user, clash.reply), "CONFLICT");
      expect(await h.store.findReply(userId, "c1", "cm-other")).toBeUndefined();
      expect((await h.store.page(userId, "c1", { limit: 10 })).messages).toEqual([first.user, first.reply]);
    });

    it("rejects a reply from another conversation", async () => {
      const userId = uid("user");
      const { user } = turn("c1", 0);
      const { reply } = turn("c2", 0);
      await expectStoreError(h.store.putTurn(userId, user, reply), "INVALID_ARGUMENT");
    });

    it("pages through a long history newest page first, each page oldest first", async () => {
      const userId = uid("user");
      const turns = 45;
      for (let n = 0; n < turns; n++) {
        const { user, reply } = turn("c1", n);
        await h.store.putTurn(userId, user, reply);
      }
      // A neighbour conversation whose id extends this one must not leak into its pages.
      const { user, reply } = turn("c1x", 0);
      await h.store.putTurn(userId, user, reply);

      const pages: StoredMessage[][] = [];
      let before: string | undefined;
      do {
        const page = await h.store.page(userId, "c1", { limit: 20, ...(before ? { before } : {}) });
        expect(page.conversationId).toBe("c1");
        pages.push(page.messages);
        before = page.nextCursor;
      } while (before && pages.length < 10);
      expect(pages.map((p) => p.length)).toEqual([20, 20, 20, 20, 10]);
      for (const p of pages) {
        expect(p.map((m) => m.createdAt)).toEqual([...p.map((m) => m.createdAt)].sort());
      }
      const all = pages.reverse().flat();
      expect(all).toHaveLength(2 * turns);
      expect(all.map((m) => m.messageId)).toEqual(
        Array.from({ length: turns }, (_, n) => [`u-${n}`, `a-${n}`]).flat(),
      );
    });

    it("keeps each reply after its own question when queued questions are answered later", async () => {
      const userId = uid("user");
      // Three questions queued while the agent woke (0, 1, 2 s), answered at 10, 11, 12 s.
      const turns = [0, 1, 2].map((n) => {
        const { user, reply } = turn("c1", n);
        return {
          user: { ...user, createdAt: iso(BASE, 1000 * n) },
          reply: { ...reply, createdAt: iso(BASE, 10_000 + 1000 * n) },
        };
      });
      for (const t of turns) await h.store.putTurn(userId, t.user, t.reply);
      const expected = ["u-0", "a-0", "u-1", "a-1", "u-2", "a-2"];
      const whole = await h.store.page(userId, "c1", { limit: 10 });
      expect(whole.messages.map((m) => m.messageId)).toEqual(expected);
      expect(whole.messages[1]).toEqual(turns[0]?.reply);
      // Paging splits between a question and its answer without losing or repeating either.
      const newest = await h.store.page(userId, "c1", { limit: 3 });
      expect(newest.nextCursor).toBeDefined();
      const older = await h.store.page(userId, "c1", { limit: 3, before: newest.nextCursor });
      expect([...older.messages, ...newest.messages].map((m) => m.messageId)).toEqual(expected);
    });

    it("returns no cursor when the history fits one page exactly", async () => {
      const userId = uid("user");
      for (let n = 0; n < 2; n++) {
        const { user, reply } = turn("c1", n);
        await h.store.putTurn(userId, user, reply);
      }
      const page = await h.store.page(userId, "c1", { limit: 4 });
      expect(page.messages).toHaveLength(4);
      expect(page.nextCursor).toBeUndefined();
      expect(await h.store.page(userId, "empty", { limit: 4 })).toEqual({
        conversationId: "empty",
        messages: [],
      });
    });

    it("refuses a cursor of another conversation", async () => {
      const userId = uid("user");
      for (let n = 0; n < 3; n++) {
        const { user, reply } = turn("c1", n);
        await h.store.putTurn(userId, user, reply);
      }
      const { nextCursor } = await h.store.page(userId, "c1", { limit: 2 });
      expect(nextCursor).toBeDefined();
      await expectStoreError(h.store.page(userId, "c2", { limit: 2, before: nextCursor }), "INVALID_CURSOR");
      await expectStoreError(
        h.store.page(userId, "c1", { limit: 2, before: "not a cursor" }),
        "INVALID_CURSOR",
      );
    });

    it("keeps metadata apart from messages and lists it most recent first", async () => {
      const userId = uid("user");
      await h.store.upsertMeta(userId, meta("old", 1000));
      await h.store.upsertMeta(userId, meta("new", 5000));
      const { user, reply } = turn("old", 0);
      await h.store.putTurn(userId, user, reply);
      expect((await h.store.listMeta(userId)).map((m) => m.conversationId)).toEqual(["new", "old"]);
      await h.store.upsertMeta(userId, { ...meta("old", 9000), title: "Renamed" });
      expect(await h.store.getMeta(userId, "old")).toEqual({ ...meta("old", 9000), title: "Renamed" });
      expect((await h.store.listMeta(userId)).map((m) => m.conversationId)).toEqual(["old", "new"]);
      expect(await h.store.getMeta(userId, "missing")).toBeUndefined();
      expect((await h.store.page(userId, "old", { limit: 10 })).messages).toEqual([user, reply]);
    });

    it("touchMeta: the first message names a conversation; later ones, renames and races keep the name", async () => {
      const userId = uid("user");
      const touch = (title: string, offset: number, conversationId = "c") =>
        h.store.touchMeta(userId, {
          conversationId,
          title,
          channel: "telegram",
          at: iso(BASE, offset),
          placeholderTitle: "New conversation",
        });
      // Ten first messages at once: exactly one names it, and every later touch keeps that name.
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => touch(`first ${i}`, 1000)));
      const named = (await h.store.getMeta(userId, "c"))?.title;
      expect(results.map((m) => m.title)).toEqual(Array(10).fill(named));
      expect(await touch("second", 2000)).toEqual({
        conversationId: "c",
        title: named,
        channel: "telegram",
        createdAt: iso(BASE, 1000),
        updatedAt: iso(BASE, 2000),
      });
      // A rename sticks.
      const current = await h.store.getMeta(userId, "c");
      await h.store.upsertMeta(userId, { ...(current as ConversationMeta), title: "Renamed" });
      expect((await touch("third", 3000)).title).toBe("Renamed");
      // Created empty (POST /conversations): its first message replaces the placeholder, once.
      await h.store.upsertMeta(userId, { ...meta("empty", 0), title: "New conversation" });
      const firsts = await Promise.all([touch("hello", 4000, "empty"), touch("hi", 4000, "empty")]);
      const title = (await h.store.getMeta(userId, "empty"))?.title;
      expect(["hello", "hi"]).toContain(title);
      expect(firsts.map((m) => m.title)).toEqual([title, title]);
      expect((await touch("later", 5000, "empty")).title).toBe(title);
    });

    it("touchMeta refuses metadata a conversation cannot have, and writes nothing", async () => {
      const userId = uid("user");
      const touch = (title: string, at: string) =>
        h.store.touchMeta(userId, {
          conversationId: "c",
          title,
          channel: "web",
          at,
          placeholderTitle: "New conversation",
        });
      await expectStoreError(touch("x".repeat(LIMITS.maxTitleChars + 1), iso(BASE, 0)), "INVALID_ARGUMENT");
      await expectStoreError(touch("fine", "yesterday"), "INVALID_ARGUMENT");
      expect(await h.store.getMeta(userId, "c")).toBeUndefined();
      expect(await h.store.listMeta(userId)).toEqual([]);
    });

    it("deletes a conversation with all its items and nothing else", async () => {
      const userId = uid("user");
      for (let n = 0; n < 30; n++) {
        const { user, reply } = turn("gone", n);
        await h.store.putTurn(userId, user, reply);
      }
      const kept = turn("kept", 0);
      await h.store.putTurn(userId, kept.user, kept.reply);
      await h.store.upsertMeta(userId, meta("gone", 0));
      await h.store.upsertMeta(userId, meta("kept", 0));

      await h.store.delete(userId, "gone");
      expect(await h.store.page(userId, "gone", { limit: 100 })).toEqual({
        conversationId: "gone",
        messages: [],
      });
      expect(await h.store.getMeta(userId, "gone")).toBeUndefined();
      expect(await h.store.findReply(userId, "gone", "cm-3")).toBeUndefined();
      // Its turns are gone too, so the same message could be answered again in a new conversation.
      const again = turn("gone", 3);
      expect(await h.store.putTurn(userId, again.user, again.reply)).toBe(true);
      expect((await h.store.page(userId, "kept", { limit: 10 })).messages).toEqual([kept.user, kept.reply]);
      expect((await h.store.listMeta(userId)).map((m) => m.conversationId)).toEqual(["kept"]);
    });

    it("keeps history across a reopen", async (ctx) => {
      if (!h.reopen) return ctx.skip();
      const userId = uid("user");
      const { user, reply } = turn("c1", 0);
      await h.store.putTurn(userId, user, reply);
      await h.store.upsertMeta(userId, meta("c1", 0));
      const reopened = await h.reopen();
      expect((await reopened.page(userId, "c1", { limit: 10 })).messages).toEqual([user, reply]);
      expect(await reopened.putTurn(userId, user, reply)).toBe(false);
      expect(await reopened.listMeta(userId)).toEqual([meta("c1", 0)]);
    });
  });
}
