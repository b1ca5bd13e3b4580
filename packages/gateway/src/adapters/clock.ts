import type { Clock } from "../ports";

export const systemClock: Clock = { now: () => new Date() };

/** TTL attributes are epoch seconds (DynamoDB TTL). */
export function nowSeconds(clock: Clock): number {
  return Math.floor(clock.now().getTime() / 1000);
}

/**
 * DynamoDB deletes expired items lazily (up to days later), so every adapter treats an item whose
 * `expiresAt` has passed as absent, and the embedded stores do the same for identical behaviour.
 */
export function isExpired(expiresAt: unknown, clock: Clock): boolean {
  return typeof expiresAt === "number" && expiresAt <= nowSeconds(clock);
}
