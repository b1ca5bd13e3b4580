import { KEYS } from "@serverless-openclaw/shared";
import { BOT_INFO, BOT_TOKEN, FakeBotApi } from "@serverless-openclaw/testkit/fake-bot-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMemoryStores } from "../../src/adapters/local/embedded-stores";
import type { Stores } from "../../src/adapters/stores";
import { silentLogger } from "../../src/deps";
import { createTelegramWebhookSetupHandler } from "../../src/handlers/telegram-webhook-setup";

const URL = "https://abc123.execute-api.eu-west-1.amazonaws.com/telegram/webhook";
const event = (RequestType: string, extra: Record<string, unknown> = {}) => ({
  RequestType,
  ServiceToken: "arn:aws:lambda:eu-west-1:123:function:provider",
  ResourceProperties: { ServiceToken: "arn:x", WebhookUrl: URL },
  ...extra,
});

describe("deploy-time Telegram webhook setup (CloudFormation custom resource)", () => {
  let fake: FakeBotApi;
  let stores: Stores;
  let setup: ReturnType<typeof createTelegramWebhookSetupHandler>;
  const logs: string[] = [];
  beforeEach(async () => {
    fake = await new FakeBotApi().start();
    stores = createMemoryStores();
    logs.length = 0;
    const record = (...args: unknown[]) => void logs.push(JSON.stringify(args));
    setup = createTelegramWebhookSetupHandler({
      secrets: stores.secrets,
      settings: stores.settings,
      logger: { ...silentLogger, info: record, warn: record },
      apiRoot: fake.apiRoot,
      secretPrefix: "/serverless-openclaw",
    });
  });
  afterEach(async () => {
    await fake.stop();
  });

  it("registers the webhook on create and update, caches getMe, and removes it on delete", async () => {
    await stores.secrets.put("telegram/bot-token", BOT_TOKEN);
    expect(await setup(event("Create"))).toEqual({
      PhysicalResourceId: "telegram-webhook",
      Data: { Status: `registered for @${BOT_INFO.username}` },
    });
    const secret = await stores.secrets.get("telegram/webhook-secret");
    expect(fake.callsOf("setWebhook").map((c) => c.params)).toEqual([
      { url: URL, secret_token: secret, allowed_updates: ["message"], drop_pending_updates: false },
    ]);
    expect(await stores.settings.get(KEYS.telegram.botPartition, KEYS.telegram.botInfo)).toEqual(BOT_INFO);
    await setup(event("Update", { PhysicalResourceId: "telegram-webhook" }));
    expect(fake.callsOf("setWebhook")[1]?.params.secret_token).toBe(secret);

    expect(await setup(event("Delete", { PhysicalResourceId: "telegram-webhook" }))).toMatchObject({
      Data: { Status: "removed" },
    });
    expect(fake.callsOf("deleteWebhook")).toHaveLength(1);
    expect(logs.join("\n")).not.toContain(BOT_TOKEN);
    expect(logs.join("\n")).not.toContain(secret);
  });

  it("does not fail the deploy without a token, and says which parameter to set and what to run", async () => {
    const result = await setup(event("Create"));
    expect(result.Data.Status).toMatch(
      /^not registered: no bot token in SSM \/serverless-openclaw\/telegram\/bot-token/,
    );
    expect(result.Data.Status).toContain(`telegram-set-webhook.ts --url ${URL}`);
    expect(fake.callsOf("setWebhook")).toHaveLength(0);
    expect(await stores.secrets.get("telegram/webhook-secret")).toBeUndefined();
    // Deleting a stack whose bot was never set up removes nothing and succeeds.
    expect((await setup(event("Delete"))).Data.Status).toBe("removed");
  });

  it("reports Telegram's refusal of a wrong token without the token itself", async () => {
    const wrong = "987654321:WRONG-token_abcdefghijklmnopqrstuvwxyz";
    await stores.secrets.put("telegram/bot-token", wrong);
    const result = await setup(event("Create"));
    expect(result.Data.Status).toMatch(/^not registered: Telegram refused \(Unauthorized\)/);
    expect(JSON.stringify(result)).not.toContain(wrong);
    expect(logs.join("\n")).not.toContain(wrong);
  });

  it("rejects an event that is not a custom-resource request, or a webhook URL that is not HTTPS", async () => {
    await expect(setup({ RequestType: "Create" })).rejects.toThrow();
    await expect(
      setup({
        RequestType: "Create",
        ResourceProperties: { WebhookUrl: "http://plain.example/telegram/webhook" },
      }),
    ).rejects.toThrow();
    expect(fake.calls).toHaveLength(0);
  });
});
