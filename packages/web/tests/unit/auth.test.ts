import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuthError, CognitoClient, decodeJwtPayload } from "../../src/auth/cognito-client";
import { AuthSession, REFRESH_TOKEN_KEY } from "../../src/auth/session";
import { FakeCognito, MemoryStorage } from "../support/fake-cognito";

let cognito: FakeCognito;
let client: CognitoClient;
const sessions: AuthSession[] = [];

beforeEach(async () => {
  cognito = await FakeCognito.start();
  cognito.addUser("alice", "correct-horse");
  client = new CognitoClient(cognito.endpoint, "client-123");
});
afterEach(async () => {
  for (const s of sessions.splice(0)) s.dispose();
  await cognito.close();
});

function newSession(storage = new MemoryStorage(), margin = 120_000) {
  const session = new AuthSession(client, storage, { refreshMarginMs: margin });
  sessions.push(session);
  return { session, storage };
}

describe("CognitoClient", () => {
  it("signs in with USER_PASSWORD_AUTH using Cognito's JSON protocol", async () => {
    const result = await client.signIn("alice", "correct-horse");
    expect(result.kind).toBe("signed-in");
    expect(cognito.calls[0]).toMatchObject({
      target: "AWSCognitoIdentityProviderService.InitiateAuth",
      contentType: "application/x-amz-json-1.1",
      body: { AuthFlow: "USER_PASSWORD_AUTH", ClientId: "client-123", AuthParameters: { USERNAME: "alice" } },
    });
    if (result.kind === "signed-in") {
      expect(decodeJwtPayload(result.tokens.idToken)?.email).toBe("alice@example.com");
      expect(result.tokens.expiresAt).toBeGreaterThan(Date.now());
    }
  });

  it("turns a wrong password into a message a person can act on", async () => {
    const error = await client.signIn("alice", "wrong").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({
      code: "NotAuthorizedException",
      message: "Incorrect username or password.",
    });
  });

  it("completes the NEW_PASSWORD_REQUIRED challenge", async () => {
    cognito.addUser("bob", "temporary-1", "FORCE_CHANGE_PASSWORD");
    const first = await client.signIn("bob", "temporary-1");
    expect(first.kind).toBe("new-password-required");
    if (first.kind !== "new-password-required") return;
    const weak = await client
      .completeNewPassword(first.username, first.session, "short")
      .catch((e: unknown) => e);
    expect(weak).toMatchObject({ code: "InvalidPasswordException", message: "Password not long enough" });
    const done = await client.completeNewPassword(first.username, first.session, "a-new-password");
    expect(done.kind).toBe("signed-in");
    expect((await client.signIn("bob", "a-new-password")).kind).toBe("signed-in");
  });

  it("resets a forgotten password with the emailed code", async () => {
    expect(await client.forgotPassword("alice")).toBe("a***@e***");
    const wrong = await client
      .confirmForgotPassword("alice", "000000", "another-pass")
      .catch((e: unknown) => e);
    expect(wrong).toMatchObject({
      code: "CodeMismatchException",
      message: "That code is not correct. Check it and try again.",
    });
    await client.confirmForgotPassword("alice", "123456", "another-pass");
    expect((await client.signIn("alice", "another-pass")).kind).toBe("signed-in");
  });

  it("reports an unreachable service as a network error", async () => {
    const url = cognito.endpoint;
    await cognito.close();
    const error = await new CognitoClient(url, "c").signIn("a", "b").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "NetworkError" });
    cognito = await FakeCognito.start(); // for afterEach
  });
});

describe("AuthSession", () => {
  it("keeps only the refresh token in storage and restores the session from it", async () => {
    const { session, storage } = newSession();
    await session.signIn("alice", "correct-horse");
    expect([...storage.items.keys()]).toEqual([REFRESH_TOKEN_KEY]);
    expect(session.user?.displayName).toBe("alice@example.com");

    const { session: reloaded } = newSession(storage);
    expect(reloaded.signedIn).toBe(false);
    expect(await reloaded.restore()).toBe(true);
    expect(reloaded.signedIn).toBe(true);
    expect(cognito.calls.at(-1)?.body).toMatchObject({ AuthFlow: "REFRESH_TOKEN_AUTH" });
  });

  it("refreshes an id token that expires within the margin, once for concurrent callers", async () => {
    cognito.tokenTtlSeconds = 60; // inside the 120 s margin: every use needs a refresh
    const { session } = newSession();
    await session.signIn("alice", "correct-horse");
    const before = cognito.calls.length;
    const [a, b, c] = await Promise.all([session.getIdToken(), session.getIdToken(), session.getIdToken()]);
    expect(cognito.calledOps().slice(before)).toEqual(["InitiateAuth"]);
    expect(cognito.calls.at(-1)?.body).toMatchObject({ AuthFlow: "REFRESH_TOKEN_AUTH" });
    expect(new Set([a, b, c]).size).toBe(1);
  });

  it("uses the current id token without a call while it is fresh", async () => {
    const { session } = newSession();
    await session.signIn("alice", "correct-horse");
    const before = cognito.calls.length;
    await session.getIdToken();
    expect(cognito.calls.length).toBe(before);
  });

  it("signs out everywhere: GlobalSignOut revokes the refresh token and storage is cleared", async () => {
    const { session, storage } = newSession();
    await session.signIn("alice", "correct-horse");
    const stored = storage.getItem(REFRESH_TOKEN_KEY);
    let notified = 0;
    session.subscribe(() => notified++);
    await session.signOut();
    expect(cognito.calledOps().at(-1)).toBe("GlobalSignOut");
    expect(storage.items.size).toBe(0);
    expect(session.signedIn).toBe(false);
    expect(notified).toBe(1);
    await expect(client.refresh(stored as string)).rejects.toMatchObject({ code: "NotAuthorizedException" });
  });

  it("ends the session when the refresh token was revoked elsewhere", async () => {
    cognito.tokenTtlSeconds = 60;
    const { session, storage } = newSession();
    await session.signIn("alice", "correct-horse");
    const other = newSession(new MemoryStorage()).session;
    await other.signIn("alice", "correct-horse");
    await other.signOut(); // GlobalSignOut revokes every device
    await expect(session.getIdToken()).rejects.toMatchObject({ code: "NotAuthorizedException" });
    expect(session.signedIn).toBe(false);
    expect(storage.items.size).toBe(0);
  });
});
