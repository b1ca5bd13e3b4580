import type { GatewayDeps } from "../deps";
import { errorSummary } from "../errors";
import { createServices, type GatewayServices } from "../services";
import type { WatchdogReport } from "../services/watchdog";

export type WatchdogHandler = (event?: unknown) => Promise<WatchdogReport | { error: string }>;

/**
 * The scheduled watchdog (EventBridge, every few minutes). The event carries nothing it needs. A failed
 * round is logged and reported, not thrown: the next scheduled round retries anyway, and a retry storm
 * of overlapping rounds would only race with itself.
 */
export function createWatchdogHandler(
  deps: GatewayDeps,
  services: GatewayServices = createServices(deps),
): WatchdogHandler {
  return async () => {
    try {
      return await services.watchdog.run();
    } catch (error) {
      deps.logger.error("watchdog round failed", errorSummary(error));
      deps.metrics?.count("WatchdogFailed");
      return { error: "watchdog round failed; see the logs" };
    }
  };
}
