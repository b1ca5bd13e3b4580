import { errorSummary } from "@serverless-openclaw/gateway";
import {
  loadTelegramBot,
  processTelegramUpdate,
  type TelegramBotLoaderDeps,
} from "@serverless-openclaw/gateway/channels";
import { SECRET_NAMES } from "@serverless-openclaw/shared";
import { Api, GrammyError } from "grammy";

export interface TelegramPollingDeps extends TelegramBotLoaderDeps {
  /** Long-poll wait per getUpdates call, seconds (Telegram allows up to 50). Default 30. */
  pollTimeoutSeconds?: number;
  /** Pause after a failed poll before the next one. */
  retryDelayMs?: number;
}

/** How often one update is retried before it is skipped (a webhook gets Telegram's retries instead). */
const MAX_ATTEMPTS = 3;

/**
 * How much longer than the poll itself the HTTP client waits for getUpdates' answer. Telegram holds an
 * idle poll for the full `timeout`; a client that gives up first turns every quiet poll into an error.
 */
export const POLL_CLIENT_MARGIN_SECONDS = 15;

/**
 * Local mode's Telegram: long polling (getUpdates) feeding the same update handling as the webhook,
 * dedupe included. The bot token is stored in the SecretStore too, where the gateway's chat relay
 * (which sends the agents' replies) finds it, as on AWS. Resolves once the bot is loaded; `stop()` ends the poll at once.
 */
export async function startTelegramPolling(
  deps: TelegramPollingDeps,
): Promise<{ botUsername: string; stop(): Promise<void> }> {
  const { logger, settings, clock } = deps;
  if (deps.token && (await deps.secrets.get(SECRET_NAMES.telegramBotToken)) !== deps.token) {
    await deps.secrets.put(SECRET_NAMES.telegramBotToken, deps.token);
  }
  const bot = await loadTelegramBot(deps);
  const pollTimeoutSeconds = deps.pollTimeoutSeconds ?? 30;
  // The bot's own client gives up after a few seconds (a webhook must answer Telegram quickly), so the
  // poll gets a client of its own that outwaits the server's hold.
  const pollApi = new Api(bot.token, {
    ...(deps.apiRoot ? { apiRoot: deps.apiRoot } : {}),
    timeoutSeconds: pollTimeoutSeconds + POLL_CLIENT_MARGIN_SECONDS,
  });
  const controller = new AbortController();
  const retryDelayMs = deps.retryDelayMs ?? 5_000;
  let offset = 0;
  const attempts = new Map<number, number>();
  let warnedConflict = false;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      controller.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });

  const loop = async () => {
    while (!controller.signal.aborted) {
      let updates: Array<{ update_id: number }>;
      try {
        updates = await pollApi.getUpdates(
          { offset, timeout: pollTimeoutSeconds, allowed_updates: ["message"] },
          // grammY's Node typings name the abort-controller polyfill's AbortSignal; Node's is compatible.
          controller.signal as Parameters<typeof pollApi.getUpdates>[1],
        );
      } catch (error) {
        if (controller.signal.aborted) return;
        if (error instanceof GrammyError && error.error_code === 409) {
          if (!warnedConflict) {
            logger.error(
              /webhook/i.test(error.description)
                ? "Telegram: this bot has a webhook set (a deployed gateway?), so long polling is refused. " +
                    "Use a separate bot for local mode, or remove the webhook (docs/telegram.md)."
                : "Telegram: another program is polling this bot (a second `npm start` with the same " +
                    "TELEGRAM_BOT_TOKEN?), and Telegram gives each message to only one of them. Stop the other one.",
            );
          }
          warnedConflict = true;
          await pause(Math.max(retryDelayMs, 30_000));
        } else {
          logger.warn("Telegram: getUpdates failed; retrying", errorSummary(error));
          await pause(retryDelayMs);
        }
        continue;
      }
      warnedConflict = false;
      for (const update of updates) {
        try {
          await processTelegramUpdate({ bot, settings, clock }, update);
        } catch (error) {
          const tries = (attempts.get(update.update_id) ?? 0) + 1;
          attempts.set(update.update_id, tries);
          logger.error("Telegram: update failed", {
            ...errorSummary(error),
            updateId: update.update_id,
            tries,
          });
          // Not confirmed (offset stays), so the next poll brings it again, like a webhook retry.
          if (tries < MAX_ATTEMPTS) {
            await pause(retryDelayMs);
            break;
          }
        }
        attempts.delete(update.update_id);
        offset = update.update_id + 1;
      }
    }
  };

  logger.info("Telegram: long polling started", { bot: bot.botInfo.username });
  const running = loop();
  return {
    botUsername: bot.botInfo.username,
    async stop() {
      controller.abort();
      await running;
    },
  };
}
