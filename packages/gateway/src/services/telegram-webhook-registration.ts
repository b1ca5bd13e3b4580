import { Api } from "grammy";
import type { UserFromGetMe } from "grammy/types";

/** Telegram allows 1–256 characters of A-Z, a-z, 0-9, _ and - in a webhook secret token. */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;

export interface RegisterWebhookInput {
  token: string;
  /** The public HTTPS URL of `POST /telegram/webhook`. */
  url: string;
  secretToken: string;
  apiRoot?: string;
  /** Drop updates that queued up while no webhook was set. */
  dropPendingUpdates?: boolean;
}

/**
 * Points the bot at our webhook: setWebhook with the secret token Telegram echoes in
 * `X-Telegram-Bot-Api-Secret-Token`, and only the updates we handle. Returns the bot's getMe
 * answer (to cache for cold starts). Used by scripts/telegram-set-webhook.ts and the deploy-time
 * custom resource.
 */
export async function registerTelegramWebhook(input: RegisterWebhookInput): Promise<UserFromGetMe> {
  if (!SECRET_PATTERN.test(input.secretToken)) {
    throw new Error("the webhook secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -");
  }
  if (!input.url.startsWith("https://")) {
    throw new Error(`Telegram only calls HTTPS webhooks; got ${input.url}`);
  }
  const api = new Api(input.token, input.apiRoot ? { apiRoot: input.apiRoot } : undefined);
  const me = await api.getMe();
  await api.setWebhook(input.url, {
    secret_token: input.secretToken,
    allowed_updates: ["message"],
    drop_pending_updates: input.dropPendingUpdates ?? false,
  });
  return me;
}

/** Removes the webhook (so long polling works again, e.g. for local mode with the same bot). */
export async function deleteTelegramWebhook(input: { token: string; apiRoot?: string }): Promise<void> {
  const api = new Api(input.token, input.apiRoot ? { apiRoot: input.apiRoot } : undefined);
  await api.deleteWebhook();
}
