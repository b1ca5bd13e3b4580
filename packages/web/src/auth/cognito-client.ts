/**
 * The few Cognito user-pool operations the SPA needs, spoken as Cognito's JSON protocol over
 * plain fetch. An auth SDK would cost more than our whole bundle budget; the protocol is small
 * and identical against AWS and local mode's Cognito-shaped issuer. Sign-in is SRP (the password
 * never leaves the browser), then an authenticator code when the user turned TOTP MFA on.
 */
import { SrpClient, srpPoolName } from "@serverless-openclaw/shared/cognito-srp";

export interface Tokens {
  idToken: string;
  accessToken: string;
  /** Absent on REFRESH_TOKEN_AUTH responses: the caller keeps the one it has. */
  refreshToken?: string;
  /** Epoch ms when the id/access tokens expire. */
  expiresAt: number;
}

export type SignInResult =
  | { kind: "signed-in"; tokens: Tokens }
  | { kind: "new-password-required"; session: string; username: string }
  | { kind: "mfa-required"; session: string; username: string };

/**
 * How the password is proven: `USER_SRP_AUTH` (the default; what the deployed pool allows) or
 * `USER_PASSWORD_AUTH`, only for issuers without SRP (cognito-local, the `--aws-standins` stand-in).
 */
export type PasswordFlow = "USER_SRP_AUTH" | "USER_PASSWORD_AUTH";

/** A Cognito error, with its exception name as code and a message a person can act on. */
export class AuthError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const FRIENDLY: Record<string, string> = {
  NotAuthorizedException: "Incorrect username or password.",
  UserNotFoundException: "Incorrect username or password.",
  PasswordResetRequiredException: "You must reset your password: use “Forgot password”.",
  UserNotConfirmedException: "Your account is not confirmed yet: enter the code you were sent.",
  CodeMismatchException: "That code is not correct. Check it and try again.",
  ExpiredCodeException: "That code has expired. Request a new one.",
  InvalidPasswordException: "The password does not meet the password policy.",
  LimitExceededException: "Too many attempts. Wait a few minutes and try again.",
  TooManyRequestsException: "Too many attempts. Wait a few minutes and try again.",
  UsernameExistsException: "An account with this email already exists.",
  EnableSoftwareTokenMFAException: "That code is not correct. Check the time on your device and try again.",
};

interface AuthenticationResult {
  IdToken?: string;
  AccessToken?: string;
  RefreshToken?: string;
  ExpiresIn?: number;
}

export class CognitoClient {
  constructor(
    private readonly endpoint: string,
    private readonly clientId: string,
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
    private readonly now: () => number = Date.now,
    /** With the pool id, sign-in speaks SRP; without, USER_PASSWORD_AUTH. */
    private readonly srp?: { userPoolId: string },
  ) {}

  get passwordFlow(): PasswordFlow {
    return this.srp ? "USER_SRP_AUTH" : "USER_PASSWORD_AUTH";
  }

  async signIn(username: string, password: string): Promise<SignInResult> {
    if (!this.srp) {
      const res = await this.call("InitiateAuth", {
        AuthFlow: "USER_PASSWORD_AUTH",
        ClientId: this.clientId,
        AuthParameters: { USERNAME: username, PASSWORD: password },
      });
      return this.toSignInResult(res, username);
    }
    const poolName = srpPoolName(this.srp.userPoolId);
    const srp = new SrpClient(poolName);
    const init = (await this.call("InitiateAuth", {
      AuthFlow: "USER_SRP_AUTH",
      ClientId: this.clientId,
      AuthParameters: { USERNAME: username, SRP_A: srp.srpA },
    })) as { ChallengeName?: string; Session?: string; ChallengeParameters?: Record<string, string> };
    const p = init.ChallengeParameters ?? {};
    if (init.ChallengeName !== "PASSWORD_VERIFIER") return this.toSignInResult(init, username);
    if (!p.SALT || !p.SRP_B || !p.SECRET_BLOCK || !p.USER_ID_FOR_SRP) {
      throw new AuthError("UnexpectedResponse", "The identity service gave an unexpected answer. Try again.");
    }
    let answer: Awaited<ReturnType<SrpClient["answer"]>>;
    try {
      answer = await srp.answer({
        userId: p.USER_ID_FOR_SRP,
        password,
        saltHex: p.SALT,
        srpBHex: p.SRP_B,
        secretBlock: p.SECRET_BLOCK,
        now: new Date(this.now()),
      });
    } catch {
      throw new AuthError("UnexpectedResponse", "The identity service gave an unexpected answer. Try again.");
    }
    const res = await this.call("RespondToAuthChallenge", {
      ChallengeName: "PASSWORD_VERIFIER",
      ClientId: this.clientId,
      ...(init.Session ? { Session: init.Session } : {}),
      ChallengeResponses: { USERNAME: p.USER_ID_FOR_SRP, ...answer },
    });
    return this.toSignInResult(res, p.USER_ID_FOR_SRP);
  }

