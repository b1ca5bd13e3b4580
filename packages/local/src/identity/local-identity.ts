import { randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { SrpServer, srpClaimSignature, srpVerifierFor } from "@serverless-openclaw/shared/cognito-srp";
import type { JWK } from "jose";
import type * as z from "zod";
import type { LocalRoute } from "../server/api-gateway-server";
import { sendJson } from "../server/http-util";
import { RateLimiter } from "../server/rate-limiter";
import { CognitoError, invalidParameter, notAuthorized } from "./cognito-errors";
import {
  AccessTokenSchema,
  AssociateSchema,
  ChangePasswordSchema,
  ConfirmForgotSchema,
  ForgotSchema,
  InitiateAuthSchema,
  RespondSchema,
  SetMfaPreferenceSchema,
  VerifySoftwareTokenSchema,
} from "./cognito-schemas";
import {
  LOCAL_SRP_POOL_NAME,
  LOCAL_USER_POOL_ID,
  type LocalUser,
  passwordFields,
  UserDirectory,
} from "./identity-users";
import { hashPassword, verifyPassword } from "./password-hash";
import { checkPasswordPolicy } from "./password-policy";
import { type AuthenticationResult, LOCAL_ISSUER, SessionTokens, sha256 } from "./session-tokens";
import { loadOrCreateSigningKey, type SigningKey } from "./signing-keys";
import { associateSoftwareToken, setUserMfaPreference, verifySoftwareToken } from "./software-token";
import { totpStep } from "./totp";

export { ensureInitialUser, type InitialLogin } from "./initial-user";
export { type AuthenticationResult, LOCAL_ISSUER, LOCAL_REGION } from "./session-tokens";
export { LOCAL_USER_POOL_ID };
export const COGNITO_PATH = "/cognito/";
export const JWKS_PATH = `${COGNITO_PATH}${LOCAL_USER_POOL_ID}/.well-known/jwks.json`;

const CHALLENGE_TTL_MS = 3 * 60_000;
const RESET_CODE_TTL_MS = 60 * 60_000;

export interface LocalIdentityOptions {
  /** Where keys and users are kept (`<data dir>/identity`). */
  dir: string;
  /** Prints what Cognito would e-mail (password-reset codes) on the terminal. */
  notify: (line: string) => void;
  /** Milliseconds since the epoch (tests move it; rate-limit windows are measured with it). */
  now?: () => number;
}

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

/** Wrong authenticator codes one sign-in may send before it must start again (as Cognito's session). */
const MFA_ATTEMPTS_PER_SESSION = 3;

const LIMIT_MESSAGE = "Attempt limit exceeded, please try after some time.";

/** A sign-in step in progress, keyed by its `Session`. */
interface Challenge {
  name: "NEW_PASSWORD_REQUIRED" | "PASSWORD_VERIFIER" | "SOFTWARE_TOKEN_MFA";
  username: string;
  expiresAt: number;
  /** PASSWORD_VERIFIER: this sign-in's SRP server half (the Session doubles as the secret block). */
  srp?: SrpServer;
  /** SOFTWARE_TOKEN_MFA: wrong codes so far. */
  attempts: number;
}

/**
 * A Cognito-shaped identity provider for local mode. It speaks the Cognito IdP JSON protocol
 * (`X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`) for the operations the web UI uses,
 * issues RS256 id/access tokens with Cognito's claims and issuer, and serves the JWKS, so the gateway
 * verifies them with the same CognitoJwtVerifier as on AWS.
 */
export class LocalIdentity {
  private readonly challenges = new Map<string, Challenge>();
  private readonly tokens: SessionTokens;
  private readonly limits: Record<keyof typeof AUTH_RATE_LIMITS, RateLimiter>;
  /**
   * Told when a user's sessions end everywhere (GlobalSignOut, a password reset): local mode closes the
   * user's open browser sockets, which would otherwise keep receiving replies.
   */
  onSessionsRevoked?: (sub: string, reason: string) => Promise<void>;

  private constructor(
    key: SigningKey,
    readonly users: UserDirectory,
    private readonly options: LocalIdentityOptions,
  ) {
    this.tokens = new SessionTokens(key, users);
    const now = options.now ?? Date.now;
    this.limits = Object.fromEntries(
      Object.entries(AUTH_RATE_LIMITS).map(([k, v]) => [k, new RateLimiter(v.limit, v.windowMs, now)]),
    ) as Record<keyof typeof AUTH_RATE_LIMITS, RateLimiter>;
  }

  /** Refuses (Cognito's LimitExceededException) unless every limiter allows, then records the hit. */
  private limit(...checks: Array<[keyof typeof AUTH_RATE_LIMITS, string]>): void {
    if (!checks.every(([name, key]) => this.limits[name].allows(key))) {
      throw new CognitoError("LimitExceededException", LIMIT_MESSAGE);
    }
    for (const [name, key] of checks) this.limits[name].hit(key);
  }

  static async open(options: LocalIdentityOptions): Promise<LocalIdentity> {
    const key = await loadOrCreateSigningKey(options.dir);
    // Cognito app client ids are 26 lower-case alphanumerics.
    const users = await UserDirectory.open(options.dir, () =>
      Array.from({ length: 26 }, () => "abcdefghijklmnopqrstuvwxyz0123456789"[randomInt(36)]).join(""),
    );
    return new LocalIdentity(key, users, options);
  }

  get clientId(): string {
    return this.users.clientId;
  }

  get userPoolId(): string {
    return LOCAL_USER_POOL_ID;
  }

  get issuer(): string {
    return LOCAL_ISSUER;
  }

  jwks(): { keys: JWK[] } {
    return this.tokens.jwks();
  }

  /** The `/cognito/` route for the local server. */
  route(): LocalRoute {
    return {
      prefix: COGNITO_PATH,
      // The largest request is a few tokens and a password (InitiateAuth with a refresh token: ~2 KB).
      maxBodyBytes: 16 * 1024,
      handle: (req, body, res) => this.handle(req, body, res),
    };
  }

  /**
   * No CORS headers: the web UI calls this from the same origin (the local server also refuses requests
   * whose Origin is another site), so no other site's page may call it or read its answers.
   */
  async handle(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method === "GET" && path === JWKS_PATH) {
      sendJson(res, 200, this.jwks());
      return;
    }
    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = target.startsWith("AWSCognitoIdentityProviderService.")
      ? target.slice("AWSCognitoIdentityProviderService.".length)
      : "";
    const contentType = "application/x-amz-json-1.1";
    try {
      if (req.method !== "POST" || !operation) {
        throw new CognitoError("UnknownOperationException", "POST with an X-Amz-Target header expected");
      }
      let input: unknown;
      try {
        input = body.length > 0 ? JSON.parse(body.toString("utf8")) : {};
      } catch {
        throw new CognitoError("SerializationException", "request body is not valid JSON");
      }
      const output = await this.dispatch(operation, input);
      sendJson(res, 200, output, { "content-type": contentType });
    } catch (err) {
      if (!(err instanceof CognitoError)) throw err;
      sendJson(
        res,
        err.status,
        { __type: err.type, message: err.message },
        {
          "content-type": contentType,
          "x-amzn-errortype": `${err.type}:`,
        },
      );
    }
  }

  private async dispatch(operation: string, input: unknown): Promise<unknown> {
    const parse = <T>(schema: z.ZodType<T>): T => {
      const result = schema.safeParse(input);
      if (!result.success)
        throw invalidParameter(
          result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
        );
      return result.data;
    };
    switch (operation) {
      case "InitiateAuth":
        return this.initiateAuth(parse(InitiateAuthSchema));
      case "RespondToAuthChallenge":
        return this.respondToAuthChallenge(parse(RespondSchema));
      case "ForgotPassword":
        return this.forgotPassword(parse(ForgotSchema));
      case "ConfirmForgotPassword":
        return this.confirmForgotPassword(parse(ConfirmForgotSchema));
      case "GlobalSignOut":
        return this.globalSignOut(parse(AccessTokenSchema));
      case "GetUser":
        return this.getUser(parse(AccessTokenSchema));
      case "ChangePassword":
        return this.changePassword(parse(ChangePasswordSchema));
      case "AssociateSoftwareToken":
        return this.associateSoftwareToken(parse(AssociateSchema));
      case "VerifySoftwareToken":
        return this.verifySoftwareToken(parse(VerifySoftwareTokenSchema));
      case "SetUserMFAPreference":
        return this.setUserMfaPreference(parse(SetMfaPreferenceSchema));
      default:
        throw new CognitoError(
          "UnknownOperationException",
          `operation ${operation} is not supported locally`,
        );
    }
  }

  private dummyV?: Promise<{ salt: string; verifier: string }>;
  private dummyVerifier(): Promise<{ salt: string; verifier: string }> {
    this.dummyV ??= srpVerifierFor(LOCAL_SRP_POOL_NAME, "nobody", randomBytes(16).toString("hex"));
    return this.dummyV;
  }

  /**
   * Adds the SRP verifier to a user whose password predates SRP sign-in, now that the password was
   * presented and checked (password sign-in, the CLI's login, the initial user at start-up).
   */
  async withSrpVerifier(user: LocalUser, password: string): Promise<LocalUser> {
    if (user.srp) return user;
    const updated = { ...user, ...(await passwordFields(user.username, password)) };
    await this.users.update(updated);
    return updated;
  }

  private dummy?: Promise<string>;
  private dummyHash(): Promise<string> {
    this.dummy ??= hashPassword(randomBytes(16).toString("hex"));
    return this.dummy;
  }

  private checkClient(clientId: string): void {
    if (clientId !== this.clientId) {
      throw new CognitoError("ResourceNotFoundException", `User pool client ${clientId} does not exist.`);
    }
  }

  private async initiateAuth(input: z.infer<typeof InitiateAuthSchema>): Promise<unknown> {
    this.checkClient(input.ClientId);
    if (input.AuthFlow === "USER_PASSWORD_AUTH") {
      const { USERNAME: username = "", PASSWORD: password = "" } = input.AuthParameters;
      const key = username.toLowerCase();
      if (!this.limits.signInFailuresPerUser.allows(key)) {
        throw new CognitoError("NotAuthorizedException", "Password attempts exceeded");
      }
      this.limit(["signInPerMinute", "*"]);
      const user = this.users.get(username);
      // Hash even for unknown users, so timing does not reveal which usernames exist.
      const ok = await verifyPassword(password, user?.passwordHash ?? (await this.dummyHash()));
      if (!user || !ok) {
        this.limits.signInFailuresPerUser.hit(key);
        throw notAuthorized();
      }
      return this.afterPassword(await this.withSrpVerifier(user, password));
    }
    if (input.AuthFlow === "USER_SRP_AUTH") {
      const { USERNAME: username = "", SRP_A: srpA = "" } = input.AuthParameters;
      if (!this.limits.signInFailuresPerUser.allows(username.toLowerCase())) {
        throw new CognitoError("NotAuthorizedException", "Password attempts exceeded");
      }
      this.limit(["signInPerMinute", "*"]);
      const user = this.users.get(username);
      // Unknown users (and users whose password predates SRP) get a challenge from a verifier nobody
      // knows the password of, so the answer does not reveal which usernames exist.
      const verifier = user?.srp ?? (await this.dummyVerifier());
      let srp: SrpServer;
      try {
        srp = await SrpServer.start(srpA, verifier);
      } catch {
        throw invalidParameter("SRP_A is not a valid SRP public value");
      }
      const session = randomBytes(48).toString("base64");
      const userId = user?.username ?? username.trim();
      this.remember(session, {
        name: "PASSWORD_VERIFIER",
        username: userId,
        expiresAt: Date.now() + CHALLENGE_TTL_MS,
        srp,
        attempts: 0,
      });
      return {
        ChallengeName: "PASSWORD_VERIFIER",
        Session: session,
        ChallengeParameters: {
          SALT: verifier.salt,
          SRP_B: srp.srpB,
          SECRET_BLOCK: session,
          USER_ID_FOR_SRP: userId,
          USERNAME: userId,
        },
      };
    }
    if (input.AuthFlow === "REFRESH_TOKEN_AUTH" || input.AuthFlow === "REFRESH_TOKEN") {
      const refreshHash = sha256(input.AuthParameters.REFRESH_TOKEN ?? "");
      for (const user of this.allUsers()) {
        const session = user.sessions.find((s) => s.refreshHash === refreshHash);
        if (!session) continue;
        if (session.expiresAt < Date.now()) break;
        const { RefreshToken: _unused, ...tokens } = await this.tokens.issue(user, session.originJti);
        return { AuthenticationResult: tokens, ChallengeParameters: {} };
      }
      throw notAuthorized("Invalid Refresh Token");
    }
    throw invalidParameter(`AuthFlow ${input.AuthFlow} is not enabled for this client`);
  }

  /** What follows a correct password: a new password, an authenticator code, or the tokens. */
  private async afterPassword(user: LocalUser): Promise<unknown> {
    if (user.status === "FORCE_CHANGE_PASSWORD") {
      return {
        ChallengeName: "NEW_PASSWORD_REQUIRED",
        Session: this.newChallenge("NEW_PASSWORD_REQUIRED", user),
        ChallengeParameters: {
          USER_ID_FOR_SRP: user.username,
          requiredAttributes: "[]",
          userAttributes: JSON.stringify(user.email ? { email: user.email } : {}),
        },
      };
    }
    if (user.totp?.enabled) {
      return {
        ChallengeName: "SOFTWARE_TOKEN_MFA",
        Session: this.newChallenge("SOFTWARE_TOKEN_MFA", user),
        ChallengeParameters: { USER_ID_FOR_SRP: user.username },
      };
    }
    return { AuthenticationResult: await this.tokens.start(user), ChallengeParameters: {} };
  }

  /** Keeps a sign-in step; expired ones are dropped first, so abandoned sign-ins do not pile up. */
  private remember(session: string, challenge: Challenge): void {
    const now = Date.now();
    for (const [id, c] of this.challenges) if (c.expiresAt < now) this.challenges.delete(id);
    this.challenges.set(session, challenge);
  }

  private newChallenge(name: Challenge["name"], user: LocalUser): string {
    const session = randomBytes(48).toString("base64url");
    this.remember(session, {
      name,
      username: user.username,
      expiresAt: Date.now() + CHALLENGE_TTL_MS,
      attempts: 0,
    });
    return session;
  }

  private async respondToAuthChallenge(input: z.infer<typeof RespondSchema>): Promise<unknown> {
    this.checkClient(input.ClientId);
    const responses = input.ChallengeResponses;
    const sessionId =
      input.Session ??
      (input.ChallengeName === "PASSWORD_VERIFIER" ? responses.PASSWORD_CLAIM_SECRET_BLOCK : undefined) ??
      "";
    const challenge = this.challenges.get(sessionId);
    if (!challenge || challenge.expiresAt < Date.now()) {
      throw notAuthorized("Invalid session for the user, session is expired.");
    }
    if (challenge.name !== input.ChallengeName) {
      throw invalidParameter(`ChallengeName ${input.ChallengeName} does not answer ${challenge.name}`);
    }
    const username = responses.USERNAME;
    if (username !== undefined && username.trim().toLowerCase() !== challenge.username.toLowerCase()) {
      throw notAuthorized("Invalid session for the user.");
    }
    if (challenge.name === "PASSWORD_VERIFIER") return this.passwordVerifier(sessionId, challenge, responses);
    const user = this.users.get(challenge.username);
    if (!user) throw notAuthorized("Invalid session for the user, session is expired.");
    if (challenge.name === "SOFTWARE_TOKEN_MFA")
      return this.softwareTokenMfa(sessionId, challenge, user, responses);
    const password = responses.NEW_PASSWORD ?? "";
    checkPasswordPolicy(password);
    this.challenges.delete(sessionId);
    const updated: LocalUser = {
      ...user,
      ...(await passwordFields(user.username, password)),
      status: "CONFIRMED",
    };
    await this.users.update(updated);
    return this.afterPassword(updated);
  }

  /** Checks the SRP claim: proof that the client knows the password, without the password being sent. */
  private async passwordVerifier(
    sessionId: string,
    challenge: Challenge,
    responses: Record<string, string>,
  ): Promise<unknown> {
    this.challenges.delete(sessionId);
    const user = this.users.get(challenge.username);
    const key = challenge.username.toLowerCase();
    const expected =
      challenge.srp && user?.srp
        ? await srpClaimSignature({
            key: await challenge.srp.key(),
            poolName: LOCAL_SRP_POOL_NAME,
            userId: challenge.username,
            secretBlock: sessionId,
            timestamp: responses.TIMESTAMP ?? "",
          })
        : undefined;
    const given = Buffer.from(responses.PASSWORD_CLAIM_SIGNATURE ?? "", "base64");
    const ok =
      expected !== undefined &&
      responses.PASSWORD_CLAIM_SECRET_BLOCK === sessionId &&
      given.length === Buffer.from(expected, "base64").length &&
      timingSafeEqual(given, Buffer.from(expected, "base64"));
    if (!user || !ok) {
      this.limits.signInFailuresPerUser.hit(key);
      if (user && !user.srp) {
        throw notAuthorized(
          "This account's password was set before SRP sign-in: reset it with “Forgot password” once.",
        );
      }
      throw notAuthorized();
    }
    return this.afterPassword(user);
  }

  private async softwareTokenMfa(
    sessionId: string,
    challenge: Challenge,
    user: LocalUser,
    responses: Record<string, string>,
  ): Promise<unknown> {
    const key = user.username.toLowerCase();
    if (!this.limits.signInFailuresPerUser.allows(key)) {
      this.challenges.delete(sessionId);
      throw new CognitoError("NotAuthorizedException", "Password attempts exceeded");
    }
    const step =
      user.totp?.enabled === true
        ? totpStep(user.totp.secret, (responses.SOFTWARE_TOKEN_MFA_CODE ?? "").trim(), Date.now())
        : undefined;
    if (step === undefined || step <= (user.totp?.lastStep ?? -1) || !user.totp) {
      this.limits.signInFailuresPerUser.hit(key);
      challenge.attempts += 1;
      if (challenge.attempts >= MFA_ATTEMPTS_PER_SESSION) {
        this.challenges.delete(sessionId);
        throw notAuthorized("Invalid session for the user, session can only be used once.");
      }
      throw new CognitoError("CodeMismatchException", "Invalid code received for user");
    }
    this.challenges.delete(sessionId);
    const updated: LocalUser = { ...user, totp: { ...user.totp, lastStep: step } };
    await this.users.update(updated);
    return { AuthenticationResult: await this.tokens.start(updated), ChallengeParameters: {} };
  }

  private async associateSoftwareToken(input: z.infer<typeof AssociateSchema>): Promise<unknown> {
    return associateSoftwareToken(this.users, await this.tokens.userFromAccessToken(input.AccessToken));
  }

  private async verifySoftwareToken(input: z.infer<typeof VerifySoftwareTokenSchema>): Promise<unknown> {
    const user = await this.tokens.userFromAccessToken(input.AccessToken);
    this.limit(["totpSetupFailuresPerUser", user.sub]);
    const out = await verifySoftwareToken(this.users, user, input.UserCode);
    // A correct code does not count against the setup limit.
    this.limits.totpSetupFailuresPerUser.forget(user.sub);
    return out;
  }

  private async setUserMfaPreference(input: z.infer<typeof SetMfaPreferenceSchema>): Promise<unknown> {
    return setUserMfaPreference(this.users, await this.tokens.userFromAccessToken(input.AccessToken), input);
  }

  private async forgotPassword(input: z.infer<typeof ForgotSchema>): Promise<unknown> {
    this.checkClient(input.ClientId);
    // Counted for unknown names too, so the limit does not reveal which names exist.
    this.limit(["resetCodesPerUser", input.Username.toLowerCase()], ["resetsPerHour", "*"]);
    const user = this.users.get(input.Username);
    // Like a pool with "prevent user existence errors": the answer is the same for unknown users.
    if (user) {
      const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
      await this.users.update({
        ...user,
        resetCode: { hash: sha256(code), expiresAt: Date.now() + RESET_CODE_TTL_MS, attempts: 0 },
      });
      this.options.notify(`Password reset code for ${user.username}: ${code} (valid for 1 hour)`);
    }
    return {
      CodeDeliveryDetails: {
        Destination: "the npm start terminal",
        DeliveryMedium: "EMAIL",
        AttributeName: "email",
      },
    };
  }

  private async confirmForgotPassword(input: z.infer<typeof ConfirmForgotSchema>): Promise<unknown> {
    this.checkClient(input.ClientId);
    // Guesses are bounded across codes: requesting a new code does not bring 5 fresh guesses each time.
    this.limit(["resetConfirmsPerUser", input.Username.toLowerCase()], ["resetsPerHour", "*"]);
    const user = this.users.get(input.Username);
    const reset = user?.resetCode;
    if (!user || !reset)
      throw new CognitoError("ExpiredCodeException", "Invalid code provided, please request a code again.");
    if (reset.expiresAt < Date.now() || reset.attempts >= 5) {
      await this.users.update({ ...user, resetCode: undefined });
      throw new CognitoError("ExpiredCodeException", "Invalid code provided, please request a code again.");
    }
    if (sha256(input.ConfirmationCode.trim()) !== reset.hash) {
      await this.users.update({ ...user, resetCode: { ...reset, attempts: reset.attempts + 1 } });
      throw new CognitoError(
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
      );
    }
    checkPasswordPolicy(input.Password);
    // A reset signs the user out everywhere, as Cognito does.
    await this.users.update({
      ...user,
      ...(await passwordFields(user.username, input.Password)),
      status: "CONFIRMED",
      resetCode: undefined,
      sessions: [],
    });
    await this.sessionsRevoked(user.sub, "password reset");
    return {};
  }

  private async globalSignOut(input: z.infer<typeof AccessTokenSchema>): Promise<unknown> {
    const user = await this.tokens.userFromAccessToken(input.AccessToken);
    await this.users.update({ ...user, sessions: [] });
    await this.sessionsRevoked(user.sub, "global sign-out");
    return {};
  }

  private async sessionsRevoked(sub: string, reason: string): Promise<void> {
    // Best effort: the sign-out itself has happened whatever becomes of the sockets.
    await this.onSessionsRevoked?.(sub, reason).catch(() => undefined);
  }

  private async getUser(input: z.infer<typeof AccessTokenSchema>): Promise<unknown> {
    const user = await this.tokens.userFromAccessToken(input.AccessToken);
    return {
      Username: user.username,
      UserAttributes: [
        { Name: "sub", Value: user.sub },
        ...(user.email ? [{ Name: "email", Value: user.email }] : []),
      ],
      // As Cognito: present only when a second factor is on.
      ...(user.totp?.enabled
        ? { UserMFASettingList: ["SOFTWARE_TOKEN_MFA"], PreferredMfaSetting: "SOFTWARE_TOKEN_MFA" }
        : {}),
    };
  }

  private async changePassword(input: z.infer<typeof ChangePasswordSchema>): Promise<unknown> {
    const user = await this.tokens.userFromAccessToken(input.AccessToken);
    if (!(await verifyPassword(input.PreviousPassword, user.passwordHash))) throw notAuthorized();
    checkPasswordPolicy(input.ProposedPassword);
    await this.users.update({ ...user, ...(await passwordFields(user.username, input.ProposedPassword)) });
    return {};
  }

  private allUsers(): LocalUser[] {
    return this.users.names().flatMap((name) => this.users.get(name) ?? []);
  }

  /** Signs a user in (new refresh token); for the CLI, tests and benches. */
  async login(username: string, password: string): Promise<AuthenticationResult> {
    const user = this.users.get(username);
    if (!user || !(await verifyPassword(password, user.passwordHash))) throw notAuthorized();
    if (user.status !== "CONFIRMED") throw notAuthorized("User must set a new password first.");
    return this.tokens.start(await this.withSrpVerifier(user, password));
  }
}
