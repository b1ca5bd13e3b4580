/**
 * Registers (or removes) the Telegram webhook of a deployment, from the secrets stored in SSM.
 *
 *   npx tsx scripts/telegram-set-webhook.ts --url https://<http-api>/telegram/webhook \
 *     [--secret-prefix /serverless-openclaw] [--drop-pending]
 *   npx tsx scripts/telegram-set-webhook.ts --delete [--secret-prefix …]
 *
 * Reads `telegram/bot-token` (and `telegram/webhook-secret`, created when missing) under the prefix,
 * using the usual AWS credentials and region (AWS_PROFILE, AWS_REGION). See docs/telegram.md.
 */
import { parseArgs } from "node:util";
import { SSMClient } from "@aws-sdk/client-ssm";
import { SsmSecretStore } from "@serverless-openclaw/gateway/aws";
import { deleteTelegramWebhook, ensureTelegramWebhook } from "@serverless-openclaw/gateway/channels";
import { SECRET_NAMES } from "@serverless-openclaw/shared";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    "secret-prefix": { type: "string", default: process.env.SECRET_PREFIX ?? "/serverless-openclaw" },
    "api-root": { type: "string" },
    "drop-pending": { type: "boolean", default: false },
    delete: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

async function main(): Promise<void> {
  if (values.help || (!values.url && !values.delete)) {
    console.log(
      "usage: telegram-set-webhook --url https://…/telegram/webhook [--secret-prefix /serverless-openclaw]",
    );
    console.log("       telegram-set-webhook --delete [--secret-prefix …]");
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const secrets = new SsmSecretStore(new SSMClient({}), values["secret-prefix"]);
  const parameter = (name: string) => `${values["secret-prefix"].replace(/\/$/, "")}/${name}`;
  const apiRoot = values["api-root"] ? { apiRoot: values["api-root"] } : {};
  if (values.delete) {
    const token = await secrets.get(SECRET_NAMES.telegramBotToken);
    if (!token) throw new Error(`no bot token stored in ${parameter(SECRET_NAMES.telegramBotToken)}`);
    await deleteTelegramWebhook({ token, ...apiRoot });
    console.log("Webhook removed: the bot can be used with long polling (local mode) now.");
    return;
  }
  const { bot, createdSecret } = await ensureTelegramWebhook({
    secrets,
    url: values.url ?? "",
    dropPendingUpdates: values["drop-pending"],
    ...apiRoot,
  });
  if (createdSecret)
    console.log(`Created a webhook secret in ${parameter(SECRET_NAMES.telegramWebhookSecret)}.`);
  console.log(`Webhook of @${bot.username} set to ${values.url} (updates: message).`);
}

main().catch((error: unknown) => {
  console.error(`telegram-set-webhook: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
