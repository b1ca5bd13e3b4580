import { fuzzRuns } from "@serverless-openclaw/testkit/fuzz";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMemoryStores } from "../../src/adapters/local/embedded-stores";
import { turn } from "../contract/conversation-store.contract";

describe("history paging (property)", () => {
  it("walking the cursors returns every message once, in order, whatever the page size", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 25 }),
        async (turns, limit) => {
          const { conversations } = createMemoryStores();
          for (let n = 0; n < turns; n++) {
            const { user, reply } = turn("c1", n);
            await conversations.putTurn("u1", user, reply);
          }
          const pages: string[][] = [];
          let before: string | undefined;
          for (;;) {
            const page = await conversations.page("u1", "c1", { limit, ...(before ? { before } : {}) });
            pages.push(page.messages.map((m) => m.messageId));
            expect(page.messages.length).toBeLessThanOrEqual(limit);
            if (!page.nextCursor) break;
            expect(page.messages).toHaveLength(limit);
            before = page.nextCursor;
          }
          const expected = Array.from({ length: turns }, (_, n) => [`u-${n}`, `a-${n}`]).flat();
          expect(pages.reverse().flat()).toEqual(expected);
          expect(pages.length).toBe(Math.max(1, Math.ceil((2 * turns) / limit)));
        },
      ),
      { numRuns: fuzzRuns(60) },
    );
  });
});