  /** Answers SOFTWARE_TOKEN_MFA with the 6-digit code of the user's authenticator app. */
  async answerMfa(username: string, session: string, code: string): Promise<SignInResult> {
    const res = await this.call("RespondToAuthChallenge", {
      ChallengeName: "SOFTWARE_TOKEN_MFA",
      ClientId: this.clientId,
      Session: session,
      ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: code.replace(/\s/g, "") },
    });
    return this.toSignInResult(res, username);
  }

  /** Whether sign-in asks this user for an authenticator code. */
  async totpEnabled(accessToken: string): Promise<boolean> {
    const res = (await this.call("GetUser", { AccessToken: accessToken })) as {
      UserMFASettingList?: unknown;
    };
    return Array.isArray(res.UserMFASettingList) && res.UserMFASettingList.includes("SOFTWARE_TOKEN_MFA");
  }

  /** Starts adding an authenticator app: returns the base32 secret it is to be set up with. */
  async associateSoftwareToken(accessToken: string): Promise<string> {
    const res = (await this.call("AssociateSoftwareToken", { AccessToken: accessToken })) as {
      SecretCode?: unknown;
    };
    if (typeof res.SecretCode !== "string") {
      throw new AuthError("UnexpectedResponse", "The identity service gave an unexpected answer. Try again.");
    }
    return res.SecretCode;
  }

  /** Confirms the new authenticator with one of its codes. */
  async verifySoftwareToken(accessToken: string, code: string): Promise<void> {
    const res = (await this.call("VerifySoftwareToken", {
      AccessToken: accessToken,
      UserCode: code.replace(/\s/g, ""),
      FriendlyDeviceName: "Authenticator app",
    })) as { Status?: unknown };
    if (res.Status !== "SUCCESS") {
      throw new AuthError("EnableSoftwareTokenMFAException", FRIENDLY.EnableSoftwareTokenMFAException ?? "");
    }
  }

  /** Turns the authenticator-code step of sign-in on or off (TOTP only; this pool has no SMS MFA). */
  async setTotpEnabled(accessToken: string, enabled: boolean): Promise<void> {
    await this.call("SetUserMFAPreference", {
      AccessToken: accessToken,
      SoftwareTokenMfaSettings: { Enabled: enabled, PreferredMfa: enabled },
    });
  }

  async completeNewPassword(username: string, session: string, newPassword: string): Promise<SignInResult> {
    const res = await this.call("RespondToAuthChallenge", {
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      ClientId: this.clientId,
      Session: session,
      ChallengeResponses: { USERNAME: username, NEW_PASSWORD: newPassword },
    });
    return this.toSignInResult(res, username);
  }

  async refresh(refreshToken: string): Promise<Tokens> {
    const res = await this.call("InitiateAuth", {
      AuthFlow: "REFRESH_TOKEN_AUTH",
      ClientId: this.clientId,
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    });
    const result = this.toSignInResult(res, "");
    if (result.kind !== "signed-in") throw new AuthError("UnexpectedChallenge", "Please sign in again.");
    return { ...result.tokens, refreshToken: result.tokens.refreshToken ?? refreshToken };
  }

  /** Returns where the code was sent (e.g. "a***@e***"), when Cognito says. */
  async forgotPassword(username: string): Promise<string | undefined> {
    const res = await this.call("ForgotPassword", { ClientId: this.clientId, Username: username });
    const details = (res as { CodeDeliveryDetails?: { Destination?: unknown } }).CodeDeliveryDetails;
    return typeof details?.Destination === "string" ? details.Destination : undefined;
  }

  async confirmForgotPassword(username: string, code: string, newPassword: string): Promise<void> {
    await this.call("ConfirmForgotPassword", {
      ClientId: this.clientId,
      Username: username,
      ConfirmationCode: code,
      Password: newPassword,
    });
  }

  async signUp(email: string, password: string): Promise<{ confirmed: boolean }> {
    const res = await this.call("SignUp", {
      ClientId: this.clientId,
      Username: email,
      Password: password,
      UserAttributes: [{ Name: "email", Value: email }],
    });
    return { confirmed: (res as { UserConfirmed?: unknown }).UserConfirmed === true };
  }

  async confirmSignUp(email: string, code: string): Promise<void> {
    await this.call("ConfirmSignUp", { ClientId: this.clientId, Username: email, ConfirmationCode: code });
  }

  /** Revokes every refresh token of the user (all devices). */
  async globalSignOut(accessToken: string): Promise<void> {
    await this.call("GlobalSignOut", { AccessToken: accessToken });
  }

  private toSignInResult(res: unknown, username: string): SignInResult {
    const body = res as {
      AuthenticationResult?: AuthenticationResult;
      ChallengeName?: string;
      Session?: string;
      ChallengeParameters?: { USER_ID_FOR_SRP?: string };
    };
    const auth = body.AuthenticationResult;
    if (auth?.IdToken && auth.AccessToken) {
      return {
        kind: "signed-in",
        tokens: {
          idToken: auth.IdToken,
          accessToken: auth.AccessToken,
          refreshToken: auth.RefreshToken,
          expiresAt: tokenExpiry(auth.IdToken) ?? this.now() + (auth.ExpiresIn ?? 3600) * 1000,
        },
      };
    }
    if (body.ChallengeName === "NEW_PASSWORD_REQUIRED" && body.Session) {
      return {
        kind: "new-password-required",
        session: body.Session,
        username: body.ChallengeParameters?.USER_ID_FOR_SRP ?? username,
      };
    }
    if (body.ChallengeName === "SOFTWARE_TOKEN_MFA" && body.Session) {
      return {
        kind: "mfa-required",
        session: body.Session,
        username: body.ChallengeParameters?.USER_ID_FOR_SRP ?? username,
      };
    }
    throw new AuthError(
      body.ChallengeName ?? "UnexpectedResponse",
      body.ChallengeName
        ? `This account needs a sign-in step the web app does not support (${body.ChallengeName}).`
        : "The identity service gave an unexpected answer. Try again.",
    );
  }

  private async call(operation: string, payload: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await this.fetchImpl(this.endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": `AWSCognitoIdentityProviderService.${operation}`,
        },
        body: JSON.stringify(payload),
      });
    } catch {
      throw new AuthError("NetworkError", "Cannot reach the sign-in service. Check your connection.");
    }
    const text = await res.text();
    let body: unknown = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      // A non-JSON error page (proxy, outage): reported below by status.
    }
    if (res.ok) return body;
    const raw = (body as { __type?: unknown; message?: unknown; Message?: unknown }) ?? {};
    const type = String(raw.__type ?? res.headers.get("x-amzn-errortype") ?? `HTTP${res.status}`);
    // "com.amazonaws…#NotAuthorizedException" or "NotAuthorizedException:…" → "NotAuthorizedException"
    const code = type.split("#").pop()?.split(":")[0] ?? type;
    const serverMessage = typeof raw.message === "string" ? raw.message : String(raw.Message ?? "");
    const message =
      code === "InvalidPasswordException" && serverMessage
        ? serverMessage
        : (FRIENDLY[code] ?? (serverMessage || `Sign-in failed (${code}).`));
    throw new AuthError(code, message);
  }
}

/** Reads `exp` from a JWT without verifying it (the gateway verifies; we only schedule refresh). */
export function tokenExpiry(jwt: string): number | undefined {
  const claims = decodeJwtPayload(jwt);
  return typeof claims?.exp === "number" ? claims.exp * 1000 : undefined;
}

export function decodeJwtPayload(jwt: string): Record<string, unknown> | undefined {
  const part = jwt.split(".")[1];
  if (!part) return undefined;
  try {
    const b64 = part
      .replace(/-/g, "+")
      .replace(/_/g, "/")
      .padEnd(Math.ceil(part.length / 4) * 4, "=");
    const json = new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
    const value: unknown = JSON.parse(json);
    return value && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
