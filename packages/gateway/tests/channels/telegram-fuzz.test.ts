import { fuzzRuns } from "@serverless-openclaw/testkit/fuzz";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startTelegramHarness,
  type TelegramHarness,
  telegramEvent,
  WEBHOOK_SECRET,
} from "./telegram-harness";

/** Property tests: whatever arrives at the internet-facing webhook, the handler answers and stays put. */
describe("Telegram webhook under fuzzed input", () => {
  let h: TelegramHarness;
  beforeAll(async () => {
    h = await startTelegramHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  const reset = () => {
    h.writes.length = 0;
    h.fake.calls.length = 0;
  };

  const anyBody = fc.oneof(
    fc.string({ unit: "binary" }),
    fc.json(),
    fc.anything().map((v) => {
      try {
        return JSON.stringify(v) ?? "null";
      } catch {
        return "{}";
      }
    }),
  );

  const loose = fc.oneof(fc.integer(), fc.double(), fc.string(), fc.boolean(), fc.constant(null));
  /** Mostly well-typed values (so updates get deep into the bot), sometimes anything. */
  const mostly = <T>(good: fc.Arbitrary<T>) =>
    fc.oneof({ arbitrary: good, weight: 9 }, { arbitrary: loose, weight: 1 });
  const updateLike = fc.record(
    {
      update_id: mostly(fc.nat()),
      message: fc.record(
        {
          message_id: mostly(fc.nat()),
          date: mostly(fc.nat()),
          chat: fc.record({
            id: mostly(fc.integer()),
            type: fc.oneof(
              { arbitrary: fc.constant("private"), weight: 6 },
              fc.constantFrom("group", "supergroup", "channel"),
              fc.string(),
            ),
          }),
          from: fc.record({
            id: mostly(fc.integer({ min: 1 })),
            is_bot: mostly(fc.constant(false)),
            first_name: mostly(fc.string()),
            username: mostly(fc.string({ maxLength: 70 })),
          }),
          text: fc.oneof(
            fc.string({ unit: "binary", maxLength: 300 }),
            fc.constantFrom(
              "/start",
              "/pair ",
              "/pair ABCDEFGH",
              "/start@openclaw_test_bot x",
              "/unpair",
              "/new",
            ),
            loose,
          ),
          entities: fc.array(
            fc.record({
              type: fc.oneof(fc.constantFrom("bot_command", "bold", "mention"), fc.string()),
              offset: mostly(fc.nat(50)),
              length: mostly(fc.nat(50)),
            }),
            { maxLength: 4 },
          ),
        },
        { requiredKeys: ["message_id", "date", "chat", "from"] },
      ),
    },
    { requiredKeys: ["update_id"] },
  );

  it("rejects any body with a wrong or missing secret: 401, no write, no Bot API call", async () => {
    await fc.assert(
      fc.asyncProperty(
        anyBody,
        fc.option(fc.string({ maxLength: 80 }).filter((s) => s !== WEBHOOK_SECRET)),
        async (body, secret) => {
          reset();
          const res = await h.handler(telegramEvent(body, secret));
          expect(res.statusCode).toBe(401);
          expect(h.writes).toEqual([]);
          expect(h.fake.calls).toEqual([]);
        },
      ),
      { numRuns: fuzzRuns(150) },
    );
  });

  it("answers 200 to arbitrary bodies with the right secret and writes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(anyBody, async (body) => {
        reset();
        const res = await h.handler(telegramEvent(body, WEBHOOK_SECRET));
        expect(res.statusCode).toBe(200);
        expect(h.writes).toEqual([]);
      }),
      { numRuns: fuzzRuns(200) },
    );
  });

  it("answers 200 to a command entity on a message without text (a counterexample fast-check found)", async () => {
    reset();
    const update = {
      update_id: 0,
      message: {
        message_id: 0,
        date: 0,
        chat: { id: 0, type: "private" },
        from: { id: 1, is_bot: false, first_name: "", username: "" },
        entities: [{ type: "bot_command", offset: 0, length: 5 }],
      },
    };
    expect((await h.handler(telegramEvent(update, WEBHOOK_SECRET))).statusCode).toBe(200);
    expect(h.runner.starts).toEqual([]);
  });

  it("never crashes on update-shaped garbage and never reaches an agent for unpaired senders", async () => {
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(updateLike, async (update) => {
        reset();
        const res = await h.handler(telegramEvent(update, WEBHOOK_SECRET));
        expect(res.statusCode).toBe(200);
        // At most the dedupe marker; pairing a random code cannot succeed (no codes exist).
        expect(h.writes.filter((w) => w !== "settings.putIfAbsent" && w !== "settings.take")).toEqual([]);
        expect(h.runner.starts).toEqual([]);
        answered += h.fake.callsOf("sendMessage").length;
      }),
      { numRuns: fuzzRuns(300) },
    );
    // The generator must reach the bot often enough to mean something.
    expect(answered).toBeGreaterThan(20);
  });

  it("never throws on events that are not API Gateway events", async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (event) => {
        reset();
        const res = await h.handler(event);
        expect([400, 401]).toContain(res.statusCode);
        expect(h.writes).toEqual([]);
      }),
      { numRuns: fuzzRuns(150) },
    );
  });
});
