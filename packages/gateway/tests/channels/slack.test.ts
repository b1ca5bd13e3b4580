import { ClientMessageIdSchema, SCHEDULE_KEYS, WAKING_MESSAGE } from "@serverless-openclaw/shared";
import { fuzzRuns } from "@serverless-openclaw/testkit/fuzz";
import { isValidSlackRequest } from "@slack/bolt";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { channelPairing } from "../../src/channels/registry";
import { SLACK_MAX_SKEW_SECONDS } from "../../src/handlers/slack-events";
import {
  type ChannelHarness,
  httpEvent,
  SLACK_SIGNING_SECRET,
  signedSlack,
  slackCommand,
  slackDm,
  startChannelHarness,
} from "./harness";

const USER = "5e1f1c2e-1111-4222-8333-444455556666";
const SLACK_USER = "U0AAA0001";

describe("Slack events and commands endpoints", () => {
  let h: ChannelHarness;
  beforeAll(async () => {
    h = await startChannelHarness();
  });
  afterAll(async () => h?.stop());
  beforeEach(() => {
    h.writes.length = 0;
    h.apis.reset();
  });

  const event = (body: unknown, extraHeaders?: Record<string, string>) =>
    h.slack(signedSlack(h, "/slack/events", JSON.stringify(body), extraHeaders ? { extraHeaders } : {}));
  const command = async (slackUser: string, text: string) => {
    const res = await h.slack(signedSlack(h, "/slack/commands", slackCommand(slackUser, text)));
    expect(res.statusCode).toBe(200);
    return (JSON.parse(res.body ?? "{}") as { text: string; response_type: string }).text;
  };
  const pairing = () => channelPairing({ settings: h.stores.settings, clock: h.clock }, "slack");
  const nowSeconds = () => Math.floor(h.clock.now().getTime() / 1000);

  it("refuses forged, missing, stale and future-dated signatures with 401 and does nothing else", async () => {
    const body = JSON.stringify(slackDm(SLACK_USER, "hello"));
    const valid = signedSlack(h, "/slack/events", body);
    const cases = [
      httpEvent("/slack/events", body, { "content-type": "application/json" }),
      signedSlack(h, "/slack/events", body, { secret: "another-secret" }),
      { ...valid, body: body.replace("hello", "hellO") },
      signedSlack(h, "/slack/events", body, { timestamp: nowSeconds() - SLACK_MAX_SKEW_SECONDS - 5 }),
      signedSlack(h, "/slack/events", body, { timestamp: nowSeconds() + SLACK_MAX_SKEW_SECONDS + 5 }),
      { ...valid, headers: { ...valid.headers, "x-slack-signature": "v1=abc" } },
      { ...valid, headers: { ...valid.headers, "x-slack-request-timestamp": "soon" } },
      signedSlack(h, "/slack/commands", slackCommand(SLACK_USER, "status"), { secret: "x" }),
    ];
    for (const request of cases) expect((await h.slack(request)).statusCode).toBe(401);
    expect(h.writes).toEqual([]);
    expect(h.runner.starts).toEqual([]);
    expect(h.apis.calls).toEqual([]);
  });

  it("accepts exactly what @slack/bolt's own verifier accepts, within the window (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 200 }),
        fc.integer({ min: -250, max: 250 }),
        fc.constantFrom(SLACK_SIGNING_SECRET, "forged-secret", `${SLACK_SIGNING_SECRET}x`),
        async (body, skew, secret) => {
          const now = h.clock.now().getTime();
          const ts = Math.floor(now / 1000) + skew;
          const request = signedSlack(h, "/slack/events", body, { timestamp: ts, secret });
          const bolt = isValidSlackRequest({
            signingSecret: SLACK_SIGNING_SECRET,
            body,
            headers: {
              "x-slack-signature": String(request.headers["x-slack-signature"]),
              "x-slack-request-timestamp": ts,
            },
            nowMilliseconds: now,
          });
          const res = await h.slack(request);
          expect(res.statusCode !== 401).toBe(bolt);
          expect(bolt).toBe(secret === SLACK_SIGNING_SECRET);
        },
      ),
      { numRuns: fuzzRuns(60) },
    );
  });

  it("answers url_verification with the challenge", async () => {
    const res = await event({
      type: "url_verification",
      token: "x",
      challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body ?? "{}")).toEqual({
      challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    });
    expect(h.writes).toEqual([]);
  });

  it("refuses an unpaired DM with one explanation and no queue write or start", async () => {
    const res = await event(slackDm("U0STRANGER", "hi"));
    expect(res.statusCode).toBe(200);
    expect(h.apis.slackTexts("D0001")).toEqual([expect.stringContaining("Settings → Slack")]);
    expect(h.writes.filter((w) => !w.startsWith("settings.putIfAbsent"))).toEqual([]);
    expect(await h.stores.pending.list(USER)).toEqual([]);
    expect(h.runner.starts).toEqual([]);
  });

  it("pairs with /openclaw pair CODE once; a reused or expired code is refused", async () => {
    const { code } = await pairing().createCode(USER);
    expect(await command(SLACK_USER, `pair ${code.toLowerCase()}`)).toMatch(
      /^Paired with the web account|is already paired with the web account/,
    );
    expect(await pairing().lookup(`T0001:${SLACK_USER}`)).toBe(USER);
    expect(await command("U0OTHER01", `pair ${code}`)).toContain("not valid or has expired");
    const late = await pairing().createCode(USER);
    h.clock.advance(11 * 60_000);
    expect(await command("U0OTHER01", `pair ${late.code}`)).toContain("not valid or has expired");
    expect(await pairing().lookup("T0001:U0OTHER01")).toBeUndefined();
    expect(await command("U0OTHER01", "status")).toContain("paired Slack account");
  });

  it("a DM while the agent sleeps is queued once, wakes it once, and a retried event is answered once", async () => {
    const dm = slackDm(SLACK_USER, "summarise my day");
    expect((await event(dm)).statusCode).toBe(200);
    // Slack did not see our answer in time and retries the same event.
    expect(
      (await event(dm, { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" })).statusCode,
    ).toBe(200);
    expect(
      (await event(dm, { "x-slack-retry-num": "2", "x-slack-retry-reason": "http_timeout" })).statusCode,
    ).toBe(200);
    const pending = await h.stores.pending.list(USER);
    expect(pending).toMatchObject([
      {
        text: "summarise my day",
        channel: "slack",
        clientMessageId: `sl-${dm.event_id}`,
        replyTo: { channel: "slack", channelId: "D0001" },
      },
    ]);
    expect(pending[0]?.conversationId).toMatch(/^sl-/);
    expect(h.runner.starts).toHaveLength(1);
    expect(h.apis.slackTexts("D0001")).toEqual([WAKING_MESSAGE]);
  });

  it("an @mention is answered in its thread; our own and edited messages are ignored", async () => {
    const mention = {
      ...slackDm(SLACK_USER, "<@U0BOT> what's up?"),
      event: {
        type: "app_mention",
        channel: "C0001",
        user: SLACK_USER,
        text: "<@U0BOT> what's up?",
        ts: "1790000001.000100",
      },
    };
    await event(mention);
    const last = (await h.stores.pending.list(USER)).find((p) => p.text === "what's up?");
    expect(last).toMatchObject({
      text: "what's up?",
      replyTo: { channel: "slack", channelId: "C0001", threadTs: "1790000001.000100" },
    });
    const before = (await h.stores.pending.list(USER)).length;
    await event({ ...slackDm(SLACK_USER, "x"), event: { ...slackDm(SLACK_USER, "x").event, bot_id: "B01" } });
    await event({
      ...slackDm(SLACK_USER, "x"),
      event: { ...slackDm(SLACK_USER, "x").event, subtype: "message_changed" },
    });
    expect(await h.stores.pending.list(USER)).toHaveLength(before);
  });

  it("escapes the text of its own answers: a schedule named <!channel> is listed, not broadcast", async () => {
    const { code } = await pairing().createCode(USER);
    await command(SLACK_USER, `pair ${code}`);
    const at = h.clock.now().toISOString();
    await h.stores.settings.put(USER, SCHEDULE_KEYS.schedule("s-escape"), {
      scheduleId: "s-escape",
      name: "<!channel> & <https://evil.example|https://bank.example>",
      prompt: "hi",
      expression: "rate(6 hours)",
      timezone: "UTC",
      deliverTo: "web",
      conversationId: "c-escape",
      enabled: false,
      createdAt: at,
      updatedAt: at,
      missedRuns: 0,
      runs: 0,
    });
    const listed = await command(SLACK_USER, "schedules");
    expect(listed).toContain("&lt;!channel&gt; &amp; &lt;https://evil.example|https://bank.example&gt;");
    expect(listed).not.toMatch(/[<>]/);
  });

  it("runs /openclaw commands and asks with /openclaw <question>", async () => {
    expect(await command(SLACK_USER, "")).toContain("/openclaw new");
    expect(await command(SLACK_USER, "status")).toMatch(/^The agent is/);
    expect(await command(SLACK_USER, "new")).toContain("new conversation");
    expect(await command(SLACK_USER, "ask what is 2+2?")).toBeTruthy();
    expect(await command(SLACK_USER, "how far is the moon?")).toBeTruthy();
    const texts = (await h.stores.pending.list(USER)).map((p) => p.text);
    expect(texts).toEqual(expect.arrayContaining(["what is 2+2?", "how far is the moon?"]));
    expect(texts).not.toContain("ask what is 2+2?");
    // Slack trigger ids are long and dotted; the queued ids stay valid clientMessageIds.
    for (const p of await h.stores.pending.list(USER))
      expect(ClientMessageIdSchema.safeParse(p.clientMessageId).success).toBe(true);
    expect(await command(SLACK_USER, "unpair")).toMatch(/^Unpaired\./);
    expect(await command(SLACK_USER, "status")).toContain("paired Slack account");
  });
});
