// @vitest-environment happy-dom
import {
  type ChatChannel,
  PAIRING_CODE_BUTTON,
  type ChannelPairing as Pairing,
  type PairingCode,
} from "@serverless-openclaw/shared";
import { cleanup, configure, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { ChannelPairing } from "../../src/settings/channel-pairing";

configure({ asyncUtilTimeout: 10_000 });
afterEach(cleanup);

function fakeApi() {
  const calls: string[] = [];
  let pairings: Pairing[] = [
    {
      channel: "slack",
      externalUserId: "T1:U1",
      userId: "u1",
      username: "ada",
      pairedAt: "2026-11-01T10:00:00.000Z",
    },
  ];
  return {
    calls,
    api: {
      createChannelPairingCode: async (channel: ChatChannel): Promise<PairingCode> => {
        calls.push(`create ${channel}`);
        return {
          code: "WXYZ2345",
          expiresAt: new Date(Date.now() + 600_000).toISOString(),
          instruction: "Send /openclaw pair WXYZ2345 to the OpenClaw app in Slack within 10 minutes.",
        };
      },
      listChannelPairings: async (channel: ChatChannel) => {
        calls.push(`list ${channel}`);
        return pairings;
      },
      deleteChannelPairing: async (channel: ChatChannel, id: string) => {
        calls.push(`delete ${channel} ${id}`);
        pairings = pairings.filter((p) => p.externalUserId !== id);
        return {};
      },
    },
  };
}

describe("ChannelPairing (Telegram, Discord, Slack)", () => {
  it("creates a code for its channel, lists paired accounts and unpairs them", async () => {
    const { api, calls } = fakeApi();
    render(<ChannelPairing api={api} channel="slack" />);
    expect((await screen.findByTestId("slack-pairing-list")).textContent).toContain("@ada");
    // The bots tell an unpaired account to press this button by name (channels/texts.ts).
    expect(screen.getByTestId("slack-pairing-create").textContent).toBe(PAIRING_CODE_BUTTON);
    fireEvent.click(screen.getByTestId("slack-pairing-create"));
    expect((await screen.findByTestId("slack-pairing-code")).textContent).toBe("WXYZ2345");
    expect(screen.getByTestId("slack-pairing").textContent).toContain("/openclaw pair WXYZ2345");
    fireEvent.click(screen.getByText("Unpair"));
    await waitFor(() =>
      expect(screen.getByTestId("slack-pairing").textContent).toContain("No Slack account is paired"),
    );
    expect(calls).toEqual(expect.arrayContaining(["list slack", "create slack", "delete slack T1:U1"]));
  });
});
