import { describe, expect, it } from "vitest";
import { channelPairing } from "../../src/channels/registry";
import type { GatewayConfig } from "../../src/deps";
import { createHttpApiHandler } from "../../src/handlers";
import { httpEvent } from "../handlers/events";
import { makeDeps } from "../unit/fakes";

const ALICE = "valid:alice";

function setup(config: Partial<GatewayConfig> = {}) {
  const deps = makeDeps({ config });
  const api = createHttpApiHandler(deps);
  const call = async (...args: Parameters<typeof httpEvent>) => {
    const result = await api(httpEvent(...args));
    return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
  };
  return { deps, call };
}

describe("HTTP API: channel-neutral pairing routes", () => {
  it("refuses codes with 409 for a channel this deployment does not serve, and 400 for unknown channels", async () => {
    const { call } = setup({ telegramEnabled: true });
    for (const channel of ["discord", "slack"]) {
      const res = await call("POST", `/channels/${channel}/pairing-code`, { token: ALICE });
      expect(res.statusCode).toBe(409);
      expect(res.json.error).toMatchObject({ code: "CHANNEL_DISABLED" });
      expect(res.json.error.message).toContain(`docs/${channel}.md`);
    }
    expect((await call("POST", "/channels/irc/pairing-code", { token: ALICE })).statusCode).toBe(400);
    expect((await call("POST", "/channels/slack/pairing-code", {})).statusCode).toBe(401);
  });

  it("makes a code per channel, lists and deletes pairings by external id", async () => {
    const { call, deps } = setup({ discordEnabled: true, slackEnabled: true, telegramEnabled: true });
    const slack = await call("POST", "/channels/slack/pairing-code", { token: ALICE });
    expect(slack.statusCode).toBe(201);
    expect(slack.json.instruction).toContain(`/openclaw pair ${slack.json.code}`);
    const service = channelPairing(deps, "slack");
    expect(await service.redeem(slack.json.code, { id: "T1:U1", username: "ada" })).toMatchObject({
      ok: true,
    });
    // A Slack code is no Discord code: channels have separate code spaces.
    const discord = await call("POST", "/channels/discord/pairing-code", { token: ALICE });
    expect(await channelPairing(deps, "slack").redeem(discord.json.code, { id: "T1:U2" })).toEqual({
      ok: false,
      reason: "unknown-or-expired",
    });
    const listed = await call("GET", "/channels/slack/pairings", { token: ALICE });
    expect(listed.json.pairings).toMatchObject([
      { channel: "slack", externalUserId: "T1:U1", username: "ada" },
    ]);
    expect((await call("DELETE", "/channels/slack/pairings/T1%3AU1", { token: ALICE })).statusCode).toBe(204);
    expect((await call("GET", "/channels/slack/pairings", { token: ALICE })).json.pairings).toEqual([]);
    expect(await service.lookup("T1:U1")).toBeUndefined();
    expect((await call("DELETE", "/channels/slack/pairings/a%23b", { token: ALICE })).statusCode).toBe(400);
  });

  it("names the web account that made a code, and shows and dismisses the owner's notices", async () => {
    const { call, deps } = setup({ slackEnabled: true, telegramEnabled: true });
    const code = await call("POST", "/channels/slack/pairing-code", { token: ALICE });
    const service = channelPairing(deps, "slack");
    expect(await service.redeem(code.json.code, { id: "T1:U1", username: "ada" })).toMatchObject({
      ok: true,
      target: "alice",
      already: false,
    });
    // Mallory's code cannot take Alice's Slack account; Alice is told in the web app.
    const mallory = await call("POST", "/channels/slack/pairing-code", { token: "valid:mallory" });
    expect(await service.redeem(mallory.json.code, { id: "T1:U1", username: "ada" })).toEqual({
      ok: false,
      reason: "paired-elsewhere",
      current: "alice",
      target: "mallory",
    });
    const notices = await call("GET", "/channels/slack/notices", { token: ALICE });
    expect(notices.json.notices).toMatchObject([
      {
        channel: "slack",
        externalUserId: "T1:U1",
        username: "ada",
        kind: "move-refused",
        otherAccount: "mallory",
      },
    ]);
    expect((await call("GET", "/channels/slack/notices", { token: "valid:mallory" })).json.notices).toEqual(
      [],
    );
    expect((await call("GET", "/channels/telegram/notices", { token: ALICE })).json.notices).toEqual([]);
    expect((await call("DELETE", "/channels/slack/notices/T1%3AU1", { token: ALICE })).statusCode).toBe(204);
    expect((await call("GET", "/channels/slack/notices", { token: ALICE })).json.notices).toEqual([]);
    expect((await call("GET", "/channels/irc/notices", { token: ALICE })).statusCode).toBe(400);
    expect((await call("GET", "/channels/slack/notices", {})).statusCode).toBe(401);
  });

  it("keeps Telegram pairings made before the channel core readable and removable", async () => {
    const { call, deps } = setup({ telegramEnabled: true });
    // What the Telegram-only code stored: the legacy record shape under the same keys.
    await deps.settings.put("alice", "telegram#4242", {
      telegramUserId: 4242,
      userId: "alice",
      username: "ada",
      pairedAt: "2026-11-01T10:00:00.000Z",
    });
    await deps.settings.put("telegram-4242", "pairing", { userId: "alice" });
    const telegram = channelPairing(deps, "telegram");
    expect(await telegram.lookup("4242")).toBe("alice");
    expect((await call("GET", "/channels/telegram/pairings", { token: ALICE })).json.pairings).toEqual([
      {
        channel: "telegram",
        externalUserId: "4242",
        userId: "alice",
        username: "ada",
        pairedAt: "2026-11-01T10:00:00.000Z",
      },
    ]);
    expect((await call("DELETE", "/channels/telegram/pairings/4242", { token: ALICE })).statusCode).toBe(204);
    expect(await telegram.lookup("4242")).toBeUndefined();
  });
});
