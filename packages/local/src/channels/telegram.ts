import type { GatewayDeps, GatewayServices } from "@serverless-openclaw/gateway";
import type { LocalLogger } from "../support/local-logger";

/**
 * Telegram in local mode: long polling (no public URL needed) into the same update handling as the
 * webhook. Optional: a failure is reported and the rest of local mode keeps running.
 */
export async function startTelegram(input: {
  deps: GatewayDeps;
  services: GatewayServices;
  token: string;
  apiRoot?: string;
  logger: LocalLogger;
}): Promise<{ botUsername: string; stop(): Promise<void> } | undefined> {
  const { deps, services, logger } = input;
  try {
    const { startTelegramPolling } = await import("./telegram-polling");
    const polling = await startTelegramPolling({
      secrets: deps.secrets,
      settings: deps.settings,
      clock: deps.clock,
      logger: deps.logger,
      chat: services.chat,
      lifecycle: services.lifecycle,
      schedules: services.schedules,
      token: input.token,
      ...(input.apiRoot ? { apiRoot: input.apiRoot } : {}),
    });
    // The web app names the bot in its pairing instructions (/config.json telegramBotUsername).
    return { botUsername: polling.botUsername, stop: () => polling.stop() };
  } catch (err) {
    logger.warn(
      `Telegram is not running: ${err instanceof Error ? err.message : String(err)}. The web chat works without it.`,
    );
    return undefined;
  }
}
