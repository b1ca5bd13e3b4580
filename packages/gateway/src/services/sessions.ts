import type { GatewayDeps } from "../deps";
import { errorSummary } from "../errors";

export type SessionsDeps = Pick<GatewayDeps, "connections" | "clientPush" | "logger" | "settings" | "clock">;

/** Settings item of a user: when their sessions were last ended everywhere (ISO time). */
export const SESSIONS_REVOKED_KEY = "sessions#revokedAt";

/**
 * Ends a user's open browser sockets. A socket is authenticated once, at `$connect`, and would otherwise
 * keep receiving replies until API Gateway's 2-hour limit: after a sign-out everywhere, a password
 * reset or the user's deletion, every tab must stop at once and sign in again.
 */
export class SessionsService {
  constructor(private readonly deps: SessionsDeps) {}

  /** Disconnects every browser connection of the user; returns how many were open. */
  async closeAll(userId: string, reason: string): Promise<number> {
    // First the mark, so a tab that reconnects with its still-unexpired id token is refused.
    await this.deps.settings.put(userId, SESSIONS_REVOKED_KEY, this.deps.clock.now().toISOString());
    const open = await this.deps.connections.listByUser(userId, "client");
    await Promise.all(
      open.map(async ({ connectionId }) => {
        try {
          await this.deps.clientPush.disconnect(connectionId);
        } catch (error) {
          // Already gone: the row below is all that is left of it.
          this.deps.logger.warn("browser socket did not close", { connectionId, ...errorSummary(error) });
        }
        await this.deps.connections.delete(connectionId);
      }),
    );
    this.deps.logger.info("browser sockets closed", { userId, count: open.length, reason });
    return open.length;
  }

  /** Whether a token issued at `issuedAt` (epoch seconds) predates the user's last sign-out everywhere. */
  async revoked(userId: string, issuedAt: number | undefined): Promise<boolean> {
    if (issuedAt === undefined) return false;
    const at = await this.deps.settings.get<string>(userId, SESSIONS_REVOKED_KEY);
    if (typeof at !== "string") return false;
    // `iat` has whole seconds: a token from the same second as the sign-out still counts as newer.
    return issuedAt < Math.floor(Date.parse(at) / 1000);
  }
}
