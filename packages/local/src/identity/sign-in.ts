import { randomBytes, timingSafeEqual } from "node:crypto";
import { SrpServer, srpClaimSignature, srpVerifierFor } from "@serverless-openclaw/shared/cognito-srp";
import type * as z from "zod";
import type { AuthLimits } from "./auth-limits";
import { CognitoError, invalidParameter, notAuthorized } from "./cognito-errors";
import type { InitiateAuthSchema, RespondSchema } from "./cognito-schemas";
import { LOCAL_SRP_POOL_NAME, type LocalUser, passwordFields, type UserDirectory } from "./identity-users";
import { hashPassword, verifyPassword } from "./password-hash";
import { checkPasswordPolicy } from "./password-policy";
import { type SessionTokens, sha256 } from "./session-tokens";
import { totpStep } from "./totp";

const CHALLENGE_TTL_MS = 3 * 60_000;

/** Wrong authenticator codes one sign-in may send before it must start again (as Cognito's session). */
const MFA_ATTEMPTS_PER_SESSION = 3;

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

export interface SignInDeps {
  users: UserDirectory;
  tokens: SessionTokens;
  limits: AuthLimits;
  /** Refuses another app client id than this pool's (Cognito's ResourceNotFoundException). */
  checkClient(clientId: string): void;
}

/**
 * Local mode's sign-in, as Cognito's user pool does it for the web UI: a password (USER_PASSWORD_AUTH)
 * or SRP (USER_SRP_AUTH, the password never sent), then a new password or an authenticator code when
 * the account needs one, then tokens; and a refresh token for new tokens. Unknown user names are
 * answered like known ones (same work, same errors), and failed attempts count against AuthLimits.
 */
export class SignIn {
  private readonly challenges = new Map<string, Challenge>();

  constructor(private readonly deps: SignInDeps) {}

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
    await this.deps.users.update(updated);
    return updated;
  }

  private dummy?: Promise<string>;
  private dummyHash(): Promise<string> {
    this.dummy ??= hashPassword(randomBytes(16).toString("hex"));
    return this.dummy;
  }

  /** InitiateAuth: a password, an SRP start or a refresh token. */
  async initiateAuth(input: z.infer<typeof InitiateAuthSchema>): Promise<unknown> {
    this.deps.checkClient(input.ClientId);
    if (input.AuthFlow === "USER_PASSWORD_AUTH") {
      const { USERNAME: username = "", PASSWORD: password = "" } = input.AuthParameters;
      this.deps.limits.checkSignInFailures(username);
      this.deps.limits.limit(["signInPerMinute", "*"]);
      const user = this.deps.users.get(username);
      // Hash even for unknown users, so timing does not reveal which usernames exist.
      const ok = await verifyPassword(password, user?.passwordHash ?? (await this.dummyHash()));
      if (!user || !ok) {
        this.deps.limits.signInFailed(username);
        throw notAuthorized();
      }
      return this.afterPassword(await this.withSrpVerifier(user, password));
    }
    if (input.AuthFlow === "USER_SRP_AUTH") {
      const { USERNAME: username = "", SRP_A: srpA = "" } = input.AuthParameters;
      this.deps.limits.checkSignInFailures(username);
      this.deps.limits.limit(["signInPerMinute", "*"]);
      const user = this.deps.users.get(username);
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
        const { RefreshToken: _unused, ...tokens } = await this.deps.tokens.issue(user, session.originJti);
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
    return { AuthenticationResult: await this.deps.tokens.start(user), ChallengeParameters: {} };
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

  /** RespondToAuthChallenge: the next step of a sign-in in progress. */
  async respondToAuthChallenge(input: z.infer<typeof RespondSchema>): Promise<unknown> {
    this.deps.checkClient(input.ClientId);
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
    const user = this.deps.users.get(challenge.username);
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
    await this.deps.users.update(updated);
    return this.afterPassword(updated);
  }

  /** Checks the SRP claim: proof that the client knows the password, without the password being sent. */
  private async passwordVerifier(
    sessionId: string,
    challenge: Challenge,
    responses: Record<string, string>,
  ): Promise<unknown> {
    this.challenges.delete(sessionId);
    const user = this.deps.users.get(challenge.username);
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
      this.deps.limits.signInFailed(challenge.username);
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
    try {
      this.deps.limits.checkSignInFailures(user.username);
    } catch (err) {
      this.challenges.delete(sessionId);
      throw err;
    }
    const step =
      user.totp?.enabled === true
        ? totpStep(user.totp.secret, (responses.SOFTWARE_TOKEN_MFA_CODE ?? "").trim(), Date.now())
        : undefined;
    if (step === undefined || step <= (user.totp?.lastStep ?? -1) || !user.totp) {
      this.deps.limits.signInFailed(user.username);
      challenge.attempts += 1;
      if (challenge.attempts >= MFA_ATTEMPTS_PER_SESSION) {
        this.challenges.delete(sessionId);
        throw notAuthorized("Invalid session for the user, session can only be used once.");
      }
      throw new CognitoError("CodeMismatchException", "Invalid code received for user");
    }
    this.challenges.delete(sessionId);
    const updated: LocalUser = { ...user, totp: { ...user.totp, lastStep: step } };
    await this.deps.users.update(updated);
    return { AuthenticationResult: await this.deps.tokens.start(updated), ChallengeParameters: {} };
  }

  private allUsers(): LocalUser[] {
    return this.deps.users.names().flatMap((name) => this.deps.users.get(name) ?? []);
  }
}
