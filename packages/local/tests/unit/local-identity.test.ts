import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CodeMismatchException,
  type CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  NotAuthorizedException,
  RespondToAuthChallengeCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureInitialUser, LOCAL_USER_POOL_ID, LocalIdentity } from "../../src/identity/local-identity";
import type { ApiGatewayServer } from "../../src/server/api-gateway-server";
import { LocalSetupError } from "../../src/support/errors";
import { type IdentityServer, startIdentityServer } from "../support/identity-server";
import { initiateAuth } from "../support/web-login";

let identityServer: IdentityServer;
let dir: string;
let identity: LocalIdentity;
let server: ApiGatewayServer;
let cognito: CognitoIdentityProviderClient;
const notices: string[] = [];

async function idVerifier() {
  const verifier = CognitoJwtVerifier.create({
    userPoolId: LOCAL_USER_POOL_ID,
    tokenUse: "id",
    clientId: identity.clientId,
  });
  // Fetched over HTTP from the served JWKS, as local mode pre-caches it for the gateway.
  const jwks = await (
    await fetch(`${server.url}/cognito/${LOCAL_USER_POOL_ID}/.well-known/jwks.json`)
  ).json();
  verifier.cacheJwks(jwks);
  return verifier;
}

function passwordLogin(username: string, password: string) {
  return cognito.send(
    new InitiateAuthCommand({
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: identity.clientId,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );
}

beforeAll(async () => {
  identityServer = await startIdentityServer("local-identity-", (line) => notices.push(line));
  ({ dir, identity, server, cognito } = identityServer);
  await identity.users.create({ username: "alice", password: "correct-horse", email: "alice@example.com" });
});

afterAll(async () => {
  await identityServer.close();
});

describe("local identity (Cognito JSON protocol, real SDK client)", () => {
  it("logs in with USER_PASSWORD_AUTH; the id and access tokens pass CognitoJwtVerifier", async () => {
    const out = await passwordLogin("alice", "correct-horse");
    const result = out.AuthenticationResult;
    expect(result?.ExpiresIn).toBe(3600);
    expect(result?.TokenType).toBe("Bearer");
    const claims = await (await idVerifier()).verify(result?.IdToken as string);
    const user = identity.users.get("alice");
    expect(claims).toMatchObject({
      sub: user?.sub,
      "cognito:username": "alice",
      email: "alice@example.com",
      token_use: "id",
      aud: identity.clientId,
      iss: `https://cognito-idp.us-east-1.amazonaws.com/${LOCAL_USER_POOL_ID}`,
    });
    expect(claims.exp - claims.iat).toBe(3600);
    const access = CognitoJwtVerifier.create({
      userPoolId: LOCAL_USER_POOL_ID,
      tokenUse: "access",
      clientId: identity.clientId,
    });
    access.cacheJwks(identity.jwks() as Parameters<typeof access.cacheJwks>[0]);
    expect(await access.verify(result?.AccessToken as string)).toMatchObject({ username: "alice" });
  });

  it("rejects a wrong password, an unknown user and an unknown client id", async () => {
    await expect(passwordLogin("alice", "wrong-password")).rejects.toBeInstanceOf(NotAuthorizedException);
    await expect(passwordLogin("nobody", "whatever1")).rejects.toBeInstanceOf(NotAuthorizedException);
    await expect(
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: "USER_PASSWORD_AUTH",
          ClientId: "someotherclient",
          AuthParameters: { USERNAME: "alice", PASSWORD: "correct-horse" },
        }),
      ),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("rejects a tampered token and a token signed by another key", async () => {
    const out = await passwordLogin("alice", "correct-horse");
    const token = out.AuthenticationResult?.IdToken as string;
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: "someone-else" })).toString("base64url");
    const verifier = await idVerifier();
    await expect(verifier.verify(`${header}.${forged}.${signature}`)).rejects.toThrow();

    const otherDir = await mkdtemp(join(tmpdir(), "local-identity-other-"));
    const other = await LocalIdentity.open({ dir: otherDir, notify: () => {} });
    await other.users.create({ username: "alice", password: "correct-horse" });
    const foreign = await other.login("alice", "correct-horse");
    await expect(verifier.verify(foreign.IdToken)).rejects.toThrow();
    await rm(otherDir, { recursive: true, force: true });
  });

  it("refreshes tokens with REFRESH_TOKEN_AUTH and refuses them after GlobalSignOut", async () => {
    const first = (await passwordLogin("alice", "correct-horse")).AuthenticationResult;
    const refreshed = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: "REFRESH_TOKEN_AUTH",
        ClientId: identity.clientId,
        AuthParameters: { REFRESH_TOKEN: first?.RefreshToken as string },
      }),
    );
    expect(refreshed.AuthenticationResult?.RefreshToken).toBeUndefined();
    await (await idVerifier()).verify(refreshed.AuthenticationResult?.IdToken as string);

    const me = await cognito.send(new GetUserCommand({ AccessToken: first?.AccessToken }));
    expect(me.Username).toBe("alice");

    await cognito.send(new GlobalSignOutCommand({ AccessToken: first?.AccessToken }));
    await expect(
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: "REFRESH_TOKEN_AUTH",
          ClientId: identity.clientId,
          AuthParameters: { REFRESH_TOKEN: first?.RefreshToken as string },
        }),
      ),
    ).rejects.toBeInstanceOf(NotAuthorizedException);
    await expect(
      cognito.send(new GetUserCommand({ AccessToken: first?.AccessToken })),
    ).rejects.toBeInstanceOf(NotAuthorizedException);
  });

  it("asks a user with a temporary password for a new one (NEW_PASSWORD_REQUIRED)", async () => {
    await identity.users.create({ username: "bob", password: "temporary1", temporary: true });
    const challenge = await passwordLogin("bob", "temporary1");
    expect(challenge.ChallengeName).toBe("NEW_PASSWORD_REQUIRED");
    expect(challenge.AuthenticationResult).toBeUndefined();
    await expect(
      cognito.send(
        new RespondToAuthChallengeCommand({
          ChallengeName: "NEW_PASSWORD_REQUIRED",
          ClientId: identity.clientId,
          Session: challenge.Session,
          ChallengeResponses: { USERNAME: "bob", NEW_PASSWORD: "short" },
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidPasswordException" });
    const done = await cognito.send(
      new RespondToAuthChallengeCommand({
        ChallengeName: "NEW_PASSWORD_REQUIRED",
        ClientId: identity.clientId,
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: "bob", NEW_PASSWORD: "bobs-new-password" },
      }),
    );
    await (await idVerifier()).verify(done.AuthenticationResult?.IdToken as string);
    expect((await passwordLogin("bob", "bobs-new-password")).AuthenticationResult).toBeDefined();
    await expect(passwordLogin("bob", "temporary1")).rejects.toBeInstanceOf(NotAuthorizedException);
  });

  it("resets a forgotten password with the code printed on the terminal", async () => {
    await identity.users.create({ username: "carol", password: "carol-old-pass" });
    const sent = await cognito.send(
      new ForgotPasswordCommand({ ClientId: identity.clientId, Username: "carol" }),
    );
    expect(sent.CodeDeliveryDetails?.DeliveryMedium).toBe("EMAIL");
    const code = /code for carol: (\d{6})/.exec(notices.join("\n"))?.[1] as string;
    expect(code).toMatch(/^\d{6}$/);
    const wrong = code === "000000" ? "000001" : "000000";
    await expect(
      cognito.send(
        new ConfirmForgotPasswordCommand({
          ClientId: identity.clientId,
          Username: "carol",
          ConfirmationCode: wrong,
          Password: "carol-new-pass",
        }),
      ),
    ).rejects.toBeInstanceOf(CodeMismatchException);
    await cognito.send(
      new ConfirmForgotPasswordCommand({
        ClientId: identity.clientId,
        Username: "carol",
        ConfirmationCode: code,
        Password: "carol-new-pass",
      }),
    );
    expect((await passwordLogin("carol", "carol-new-pass")).AuthenticationResult).toBeDefined();
    await expect(passwordLogin("carol", "carol-old-pass")).rejects.toBeInstanceOf(NotAuthorizedException);
    // An unknown user gets the same answer (no user enumeration) and no code.
    const before = notices.length;
    await cognito.send(new ForgotPasswordCommand({ ClientId: identity.clientId, Username: "nobody" }));
    expect(notices.length).toBe(before);
  });

  it("tells local mode when a user's sessions end everywhere (GlobalSignOut, password reset), to close their sockets", async () => {
    const revoked: string[] = [];
    identity.onSessionsRevoked = async (sub, reason) => {
      revoked.push(`${sub}:${reason}`);
    };
    try {
      await identity.users.create({ username: "dave", password: "dave-old-pass" });
      const sub = identity.users.get("dave")?.sub;
      const tokens = (await passwordLogin("dave", "dave-old-pass")).AuthenticationResult;
      await cognito.send(new GlobalSignOutCommand({ AccessToken: tokens?.AccessToken }));
      expect(revoked).toEqual([`${sub}:global sign-out`]);
      await cognito.send(new ForgotPasswordCommand({ ClientId: identity.clientId, Username: "dave" }));
      const code = /code for dave: (\d{6})/.exec(notices.join("\n"))?.[1] as string;
      await cognito.send(
        new ConfirmForgotPasswordCommand({
          ClientId: identity.clientId,
          Username: "dave",
          ConfirmationCode: code,
          Password: "dave-new-pass",
        }),
      );
      expect(revoked).toEqual([`${sub}:global sign-out`, `${sub}:password reset`]);
    } finally {
      identity.onSessionsRevoked = undefined;
    }
  });

  it("speaks the protocol to plain fetch as the web UI sends it", async () => {
    const res = await initiateAuth(`${server.url}/cognito/`, identity.clientId, "ALICE", "wrong-pass");
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      __type: "NotAuthorizedException",
      message: "Incorrect username or password.",
    });
  });
});

