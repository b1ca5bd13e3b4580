import { WAKING_MESSAGE } from "@serverless-openclaw/shared";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { channelPairing } from "../../src/channels/registry";
import {
  askInteraction,
  type ChannelHarness,
  DISCORD_APP_ID,
  DISCORD_CHOSEN_CHANNEL,
  httpEvent,
  inServerChannel,
  signedDiscord,
  startChannelHarness,
} from "./harness";

type Reply = { type: number; data?: { content?: string; flags?: number } };

const USER = "8d3f1c2e-1111-4222-8333-444455556666";
const DISCORD_USER = "1000000000000000042";

describe("Discord interactions endpoint", () => {
  let h: ChannelHarness;
  beforeAll(async () => {
    h = await startChannelHarness();
  });
  afterAll(async () => h?.stop());
  beforeEach(() => {
    h.writes.length = 0;
  });

  const post = async (body: unknown) => {
    const res = await h.discord(signedDiscord(h, body));
    return {
      status: res.statusCode,
      body: res.body ? (JSON.parse(res.body) as Reply) : undefined,
    };
  };
  const pairingService = () => channelPairing({ settings: h.stores.settings, clock: h.clock }, "discord");
  const pair = async (discordUser: string, userId = USER) => {
    const { code } = await pairingService().createCode(userId);
    const res = await post(askInteraction(discordUser, code, "pair", "code"));
    expect(res.body?.data?.content).toMatch(
      /^Paired with the web account|is already paired with the web account/,
    );
  };

  it("refuses a missing, forged or mismatched signature with 401 and does nothing else", async () => {
    const body = JSON.stringify(askInteraction(DISCORD_USER, "hello"));
    const valid = signedDiscord(h, body);
    const cases = [
      httpEvent("/discord/interactions", body, { "content-type": "application/json" }),
      httpEvent("/discord/interactions", body, {
        "x-signature-ed25519": "00".repeat(64),
        "x-signature-timestamp": "1790000000",
      }),
      httpEvent("/discord/interactions", body, {
        "x-signature-ed25519": "not hex at all",
        "x-signature-timestamp": "1790000000",
      }),
      // A valid signature over another body, and over another timestamp.
      { ...valid, body: body.replace("hello", "hellO") },
      { ...valid, headers: { ...valid.headers, "x-signature-timestamp": "1790000001" } },
      // Validly signed, but stale or from the future (a replayed capture).
      signedDiscord(h, body, String(Math.floor(h.clock.now().getTime() / 1000) - 301)),
      signedDiscord(h, body, String(Math.floor(h.clock.now().getTime() / 1000) + 301)),
    ];
    for (const event of cases) {
      const res = await h.discord(event);
      expect(res.statusCode).toBe(401);
    }
    expect(h.writes).toEqual([]);
    expect(h.runner.starts).toEqual([]);
    expect(h.apis.calls).toEqual([]);
  });

  it("answers PING with PONG", async () => {
    const res = await post({ id: "1", type: 1, application_id: DISCORD_APP_ID, token: "t" });
    expect(res).toEqual({ status: 200, body: { type: 1 } });
  });

  it("refuses an unpaired user without queueing or starting anything", async () => {
    const res = await post(askInteraction("1000000000000000999", "hello there"));
    expect(res.body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(res.body?.data?.content).toContain("Settings → Discord");
    expect(h.writes).toEqual([]);
    expect(h.runner.starts).toEqual([]);
  });

  it("pairs with a code once; a reused or expired code is refused", async () => {
    const { code } = await pairingService().createCode(USER);
    const first = await post(askInteraction(DISCORD_USER, code, "pair", "code"));
    expect(first.body?.data?.content).toMatch(
      /^Paired with the web account|is already paired with the web account/,
    );
    expect(await pairingService().lookup(DISCORD_USER)).toBe(USER);
    expect(await pairingService().list(USER)).toMatchObject([
      { channel: "discord", externalUserId: DISCORD_USER, userId: USER, username: "ada" },
    ]);

    const reused = await post(askInteraction("1000000000000000777", code, "pair", "code"));
    expect(reused.body?.data?.content).toContain("not valid or has expired");
    expect(await pairingService().lookup("1000000000000000777")).toBeUndefined();

    const late = await pairingService().createCode(USER);
    h.clock.advance(11 * 60_000);
    const expired = await post(askInteraction("1000000000000000777", late.code, "pair", "code"));
    expect(expired.body?.data?.content).toContain("not valid or has expired");
    expect(await pairingService().lookup("1000000000000000777")).toBeUndefined();
  });

  it("/ask while the agent sleeps queues the question, wakes it once and says so publicly", async () => {
    await pair(DISCORD_USER);
    const ask = askInteraction(DISCORD_USER, "what is the weather?");
    const res = await post(ask);
    expect(res.body).toEqual({ type: 4, data: { content: WAKING_MESSAGE, allowed_mentions: { parse: [] } } });
    expect(h.runner.starts).toHaveLength(1);
    const pending = await h.stores.pending.list(USER);
    expect(pending).toMatchObject([
      {
        text: "what is the weather?",
        channel: "discord",
        clientMessageId: `dc-${ask.id}`,
        replyTo: { channel: "discord", applicationId: DISCORD_APP_ID, interactionToken: ask.token },
      },
    ]);
    expect(pending[0]?.conversationId).toMatch(/^dc-/);

    // The agent is starting: the next question is deferred (its reply edits "thinking…").
    const again = await post(askInteraction(DISCORD_USER, "and tomorrow?"));
    expect(again.body?.type).toBe(4);
    expect(h.runner.starts).toHaveLength(1);
  });

  it("answers /ask in a DM or the chosen server channel only; elsewhere it refuses privately and queues nothing", async () => {
    const asker = "1000000000000000444";
    const askerUser = "8d3f1c2e-3333-4222-8333-444455556666";
    await pair(asker, askerUser);
    h.writes.length = 0;
    const starts = h.runner.starts.length;
    const elsewhere = await post(
      inServerChannel(askInteraction(asker, "secret plans?"), "1300000000000000009"),
    );
    expect(elsewhere.body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(elsewhere.body?.data?.content).toContain(`<#${DISCORD_CHOSEN_CHANNEL}>`);
    expect(h.writes).toEqual([]);
    expect(h.runner.starts).toHaveLength(starts);
    expect(await h.stores.pending.list(askerUser)).toEqual([]);
    // Private commands still work there (only the person who ran them sees the answer).
    const status = await post(inServerChannel(askInteraction(asker, "", "status"), "1300000000000000009"));
    expect(status.body?.data?.content).toMatch(/^The agent is/);

    const chosen = await post(inServerChannel(askInteraction(asker, "in the open"), DISCORD_CHOSEN_CHANNEL));
    expect(chosen.body).toEqual({
      type: 4,
      data: { content: WAKING_MESSAGE, allowed_mentions: { parse: [] } },
    });
    const dm = await post(askInteraction(asker, "in private"));
    expect(dm.body?.type).toBe(4);
    expect((await h.stores.pending.list(askerUser)).map((m) => m.text)).toEqual([
      "in the open",
      "in private",
    ]);
  });

  it("answers /status, /new, /help and /unpair for a paired user, privately", async () => {
    const other = "1000000000000000555";
    const otherUser = "8d3f1c2e-2222-4222-8333-444455556666";
    await pair(other, otherUser);
    const status = await post(askInteraction(other, "", "status"));
    expect(status.body).toMatchObject({
      type: 4,
      data: { flags: 64, content: expect.stringContaining("asleep") },
    });
    const fresh = await post(askInteraction(other, "", "new"));
    expect(fresh.body?.data?.content).toContain("new conversation");
    const help = await post(askInteraction(other, "", "help"));
    expect(help.body?.data?.content).toContain("/pair CODE");
    const unknown = await post(askInteraction(other, "", "frobnicate"));
    expect(unknown.body?.data?.content).toContain("do not know");
    const unpair = await post(askInteraction(other, "", "unpair"));
    expect(unpair.body?.data?.content).toMatch(/^Unpaired\./);
    expect(await pairingService().lookup(other)).toBeUndefined();
    const after = await post(askInteraction(other, "", "status"));
    expect(after.body?.data?.content).toContain("paired Discord account");
  });

  it("answers 400 to a signed body that is not an interaction, and never 500", async () => {
    expect((await post("not json")).status).toBe(400);
    expect((await post({ type: 2 })).status).toBe(400);
    const guild = askInteraction(DISCORD_USER, "", "status");
    const { user, ...rest } = guild;
    const res = await post({ ...rest, member: { user } });
    expect(res.body?.data?.content).toMatch(/^The agent is/);
  });
});
