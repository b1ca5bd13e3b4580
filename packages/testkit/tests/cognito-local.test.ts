import { InvalidPasswordException } from "@aws-sdk/client-cognito-identity-provider";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CognitoLocal, startCognitoLocal } from "../src/cognito-local";

function tamper(token: string, claims: Record<string, unknown>): string {
  const [header, payload, signature] = token.split(".");
  const decoded = JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as Record<
    string,
    unknown
  >;
  const forged = Buffer.from(JSON.stringify({ ...decoded, ...claims })).toString("base64url");
  return `${header}.${forged}.${signature}`;
}

describe("startCognitoLocal", () => {
  let cognito: CognitoLocal;

  beforeAll(async () => {
    cognito = await startCognitoLocal();
  });
  afterAll(async () => {
    await cognito?.stop();
  });

  it("issues an id token that aws-jwt-verify accepts, with Cognito's claims", async () => {
    const tokens = await cognito.login(cognito.user.username, cognito.user.password);
    const payload = await cognito.verifier.verify(tokens.idToken);
    expect(payload.iss).toBe("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_LocalDev1");
    expect(payload["cognito:username"]).toBe("alice");
    expect(payload.aud).toBe(cognito.clientId);
    expect(payload.token_use).toBe("id");
  });

  it("rejects a token whose claims were changed after signing", async () => {
    const tokens = await cognito.login(cognito.user.username, cognito.user.password);
    await expect(
      cognito.verifier.verify(tamper(tokens.idToken, { "cognito:username": "mallory" })),
    ).rejects.toThrow(/signature/i);
  });

  it("rejects an id token meant for another app client", async () => {
    const other = CognitoJwtVerifier.create({
      userPoolId: cognito.userPoolId,
      tokenUse: "id",
      clientId: "other",
    });
    other.cacheJwks(await cognito.jwks());
    const tokens = await cognito.login(cognito.user.username, cognito.user.password);
    await expect(other.verify(tokens.idToken)).rejects.toThrow();
  });

  // AWS answers NotAuthorizedException here; cognito-local says InvalidPasswordException.
  it("refuses a wrong password", async () => {
    await expect(cognito.login(cognito.user.username, "wrong-password-1")).rejects.toBeInstanceOf(
      InvalidPasswordException,
    );
  });

  it("logs in users created later", async () => {
    await cognito.createUser("bob", "Another-Pass-7");
    const tokens = await cognito.login("bob", "Another-Pass-7");
    const payload = await cognito.verifier.verify(tokens.idToken);
    expect(payload["cognito:username"]).toBe("bob");
    expect(payload.sub).not.toBe(
      (await cognito.verifier.verify((await cognito.login("alice", cognito.user.password)).idToken)).sub,
    );
  });
});