describe("keys and users persist in the data dir", () => {
  it("keeps the signing key, client id and users across a reopen; files are private", async () => {
    const reopened = await LocalIdentity.open({ dir, notify: () => {} });
    expect(reopened.clientId).toBe(identity.clientId);
    expect(reopened.jwks()).toEqual(identity.jwks());
    const tokens = await reopened.login("alice", "correct-horse");
    await (await idVerifier()).verify(tokens.IdToken);
    expect((await stat(join(dir, "signing-key.json"))).mode & 0o077).toBe(0);
    expect((await stat(join(dir, "users.json"))).mode & 0o077).toBe(0);
  });

  it("creates a first user from LOCAL_USER/LOCAL_PASSWORD, or generates one and remembers it", async () => {
    const fresh = await mkdtemp(join(tmpdir(), "local-identity-first-"));
    const a = await LocalIdentity.open({ dir: fresh, notify: () => {} });
    const generated = await ensureInitialUser(a, fresh, {});
    expect(generated.source).toBe("generated");
    expect(generated.password).toBeDefined();
    await a.login(generated.username, generated.password as string);
    const again = await ensureInitialUser(
      await LocalIdentity.open({ dir: fresh, notify: () => {} }),
      fresh,
      {},
    );
    expect(again).toMatchObject({
      username: generated.username,
      password: generated.password,
      source: "existing",
    });

    const fromEnv = await ensureInitialUser(a, fresh, {
      LOCAL_USER: "dana",
      LOCAL_PASSWORD: "dana-password",
    });
    expect(fromEnv).toEqual({ username: "dana", source: "env" });
    await a.login("dana", "dana-password");
    // A LOCAL_PASSWORD the pool's policy refuses stops npm start with a message naming the variable.
    const short = ensureInitialUser(a, fresh, { LOCAL_USER: "eve", LOCAL_PASSWORD: "short" });
    await expect(short).rejects.toBeInstanceOf(LocalSetupError);
    await expect(short).rejects.toThrow(/^LOCAL_PASSWORD: Password did not conform with policy/);
    await rm(fresh, { recursive: true, force: true });
  });
});
