import { RateLimiter } from "../server/rate-limiter";
import { CognitoError } from "./cognito-errors";

/**
 * How many sign-in and password-reset attempts local mode allows, per user name and for all users
 * together (a guesser spreads over names). Per user: failed sign-ins, reset codes sent, and reset
 * confirmations (which span codes, so a fresh code does not bring a fresh guess budget). Globally:
 * every attempt, which also bounds the CPU spent on password hashing.
 */
export const AUTH_RATE_LIMITS = {
  signInFailuresPerUser: { limit: 10, windowMs: 15 * 60_000 },
  signInPerMinute: { limit: 60, windowMs: 60_000 },
  resetCodesPerUser: { limit: 3, windowMs: 60 * 60_000 },
  resetConfirmsPerUser: { limit: 10, windowMs: 60 * 60_000 },
  resetsPerHour: { limit: 30, windowMs: 60 * 60_000 },
  /** Wrong codes while setting up an authenticator app (VerifySoftwareToken). */
  totpSetupFailuresPerUser: { limit: 10, windowMs: 15 * 60_000 },
} as const;

export type AuthLimitName = keyof typeof AUTH_RATE_LIMITS;

const LIMIT_MESSAGE = "Attempt limit exceeded, please try after some time.";

/** One RateLimiter per limit above, on the identity's clock. */
export class AuthLimits {
  private readonly limiters: Record<AuthLimitName, RateLimiter>;

  constructor(now: () => number = Date.now) {
    this.limiters = Object.fromEntries(
      Object.entries(AUTH_RATE_LIMITS).map(([k, v]) => [k, new RateLimiter(v.limit, v.windowMs, now)]),
    ) as Record<AuthLimitName, RateLimiter>;
  }

  get(name: AuthLimitName): RateLimiter {
    return this.limiters[name];
  }

  /** Refuses (Cognito's LimitExceededException) unless every limiter allows, then records the hit. */
  limit(...checks: Array<[AuthLimitName, string]>): void {
    if (!checks.every(([name, key]) => this.limiters[name].allows(key))) {
      throw new CognitoError("LimitExceededException", LIMIT_MESSAGE);
    }
    for (const [name, key] of checks) this.limiters[name].hit(key);
  }

  /** A name past its failed sign-ins gets Cognito's answer for it, whatever it presents. */
  checkSignInFailures(username: string): void {
    if (!this.limiters.signInFailuresPerUser.allows(username.toLowerCase())) {
      throw new CognitoError("NotAuthorizedException", "Password attempts exceeded");
    }
  }

  signInFailed(username: string): void {
    this.limiters.signInFailuresPerUser.hit(username.toLowerCase());
  }
}
