import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chatChannelsFromEnv } from "../../src/channels/chat-channels";
import { createLocalStack } from "../../src/stack/local-stack";
import { LocalSetupError } from "../../src/support/errors";
import { readLocalEnv } from "../../src/support/local-env";

const ids = ["1300000000000000001", "1300000000000000002"];

describe("local mode's Discord and Slack settings", () => {
  it("turns each channel on by its verification secret and reads the Discord channels list", () => {
    expect(chatChannelsFromEnv(readLocalEnv({}))).toEqual({ discordEnabled: false, slackEnabled: false });
    expect(
      chatChannelsFromEnv(
        readLocalEnv({
          DISCORD_PUBLIC_KEY: "ab",
          SLACK_SIGNING_SECRET: "s",
          DISCORD_CHANNEL_IDS: ` ${ids[0]},${ids[1]} ,`,
        }),
      ),
    ).toEqual({ discordEnabled: true, slackEnabled: true, discordChannelIds: ids });
  });

  it("refuses channel IDs that are not Discord IDs, naming them", () => {
    expect(() => readLocalEnv({ DISCORD_CHANNEL_IDS: `${ids[0]},general` })).toThrow(LocalSetupError);
    expect(() => readLocalEnv({ DISCORD_CHANNEL_IDS: `${ids[0]},general` })).toThrow(
      /DISCORD_CHANNEL_IDS must be Discord channel IDs.*not: general$/,
    );
  });

  it("stops local mode before it starts anything when the list is bad", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "local-channels-"));
    try {
      await expect(
        createLocalStack({ port: 0, dataDir, env: { DISCORD_CHANNEL_IDS: "general" }, print: () => {} }),
      ).rejects.toThrow(LocalSetupError);
      expect(await readdir(dataDir)).toEqual([]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
