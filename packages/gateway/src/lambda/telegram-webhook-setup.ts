import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SSMClient } from "@aws-sdk/client-ssm";
import * as z from "zod";
import { createDocumentClient } from "../adapters/aws/aws-stores";
import { DynamoSettingsStore } from "../adapters/aws/dynamo-settings-store";
import { SsmSecretStore } from "../adapters/aws/ssm-secret-store";
import { createTelegramWebhookSetupHandler } from "../handlers/telegram-webhook-setup";

/** The deploy-time custom resource (packages/cdk TelegramWebhookSetup): registers the bot's webhook. */
const env = z
  .object({ SECRET_PREFIX: z.string().min(1), TABLE_SETTINGS: z.string().min(1) })
  .parse(process.env);

export const handler = createTelegramWebhookSetupHandler({
  secrets: new SsmSecretStore(new SSMClient({}), env.SECRET_PREFIX),
  settings: new DynamoSettingsStore(createDocumentClient(new DynamoDBClient({})), env.TABLE_SETTINGS),
  logger: new Logger({ serviceName: "telegram-webhook-setup" }),
  secretPrefix: env.SECRET_PREFIX,
});
