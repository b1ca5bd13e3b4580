import type { GatewayToAgent, ServerEvent } from "@serverless-openclaw/shared";
import type { Logger } from "../deps";
import { errorSummary } from "../errors";
import type { ClientPush, ConnectionStore } from "../ports";

export interface BroadcastDeps {
  connections: ConnectionStore;
  clientPush: ClientPush;
  logger: Logger;
}

/**
 * Pushes an event to every browser connection of a user. A connection API Gateway reports gone is
 * deleted; any other push failure is logged and skipped, so one bad tab never blocks the others.
 * Returns how many connections received it.
 */
export async function broadcast(deps: BroadcastDeps, userId: string, event: ServerEvent): Promise<number> {
  const targets = await deps.connections.listByUser(userId, "client");
  const results = await Promise.all(
    targets.map(async ({ connectionId }) => {
      try {
        if (await deps.clientPush.send(connectionId, event)) return 1;
        await deps.connections.delete(connectionId);
      } catch (error) {
        deps.logger.warn("push to client failed", {
          connectionId,
          event: event.type,
          ...errorSummary(error),
        });
      }
      return 0;
    }),
  );
  return results.reduce<number>((sum, n) => sum + n, 0);
}

/** Pushes to one connection; a gone connection is deleted. Never throws. */
export async function pushTo(
  deps: BroadcastDeps,
  connectionId: string,
  event: ServerEvent | GatewayToAgent,
  push: ClientPush = deps.clientPush,
): Promise<boolean> {
  try {
    if (await push.send(connectionId, event)) return true;
    await deps.connections.delete(connectionId);
  } catch (error) {
    deps.logger.warn("push failed", { connectionId, event: event.type, ...errorSummary(error) });
  }
  return false;
}
