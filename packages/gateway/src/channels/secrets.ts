import type { Clock, SecretStore } from "../ports";

/**
 * Reads a secret from the SecretStore and reuses it for a while, so a warm Lambda does not call SSM
 * on every request, and a rotated secret is picked up within `ttlMs`.
 */
export function cachedSecret(secrets: SecretStore, name: string, clock: Clock, ttlMs = 5 * 60_000) {
  let cached: { value: string | undefined; at: number } | undefined;
  return async (): Promise<string | undefined> => {
    const now = clock.now().getTime();
    if (cached && now - cached.at < ttlMs) return cached.value;
    const value = await secrets.get(name);
    cached = { value, at: now };
    return value;
  };
}
