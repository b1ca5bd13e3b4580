import { createHash, timingSafeEqual } from "node:crypto";
import { LIMITS, SECRET_NAMES } from "@serverless-openclaw/shared";
import type { Bot } from "grammy";
import { loadTelegramBot, once, type TelegramBotLoaderDeps } from "../channels/telegram-bot-loader";
import { processTelegramUpdate } from "../channels/telegram-update";
import { errorSummary } from "../errors";
import { bodyText, type HandlerResult, HttpEventSchema, header } from "./events";
import { apiError } from "./http-response";

export const SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token";

export interface TelegramWebhookDeps extends TelegramBotLoaderDeps {
  /** How long the webhook secret read from the SecretStore is reused. */
  secretCacheMs?: number;
  /** Builds the bot; defaults to loadTelegramBot (tests may hand in their own). */
  loadBot?: () => Promise<Bot>;
}

const OK: HandlerResult = { statusCode: 200, body: "" };
const UNAUTHORIZED = apiError(401, "TELEGRAM_SECRET_INVALID", `missing or wrong ${SECRET_HEADER}`);

/**
 * `POST /telegram/webhook` (HTTP API v2 events). Only a request carrying the webhook secret we gave
 * Telegram gets past the first check; anything else is answered 401 without a single store write.
 * The work per update is small (a queue write and maybe RunTask), so it is done before answering;
 * the agent's reply goes out later from the task.
 */
export function createTelegramWebhookHandler(deps: TelegramWebhookDeps) {
  const { logger, clock } = deps;
  const bot = once(deps.loadBot ?? (() => loadTelegramBot(deps)));
  const cacheMs = deps.secretCacheMs ?? 5 * 60_000;
  let cached: { digest: Buffer; at: number } | undefined;

  const expectedDigest = async (): Promise<Buffer | undefined> => {
    const now = clock.now().getTime();
    if (cached && now - cached.at < cacheMs) return cached.digest;
    const secret = await deps.secrets.get(SECRET_NAMES.telegramWebhookSecret);
    cached = secret ? { digest: sha256(secret), at: now } : undefined;
    return cached?.digest;
  };

  return async (rawEvent: unknown): Promise<HandlerResult> => {
    const event = HttpEventSchema.safeParse(rawEvent);
    if (!event.success) return apiError(400, "BAD_EVENT", "not an HTTP API event");

    const presented = header(event.data.headers, SECRET_HEADER);
    const expected = await expectedDigest();
    // Digests have equal length, so timingSafeEqual compares in constant time whatever was sent.
    if (!expected || presented === undefined || !timingSafeEqual(sha256(presented), expected)) {
      logger.warn("telegram webhook: secret token rejected", { present: presented !== undefined });
      return UNAUTHORIZED;
    }

    const text = bodyText(event.data);
    if (!text || Buffer.byteLength(text) > LIMITS.maxBodyBytes) return OK;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      logger.warn("telegram webhook: body is not JSON");
      return OK; // Telegram would only resend the same bytes
    }

    try {
      const outcome = await processTelegramUpdate({ bot: await bot(), settings: deps.settings, clock }, body);
      logger.debug("telegram update", { outcome });
      return OK;
    } catch (error) {
      // A non-2xx answer makes Telegram redeliver later; the update's claim was released.
      logger.error("telegram update failed", errorSummary(error));
      return apiError(500, "TELEGRAM_UPDATE_FAILED", "try again later");
    }
  };
}

function sha256(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
