import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createLocalJWKSet, type JWK, jwtVerify, SignJWT } from "jose";
import { notAuthorized } from "./cognito-errors";
import { LOCAL_USER_POOL_ID, type LocalUser, type UserDirectory } from "./identity-users";
import type { SigningKey } from "./signing-keys";

export const LOCAL_REGION = "us-east-1";
/** The real Cognito issuer format, so the gateway's CognitoJwtVerifier accepts these tokens unchanged. */
export const LOCAL_ISSUER = `https://cognito-idp.${LOCAL_REGION}.amazonaws.com/${LOCAL_USER_POOL_ID}`;

const TOKEN_TTL_SECONDS = 3600;
const REFRESH_TTL_SECONDS = 30 * 24 * 3600;

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export interface AuthenticationResult {
  AccessToken: string;
  IdToken: string;
  RefreshToken?: string;
  ExpiresIn: number;
  TokenType: "Bearer";
}

/**
 * The local issuer's sessions and tokens: RS256 id/access tokens with Cognito's claims, signed with the
 * data dir's key and published as a JWKS; a session per sign-in (its refresh token kept as a hash), so a
 * sign-out everywhere revokes every access token of the user.
 */
export class SessionTokens {
  private readonly keySet: ReturnType<typeof createLocalJWKSet>;

  constructor(
    private readonly key: SigningKey,
    private readonly users: UserDirectory,
  ) {
    this.keySet = createLocalJWKSet(this.jwks());
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.key.publicJwk] };
  }

  /** A new session: a refresh token (only its hash is kept) and the first id/access tokens. */
  async start(user: LocalUser): Promise<AuthenticationResult> {
    const originJti = randomUUID();
    const refreshToken = randomBytes(64).toString("base64url");
    const now = Date.now();
    const sessions = [
      ...user.sessions.filter((s) => s.expiresAt > now),
      { originJti, refreshHash: sha256(refreshToken), expiresAt: now + REFRESH_TTL_SECONDS * 1000 },
    ];
    await this.users.update({ ...user, sessions });
    return { ...(await this.issue(user, originJti)), RefreshToken: refreshToken };
  }

  /** Id and access tokens for a session, with Cognito's claims. */
  async issue(user: LocalUser, originJti: string): Promise<AuthenticationResult> {
    const now = Math.floor(Date.now() / 1000);
    const common = { origin_jti: originJti, event_id: randomUUID(), auth_time: now };
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", kid: this.key.kid })
        .setIssuer(LOCAL_ISSUER)
        .setSubject(user.sub)
        .setIssuedAt(now)
        .setExpirationTime(now + TOKEN_TTL_SECONDS)
        .setJti(randomUUID())
        .sign(this.key.privateKey);
    const IdToken = await sign({
      ...common,
      aud: this.users.clientId,
      token_use: "id",
      "cognito:username": user.username,
      ...(user.email ? { email: user.email, email_verified: true } : {}),
    });
    const AccessToken = await sign({
      ...common,
      client_id: this.users.clientId,
      token_use: "access",
      scope: "aws.cognito.signin.user.admin",
      username: user.username,
    });
    return { AccessToken, IdToken, ExpiresIn: TOKEN_TTL_SECONDS, TokenType: "Bearer" };
  }

  /** The signed-in user an access token names, if its session has not been revoked. */
  async userFromAccessToken(token: string): Promise<LocalUser> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.keySet, { issuer: LOCAL_ISSUER, algorithms: ["RS256"] }));
    } catch {
      throw notAuthorized("Invalid Access Token");
    }
    const user = typeof payload.sub === "string" ? this.users.bySub(payload.sub) : undefined;
    if (payload.token_use !== "access" || !user) throw notAuthorized("Invalid Access Token");
    if (!user.sessions.some((s) => s.originJti === payload.origin_jti)) {
      throw notAuthorized("Access Token has been revoked");
    }
    return user;
  }
}
