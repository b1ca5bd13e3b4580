import type { GatewayDeps } from "../deps";
import { errorSummary } from "../errors";
import type { AccountState, UserDirectory } from "../ports";

/**
 * Without `clientPush` (the Cognito trigger, which cannot reach the WebSocket API's Management API)
 * the sockets are dropped rather than closed: their rows go, so nothing is pushed to them any more and
 * nothing sent over them is taken (NOT_CONNECTED); API Gateway closes them once they idle.
 */
export type SessionsDeps = Pick<GatewayDeps, "connections" | "logger" | "settings" | "clock"> &
  Partial<Pick<GatewayDeps, "clientPush">>;

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
          await this.deps.clientPush?.disconnect(connectionId);
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

  /**
   * Ends the sessions of every user with an open browser socket whose account is gone: deleted,
   * disabled, or put into a password reset by an admin. Cognito fires no trigger for those, so the
   * watchdog calls this every round (5 minutes). A user the directory cannot answer for is left
   * alone this round. Returns the users whose sessions were ended.
   */
  async sweep(directory: UserDirectory): Promise<Array<{ userId: string; state: AccountState }>> {
    const list = this.deps.connections.listAll;
    if (!list) return [];
    const open = await list.call(this.deps.connections, "client");
    const ended: Array<{ userId: string; state: AccountState }> = [];
    for (const userId of new Set(open.map((c) => c.userId))) {
      let state: AccountState;
      try {
        state = await directory.accountState(userId);
      } catch (error) {
        this.deps.logger.warn("account state unknown", { userId, ...errorSummary(error) });
        continue;
      }
      if (state === "active") continue;
      await this.closeAll(userId, `account ${state}`);
      ended.push({ userId, state });
    }
    return ended;
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
