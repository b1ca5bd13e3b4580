import { CHAT_CHANNELS, PAIRING_CODE_BUTTON } from "@serverless-openclaw/shared";
import { describe, expect, it } from "vitest";
import { CHANNEL_SPECS } from "../../src/channels/spec";
import { channelTexts } from "../../src/channels/texts";

describe("what a bot tells an account that is not paired", () => {
  it("names the button the web app's Settings shows for a pairing code (“Get a pairing code”)", () => {
    expect(PAIRING_CODE_BUTTON).toBe("Get a pairing code");
    for (const channel of CHAT_CHANNELS) {
      const { notPaired } = channelTexts(CHANNEL_SPECS[channel], "");
      expect(notPaired).toContain("press “Get a pairing code”");
      expect(notPaired).not.toContain("Create pairing code");
    }
  });
});
