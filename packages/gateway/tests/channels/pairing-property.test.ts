import { fuzzRuns } from "@serverless-openclaw/testkit/fuzz";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMemoryStores } from "../../src/adapters/local/embedded-stores";
import { ChannelPairingService } from "../../src/channels/pairing";
import { FakeClock } from "./harness";

const USERS = ["user-a", "user-b", "user-c"] as const;
const ACCOUNTS = ["T1:U1", "T1:U2"] as const;

type Step =
  | { kind: "code"; user: number }
  | { kind: "redeem" | "preview"; account: number; code: number }
  | { kind: "unpair-from-chat" | "unpair-from-web"; account: number }
  | { kind: "wait"; minutes: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("code" as const), user: fc.nat(USERS.length - 1) }),
  fc.record({
    kind: fc.constantFrom("redeem" as const, "preview" as const),
    account: fc.nat(ACCOUNTS.length - 1),
    code: fc.nat(5),
  }),
  fc.record({
    kind: fc.constantFrom("unpair-from-chat" as const, "unpair-from-web" as const),
    account: fc.nat(ACCOUNTS.length - 1),
  }),
  fc.record({ kind: fc.constant("wait" as const), minutes: fc.integer({ min: 1, max: 12 }) }),
);

describe("Pairing never moves a paired account (property)", () => {
  it("an account changes owner only after it was unpaired; forward and reverse records agree", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        const clock = new FakeClock();
        const { settings } = createMemoryStores({ clock });
        const service = new ChannelPairingService({ channel: "slack", settings, clock });
        const codes: string[] = [];
        for (const s of steps) {
          const account = "account" in s ? (ACCOUNTS[s.account] as string) : "";
          const before = account ? await service.lookup(account) : undefined;
          switch (s.kind) {
            case "code": {
              const user = USERS[s.user] as string;
              codes.push((await service.createCode(user, `${user}@example.com`)).code);
              break;
            }
            case "preview":
            case "redeem": {
              const code = codes[s.code % Math.max(1, codes.length)] ?? "ABCDEFGH";
              const result = await service[s.kind](code, { id: account });
              const after = await service.lookup(account);
              // The only change a code may make: an unpaired account becomes paired (by redeem).
              if (before !== undefined) expect(after).toBe(before);
              if (s.kind === "preview") expect(after).toBe(before);
              if (!result.ok && result.reason === "paired-elsewhere") {
                expect(result.current).toBe(`${before}@example.com`);
                expect((await service.notices(before as string)).map((n) => n.externalUserId)).toContain(
                  account,
                );
              }
              break;
            }
            case "unpair-from-chat":
            case "unpair-from-web":
              if (before)
                await service.unpair(before, account, s.kind === "unpair-from-chat" ? {} : undefined);
              expect(await service.lookup(account)).toBeUndefined();
              break;
            case "wait":
              clock.advance(s.minutes * 60_000);
              break;
          }
          for (const user of USERS) {
            const listed = (await service.list(user)).map((p) => p.externalUserId).sort();
            const owned = [];
            for (const a of ACCOUNTS) if ((await service.lookup(a)) === user) owned.push(a);
            expect(listed).toEqual(owned.sort());
          }
        }
      }),
      { numRuns: fuzzRuns(150) },
    );
  });
});
