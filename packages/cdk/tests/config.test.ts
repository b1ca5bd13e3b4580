import { describe, expect, it } from "vitest";
import { ConfigError, readDeployConfig } from "../src/config";
import { logRetention } from "../src/stacks/log-retention";

const from = (ctx: Record<string, unknown>) => readDeployConfig((k) => ctx[k]);

describe("deploy parameters from CDK context", () => {
  it("has safe defaults: data retained, no Telegram, no self sign-up, 15 min inactivity, a $10 budget", () => {
    expect(from({})).toEqual({
      region: "us-east-1",
      inactivityMinutes: 15,
      telegram: false,
      discord: false,
      slack: false,
      selfSignUp: false,
      budgetMonthlyUsd: 10,
      dashboard: true,
      reservedConcurrency: true,
      retainData: true,
      browser: false,
      openClawMode: "embedded",
      logRetentionDays: 14,
      secretPrefix: "/serverless-openclaw",
    });
  });

  it("coerces command-line strings (-c telegram=on -c inactivityMinutes=30)", () => {
    const c = from({
      telegram: "on",
      selfSignUp: "true",
      retainData: "false",
      reservedConcurrency: "off",
      browser: "1",
      inactivityMinutes: "30",
    });
    expect(c).toMatchObject({
      telegram: true,
      selfSignUp: true,
      retainData: false,
      reservedConcurrency: false,
      browser: true,
      inactivityMinutes: 30,
    });
  });

  it("runs OpenClaw's embedded agent by default, takes the gateway as an opt-in (-c openClawMode=gateway) and refuses other modes", () => {
    expect(from({}).openClawMode).toBe("embedded");
    expect(from({ openClawMode: "gateway" }).openClawMode).toBe("gateway");
    expect(from({ openClawMode: "embedded" }).openClawMode).toBe("embedded");
    expect(() => from({ openClawMode: "fast" })).toThrow(/openClawMode: must be gateway or embedded/);
  });

  it("reads the Discord channels where /ask is answered, from the command line or a cdk.json list", () => {
    const ids = ["1300000000000000002", "1300000000000000003"];
    expect(from({ discordChannelIds: ` ${ids[0]}, ${ids[1]}` }).discordChannelIds).toEqual(ids);
    expect(from({ discordChannelIds: ids }).discordChannelIds).toEqual(ids);
    expect(from({}).discordChannelIds).toBeUndefined();
    expect(() => from({ discordChannelIds: `${ids[0]},general` })).toThrow(
      /-c discordChannelIds: must be Discord channel IDs, comma-separated \(not: general\)/,
    );
    expect(() => from({ discordChannelIds: " , " })).toThrow(
      /-c discordChannelIds: must be Discord channel IDs/,
    );
    // A JSON number would already be rounded (IDs are past 2^53): refused, not silently wrong.
    expect(() => from({ discordChannelIds: Number("1300000000000000002") })).toThrow(/-c discordChannelIds/);
    expect(() => from({ discordChannelIds: [Number("1300000000000000002")] })).toThrow(
      /-c discordChannelIds\.0: must be a Discord channel ID as a string/,
    );
  });

  it("rejects bad values with the parameter name and the rule", () => {
    expect(() => from({ inactivityMinutes: "0" })).toThrow(/-c inactivityMinutes: must be at least 1/);
    expect(() => from({ telegram: "maybe" })).toThrow(/-c telegram: must be on\/off/);
    expect(() => from({ region: "moon-1" })).toThrow(/-c region: must be an AWS region/);
    expect(() => from({ budgetEmail: "nope" })).toThrow(ConfigError);
  });

  it("refuses secrets passed as context and says where they go instead", () => {
    for (const key of ["telegramBotToken", "llmApiKey", "webhookSecret"]) {
      expect(() => from({ [key]: "123:secret" })).toThrow(/aws ssm put-parameter --type SecureString/);
    }
  });
});

describe("log retention", () => {
  it("rounds up to a retention CloudWatch accepts", () => {
    expect(logRetention(14)).toBe(14);
    expect(logRetention(10)).toBe(14);
    expect(logRetention(4000)).toBe(3653);
  });
});
