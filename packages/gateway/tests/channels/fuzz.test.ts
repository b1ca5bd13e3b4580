import { fuzzRuns } from "@serverless-openclaw/testkit/fuzz";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChannelHarness, httpEvent, signedDiscord, signedSlack, startChannelHarness } from "./harness";

/** Whatever reaches the internet-facing channel endpoints, the handlers answer and stay put. */
describe("Discord and Slack endpoints under fuzzed input", () => {
  let h: ChannelHarness;
  beforeAll(async () => {
    h = await startChannelHarness();
  });
  afterAll(async () => h?.stop());

  const loose = fc.oneof(fc.integer(), fc.double(), fc.string(), fc.boolean(), fc.constant(null));
  const mostly = <T>(good: fc.Arbitrary<T>) =>
    fc.oneof({ arbitrary: good, weight: 8 }, { arbitrary: loose, weight: 1 });
  const snowflake = fc.bigInt({ min: 10n ** 17n, max: 10n ** 19n }).map(String);
  const interaction = fc.record(
    {
      id: mostly(snowflake),
      type: mostly(fc.constantFrom(1, 2, 3, 4, 5)),
      application_id: mostly(snowflake),
      token: mostly(fc.string({ minLength: 1, maxLength: 80 })),
      channel_id: mostly(snowflake),
      user: fc.record({ id: mostly(snowflake), username: mostly(fc.string({ maxLength: 70 })) }),
      data: fc.record({
        name: mostly(fc.constantFrom("ask", "status", "new", "stop", "pair", "unpair", "help", "x")),
        options: fc.array(
          fc.record({
            name: mostly(fc.constantFrom("text", "code")),
            type: mostly(fc.constant(3)),
            value: loose,
          }),
          { maxLength: 3 },
        ),
      }),
    },
    { requiredKeys: ["type"] },
  );
  const slackBody = fc.oneof(
    fc.record({ type: fc.constant("url_verification"), challenge: loose }),
    fc.record({
      type: mostly(fc.constant("event_callback")),
      team_id: mostly(fc.constantFrom("T0001", "t-1")),
      event_id: mostly(fc.stringMatching(/^Ev[A-Z0-9]{4,10}$/)),
      event: fc.record(
        {
          type: mostly(fc.constantFrom("message", "app_mention", "reaction_added")),
          channel_type: mostly(fc.constantFrom("im", "channel")),
          channel: mostly(fc.constantFrom("D0001", "C0001", "bad channel")),
          user: mostly(fc.constantFrom("U0FUZZ01", "U0FUZZ02")),
          text: fc.oneof(fc.string({ unit: "binary", maxLength: 300 }), loose),
          ts: mostly(fc.constantFrom("1790000000.000001", "x")),
          subtype: fc.constantFrom("bot_message", "message_changed"),
        },
        { requiredKeys: [] },
      ),
    }),
    fc.json(),
  );
  const anyString = fc.oneof(fc.string({ unit: "binary" }), fc.json());

  it("never crashes on signed interaction-shaped garbage and never reaches an agent for strangers", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          interaction.map((i) => JSON.stringify(i)),
          anyString,
        ),
        async (body) => {
          const res = await h.discord(signedDiscord(h, body));
          expect([200, 400, 413]).toContain(res.statusCode);
        },
      ),
      { numRuns: fuzzRuns(150) },
    );
    expect(h.runner.starts).toEqual([]);
  });

  it("never crashes on signed Slack-shaped garbage (events and commands)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          slackBody.map((b) => JSON.stringify(b)),
          anyString,
        ),
        fc.boolean(),
        async (body, asCommand) => {
          const res = await h.slack(signedSlack(h, asCommand ? "/slack/commands" : "/slack/events", body));
          expect(res.statusCode).toBe(200);
        },
      ),
      { numRuns: fuzzRuns(150) },
    );
    expect(h.runner.starts).toEqual([]);
  });

  it("answers 401 to any unsigned or wrongly signed request, without a write", async () => {
    h.writes.length = 0;
    await fc.assert(
      fc.asyncProperty(
        anyString,
        fc.dictionary(
          fc.constantFrom(
            "x-signature-ed25519",
            "x-signature-timestamp",
            "x-slack-signature",
            "x-slack-request-timestamp",
          ),
          fc.oneof(fc.string({ maxLength: 130 }), fc.stringMatching(/^[0-9a-f]{128}$/)),
        ),
        async (body, headers) => {
          expect((await h.discord(httpEvent("/discord/interactions", body, headers))).statusCode).toBe(401);
          expect((await h.slack(httpEvent("/slack/events", body, headers))).statusCode).toBe(401);
        },
      ),
      { numRuns: fuzzRuns(150) },
    );
    expect(h.writes).toEqual([]);
    // Not even an API Gateway event: 400, no crash.
    expect((await h.discord({ nope: true })).statusCode).toBe(400);
    expect((await h.slack(null)).statusCode).toBe(400);
  });
});
