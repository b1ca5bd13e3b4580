import { UserIdSchema } from "@serverless-openclaw/shared";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidTokenUseError,
  FetchError,
  JwksNotAvailableInCacheError,
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidClaimError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  NonRetryableFetchError,
} from "aws-jwt-verify/error";
import type { Jwks } from "aws-jwt-verify/jwk";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { AuthError, GatewayError } from "../../errors";
import type { TokenVerifier, VerifiedUser } from "../../ports";

export interface CognitoTokenVerifierOptions {
  userPoolId: string;
  /** The app client id(s) the id token must be for. */
  clientId: string | string[];
  /**
   * A JWKS to trust instead of downloading the pool's (local mode's issuer, cognito-local, tests).
   * When given, nothing is ever fetched: a token signed by another key is simply rejected.
   */
  jwks?: Jwks;
  /** How the pool's JWKS is downloaded (tests simulate Cognito being unreachable). */
  fetcher?: { fetch(uri: string): Promise<ArrayBuffer> };
}

/** Longer than any Cognito id token; refused before any parsing work. */
const MAX_TOKEN_CHARS = 16 * 1024;

/** Verifies Cognito id tokens (signature, issuer = the pool, audience = the app client, token_use = id, expiry). */
export class CognitoTokenVerifier implements TokenVerifier {
  private readonly verifier;

  constructor(options: CognitoTokenVerifierOptions) {
    const props = { userPoolId: options.userPoolId, tokenUse: "id" as const, clientId: options.clientId };
    const fetcher = options.jwks ? noFetch : options.fetcher;
    this.verifier = fetcher
      ? CognitoJwtVerifier.create(props, { jwksCache: new SimpleJwksCache({ fetcher }) })
      : CognitoJwtVerifier.create(props);
    if (options.jwks) this.verifier.cacheJwks(options.jwks);
  }

  async verify(token: string): Promise<VerifiedUser> {
    if (!token) throw new AuthError("TOKEN_MISSING", "sign in first: no token was sent");
    if (token.length > MAX_TOKEN_CHARS)
      throw new AuthError("TOKEN_MALFORMED", "the token is not a valid JWT; sign in again");
    let payload: Record<string, unknown>;
    try {
      payload = await this.verifier.verify(token);
    } catch (error) {
      throw toAuthError(error);
    }
    const sub = UserIdSchema.safeParse(payload.sub);
    if (!sub.success) throw new AuthError("TOKEN_INVALID", "the token has no usable subject; sign in again");
    const username = payload["cognito:username"];
    const email = payload.email;
    const iat = payload.iat;
    return {
      userId: sub.data,
      ...(typeof iat === "number" ? { issuedAt: iat } : {}),
      ...(typeof username === "string" ? { username } : {}),
      ...(typeof email === "string" ? { email } : {}),
    };
  }
}

const noFetch = {
  fetch: async (uri: string): Promise<ArrayBuffer> => {
    throw new NonRetryableFetchError(
      uri,
      "JWKS fetching is disabled: this verifier trusts only its configured keys",
    );
  },
};

/**
 * Each failure gets a code; the message tells the person what to do and never contains the token.
 * Cognito's keys being unreachable is not the token's fault: that is a 503 to retry, never a 401 that
 * would sign the user out.
 */
export function toAuthError(error: unknown): GatewayError {
  const cause = { cause: error };
  if (error instanceof FetchError && !(error instanceof NonRetryableFetchError)) {
    return new GatewayError(
      "AUTH_UNAVAILABLE",
      "sign-in cannot be checked right now (Cognito's keys could not be fetched); try again in a moment",
      503,
      cause,
    );
  }
  if (error instanceof JwtExpiredError) {
    return new AuthError("TOKEN_EXPIRED", "your session has expired; sign in again", cause);
  }
  if (error instanceof JwtParseError) {
    return new AuthError("TOKEN_MALFORMED", "the token is not a valid JWT; sign in again", cause);
  }
  if (
    error instanceof JwtInvalidSignatureError ||
    error instanceof JwtInvalidSignatureAlgorithmError ||
    error instanceof KidNotFoundInJwksError ||
    error instanceof JwksNotAvailableInCacheError ||
    error instanceof JwtWithoutValidKidError ||
    error instanceof NonRetryableFetchError
  ) {
    return new AuthError(
      "TOKEN_SIGNATURE",
      "the token's signature could not be verified; sign in again",
      cause,
    );
  }
  if (error instanceof CognitoJwtInvalidTokenUseError) {
    return new AuthError("TOKEN_INVALID", "send the id token (not the access token); sign in again", cause);
  }
  if (
    error instanceof JwtInvalidIssuerError ||
    error instanceof JwtInvalidAudienceError ||
    error instanceof CognitoJwtInvalidClientIdError
  ) {
    return new AuthError(
      "TOKEN_INVALID",
      "the token was issued for another user pool or app; sign in again",
      cause,
    );
  }
  if (error instanceof JwtNotBeforeError || error instanceof JwtInvalidClaimError) {
    return new AuthError("TOKEN_INVALID", "the token's claims are not valid; sign in again", cause);
  }
  return new AuthError("TOKEN_INVALID", "the token could not be verified; sign in again", cause);
}
