/**
 * Names in the SecretStore (SSM SecureString parameters under the deployment's prefix on AWS, a file in
 * local mode's data dir). The CDK app grants each Lambda the names it reads from this list.
 */
export const SECRET_NAMES = {
  /** A user's LLM API key (write-only through Settings; read by the agent task at boot). */
  llmApiKey: (userId: string) => `users/${userId}/llm-api-key`,
  /** The same, as an IAM resource pattern for every user. */
  llmApiKeyPattern: "users/*/llm-api-key",
  telegramBotToken: "telegram/bot-token",
  telegramWebhookSecret: "telegram/webhook-secret",
  discordPublicKey: "discord/public-key",
  discordApplicationId: "discord/application-id",
  discordBotToken: "discord/bot-token",
  slackSigningSecret: "slack/signing-secret",
  slackBotToken: "slack/bot-token",
} as const;
