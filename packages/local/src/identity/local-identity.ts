import { randomInt } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { JWK } from "jose";
import type * as z from "zod";
import type { LocalRoute } from "../server/api-gateway-server";
import { sendJson } from "../server/http-util";
import { AuthLimits } from "./auth-limits";
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
import { LOCAL_USER_POOL_ID, type LocalUser, passwordFields, UserDirectory } from "./identity-users";
import { verifyPassword } from "./password-hash";
import { checkPasswordPolicy } from "./password-policy";
import { type AuthenticationResult, LOCAL_ISSUER, SessionTokens, sha256 } from "./session-tokens";
import { SignIn } from "./sign-in";
import { loadOrCreateSigningKey, type SigningKey } from "./signing-keys";
import { associateSoftwareToken, setUserMfaPreference, verifySoftwareToken } from "./software-token";

export { AUTH_RATE_LIMITS } from "./auth-limits";
export { ensureInitialUser, type InitialLogin } from "./initial-user";
export { type AuthenticationResult, LOCAL_ISSUER, LOCAL_REGION } from "./session-tokens";
export { LOCAL_USER_POOL_ID };
export const COGNITO_PATH = "/cognito/";
export const JWKS_PATH = `${COGNITO_PATH}${LOCAL_USER_POOL_ID}/.well-known/jwks.json`;

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
 * A Cognito-shaped identity provider for local mode. It speaks the Cognito IdP JSON protocol
 * (`X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`) for the operations the web UI uses,
 * issues RS256 id/access tokens with Cognito's claims and issuer, and serves the JWKS, so the gateway
 * verifies them with the same CognitoJwtVerifier as on AWS.
 */
export class LocalIdentity {
  private readonly tokens: SessionTokens;
  private readonly limits: AuthLimits;
  private readonly signIn: SignIn;
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
    this.limits = new AuthLimits(options.now);
    this.signIn = new SignIn({
      users,
      tokens: this.tokens,
      limits: this.limits,
      checkClient: (clientId) => this.checkClient(clientId),
    });
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
        return this.signIn.initiateAuth(parse(InitiateAuthSchema));
      case "RespondToAuthChallenge":
        return this.signIn.respondToAuthChallenge(parse(RespondSchema));
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

  /**
   * Adds the SRP verifier to a user whose password predates SRP sign-in, now that the password was
   * presented and checked (password sign-in, the CLI's login, the initial user at start-up).
   */
  withSrpVerifier(user: LocalUser, password: string): Promise<LocalUser> {
    return this.signIn.withSrpVerifier(user, password);
  }

  private checkClient(clientId: string): void {
    if (clientId !== this.clientId) {
      throw new CognitoError("ResourceNotFoundException", `User pool client ${clientId} does not exist.`);
    }
  }

  private async associateSoftwareToken(input: z.infer<typeof AssociateSchema>): Promise<unknown> {
    return associateSoftwareToken(this.users, await this.tokens.userFromAccessToken(input.AccessToken));
  }

  private async verifySoftwareToken(input: z.infer<typeof VerifySoftwareTokenSchema>): Promise<unknown> {
    const user = await this.tokens.userFromAccessToken(input.AccessToken);
    this.limits.limit(["totpSetupFailuresPerUser", user.sub]);
    const out = await verifySoftwareToken(this.users, user, input.UserCode);
    // A correct code does not count against the setup limit.
    this.limits.get("totpSetupFailuresPerUser").forget(user.sub);
    return out;
  }

  private async setUserMfaPreference(input: z.infer<typeof SetMfaPreferenceSchema>): Promise<unknown> {
    return setUserMfaPreference(this.users, await this.tokens.userFromAccessToken(input.AccessToken), input);
  }

  private async forgotPassword(input: z.infer<typeof ForgotSchema>): Promise<unknown> {
    this.checkClient(input.ClientId);
    // Counted for unknown names too, so the limit does not reveal which names exist.
    this.limits.limit(["resetCodesPerUser", input.Username.toLowerCase()], ["resetsPerHour", "*"]);
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
    this.limits.limit(["resetConfirmsPerUser", input.Username.toLowerCase()], ["resetsPerHour", "*"]);
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

  /** Signs a user in (new refresh token); for the CLI, tests and benches. */
  async login(username: string, password: string): Promise<AuthenticationResult> {
    const user = this.users.get(username);
    if (!user || !(await verifyPassword(password, user.passwordHash))) throw notAuthorized();
    if (user.status !== "CONFIRMED") throw notAuthorized("User must set a new password first.");
    return this.tokens.start(await this.withSrpVerifier(user, password));
  }
}
