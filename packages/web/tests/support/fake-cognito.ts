import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { JsonFake, type JsonReply } from "./json-server";

/**
 * A loopback stand-in for the Cognito user-pool JSON API (the operations the SPA uses), answering
 * in Cognito's wire format: `X-Amz-Target` selects the operation, errors are HTTP 400 with
 * `{ __type, message }`, CORS is open as on AWS.
 */
interface User {
  password: string;
  status: "CONFIRMED" | "FORCE_CHANGE_PASSWORD" | "UNCONFIRMED";
  sub: string;
  email?: string;
}

export class FakeCognito extends JsonFake {
  readonly users = new Map<string, User>();
  readonly calls: { target: string; contentType: string; body: Record<string, unknown> }[] = [];
  /** Lifetime of issued id/access tokens, seconds. */
  tokenTtlSeconds = 3600;
  private readonly refreshTokens = new Map<string, string>();
  private readonly sessions = new Map<string, string>();
  private readonly resetCodes = new Map<string, string>();

  static start(): Promise<FakeCognito> {
    return new FakeCognito().listen({
      "Access-Control-Allow-Origin": "*",
      "Access-Control-Allow-Headers": "content-type, x-amz-target, x-amz-user-agent",
      "Access-Control-Allow-Methods": "POST",
      "Content-Type": "application/x-amz-json-1.1",
    });
  }

  get endpoint(): string {
    return `${this.origin}/cognito/`;
  }

  addUser(username: string, password: string, status: User["status"] = "CONFIRMED"): void {
    this.users.set(username, { password, status, sub: randomUUID(), email: `${username}@example.com` });
  }

  calledOps(): string[] {
    return this.calls.map((c) => c.target.replace("AWSCognitoIdentityProviderService.", ""));
  }

  protected async handle(req: IncomingMessage): Promise<JsonReply> {
    if (req.method === "OPTIONS") return { status: 204 };
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const target = String(req.headers["x-amz-target"] ?? "");
    const body = JSON.parse(raw || "{}") as Record<string, unknown>;
    const str = (key: string) => String(body[key] ?? "");
    this.calls.push({ target, contentType: String(req.headers["content-type"]), body });
    const fail = (type: string, message: string) => ({ status: 400, body: { __type: type, message } });
    const op = target.replace("AWSCognitoIdentityProviderService.", "");
    if (op === "InitiateAuth") {
      const params = body.AuthParameters as Record<string, string>;
      if (body.AuthFlow === "REFRESH_TOKEN_AUTH") {
        const username = this.refreshTokens.get(params.REFRESH_TOKEN ?? "");
        if (!username) return fail("NotAuthorizedException", "Refresh Token has been revoked");
        return { status: 200, body: { AuthenticationResult: this.tokens(username, false) } };
      }
      const user = this.users.get(params.USERNAME ?? "");
      if (!user || user.password !== params.PASSWORD)
        return fail("NotAuthorizedException", "Incorrect username or password.");
      if (user.status === "UNCONFIRMED") return fail("UserNotConfirmedException", "User is not confirmed.");
      if (user.status === "FORCE_CHANGE_PASSWORD") {
        const session = randomUUID();
        this.sessions.set(session, params.USERNAME as string);
        return {
          status: 200,
          body: {
            ChallengeName: "NEW_PASSWORD_REQUIRED",
            Session: session,
            ChallengeParameters: { USER_ID_FOR_SRP: params.USERNAME },
          },
        };
      }
      return { status: 200, body: { AuthenticationResult: this.tokens(params.USERNAME as string, true) } };
    }
    if (op === "RespondToAuthChallenge") {
      const username = this.sessions.get(str("Session"));
      const responses = body.ChallengeResponses as Record<string, string>;
      if (!username || responses.USERNAME !== username)
        return fail("NotAuthorizedException", "Invalid session.");
      const password = responses.NEW_PASSWORD ?? "";
      if (password.length < 8) return fail("InvalidPasswordException", "Password not long enough");
      const user = this.users.get(username) as User;
      user.password = password;
      user.status = "CONFIRMED";
      return {
        status: 200,
        body: { AuthenticationResult: this.tokens(username, true), ChallengeParameters: {} },
      };
    }
    if (op === "ForgotPassword") {
      this.resetCodes.set(str("Username"), "123456");
      return {
        status: 200,
        body: { CodeDeliveryDetails: { Destination: "a***@e***", DeliveryMedium: "EMAIL" } },
      };
    }
    if (op === "ConfirmForgotPassword") {
      if (this.resetCodes.get(str("Username")) !== str("ConfirmationCode"))
        return fail("CodeMismatchException", "Invalid verification code provided, please try again.");
      const user = this.users.get(str("Username")) as User;
      user.password = str("Password");
      return { status: 200, body: {} };
    }
    if (op === "SignUp") {
      if (this.users.has(str("Username"))) return fail("UsernameExistsException", "User already exists");
      this.addUser(str("Username"), str("Password"), "UNCONFIRMED");
      this.resetCodes.set(`signup:${str("Username")}`, "654321");
      return { status: 200, body: { UserConfirmed: false, UserSub: randomUUID() } };
    }
    if (op === "ConfirmSignUp") {
      if (this.resetCodes.get(`signup:${str("Username")}`) !== str("ConfirmationCode"))
        return fail("CodeMismatchException", "Invalid code");
      (this.users.get(str("Username")) as User).status = "CONFIRMED";
      return { status: 200, body: {} };
    }
    if (op === "GetUser") {
      // No second factor here: the Settings page shows two-factor authentication as off.
      const claims = JSON.parse(Buffer.from(str("AccessToken").split(".")[1] ?? "", "base64url").toString());
      return { status: 200, body: { Username: claims.username, UserAttributes: [] } };
    }
    if (op === "GlobalSignOut") {
      const claims = JSON.parse(Buffer.from(str("AccessToken").split(".")[1] ?? "", "base64url").toString());
      for (const [token, username] of this.refreshTokens)
        if (username === claims.username) this.refreshTokens.delete(token);
      return { status: 200, body: {} };
    }
    return fail("InvalidAction", `unknown operation ${target}`);
  }

  private tokens(username: string, withRefresh: boolean) {
    const user = this.users.get(username) as User;
    const exp = Math.floor(Date.now() / 1000) + this.tokenTtlSeconds;
    const jwt = (claims: Record<string, unknown>) =>
      [
        Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url"),
        Buffer.from(JSON.stringify({ ...claims, exp, jti: randomUUID() })).toString("base64url"),
        "sig",
      ].join(".");
    const refresh = withRefresh ? randomUUID() : undefined;
    if (refresh) this.refreshTokens.set(refresh, username);
    return {
      IdToken: jwt({ sub: user.sub, email: user.email, "cognito:username": username, token_use: "id" }),
      AccessToken: jwt({ sub: user.sub, username, token_use: "access" }),
      RefreshToken: refresh,
      ExpiresIn: this.tokenTtlSeconds,
      TokenType: "Bearer",
    };
  }
}

export class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}
