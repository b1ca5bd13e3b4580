import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  AssociateSoftwareTokenCommand,
  type CognitoIdentityProviderClient,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { SrpClient } from "@serverless-openclaw/shared/cognito-srp";
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
} from "amazon-cognito-identity-js";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureInitialUser, LOCAL_USER_POOL_ID, type LocalIdentity } from "../../src/identity/local-identity";
import type { ApiGatewayServer } from "../../src/server/api-gateway-server";
import { type IdentityServer, startIdentityServer } from "../support/identity-server";

// Local mode's identity against AWS's own browser client (amazon-cognito-identity-js: its SRP and its
// TOTP challenge handling), so what passes here is Cognito's wire format, not one we agreed with ourselves.

let identityServer: IdentityServer;
let dir: string;
let identity: LocalIdentity;
let server: ApiGatewayServer;
let cognito: CognitoIdentityProviderClient;
let pool: CognitoUserPool;

// AWS's client calls the global fetch. A request sent on a keep-alive socket that the server is closing
// at that moment fails before any answer ("Network error"); browsers retry such a request on a new
// connection, Node's fetch does not, and here client and server share one event loop that the client's
// SRP maths blocks for seconds on a loaded machine, so the race is common. Retry once, as a browser does.
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  try {
    return await realFetch(input, init);
  } catch (error) {
    if (error instanceof TypeError) return realFetch(input, init);
    throw error;
  }
};

beforeAll(async () => {
  identityServer = await startIdentityServer("local-identity-srp-");
  ({ dir, identity, server, cognito } = identityServer);
  pool = new CognitoUserPool({
    UserPoolId: LOCAL_USER_POOL_ID,
    ClientId: identity.clientId,
    endpoint: `${server.url}/cognito/`,
  });
});

afterAll(async () => {
  globalThis.fetch = realFetch;
  await identityServer.close();
});

interface SrpOutcome {
  session?: CognitoUserSession;
  error?: { code?: string; name?: string; message: string };
  totp?: (code: string) => Promise<SrpOutcome>;
}

/** AWS's client: USER_SRP_AUTH, PASSWORD_VERIFIER, and SOFTWARE_TOKEN_MFA when asked. */
function awsClientSignIn(username: string, password: string): Promise<SrpOutcome> {
  const user = new CognitoUser({ Username: username, Pool: pool });
  user.setAuthenticationFlowType("USER_SRP_AUTH");
  const callbacks = (resolve: (o: SrpOutcome) => void) => ({
    onSuccess: (session: CognitoUserSession) => resolve({ session }),
    onFailure: (error: Error & { code?: string }) => resolve({ error }),
    totpRequired: () =>
      resolve({
        totp: (code: string) =>
          new Promise<SrpOutcome>((next) => user.sendMFACode(code, callbacks(next), "SOFTWARE_TOKEN_MFA")),
      }),
    newPasswordRequired: () => resolve({ error: { message: "NEW_PASSWORD_REQUIRED" } }),
  });
  return new Promise((resolve) =>
    user.authenticateUser(
      new AuthenticationDetails({ Username: username, Password: password }),
      callbacks(resolve),
    ),
  );
}

async function idClaims(idToken: string) {
  const verifier = CognitoJwtVerifier.create({
    userPoolId: LOCAL_USER_POOL_ID,
    tokenUse: "id",
    clientId: identity.clientId,
  });
  verifier.cacheJwks(identity.jwks() as Parameters<typeof verifier.cacheJwks>[0]);
  return verifier.verify(idToken);
}

const code = (secret: string, offsetSteps = 0) =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30 });

describe("SRP sign-in (USER_SRP_AUTH, PASSWORD_VERIFIER)", () => {
  it("signs AWS's own SRP client in; the tokens pass CognitoJwtVerifier", async () => {
    const alice = await identity.users.create({ username: "alice", password: "correct-horse-1" });
    const out = await awsClientSignIn("alice", "correct-horse-1");
    expect(out.error).toBeUndefined();
    const claims = await idClaims(out.session?.getIdToken().getJwtToken() as string);
    expect(claims.sub).toBe(alice.sub);
  });

  it("refuses a wrong password, and an unknown user answers the same way up to the signature", async () => {
    const wrong = await awsClientSignIn("alice", "correct-horse-2");
    expect(wrong.error?.code ?? wrong.error?.name).toBe("NotAuthorizedException");
    const unknown = await awsClientSignIn("nobody-here", "whatever-123");
    expect(unknown.error?.code ?? unknown.error?.name).toBe("NotAuthorizedException");
    expect(unknown.error?.message).toBe(wrong.error?.message);
  });

  it("stores no password: only the scrypt hash and the SRP salt and verifier", async () => {
    const file = await readFile(join(dir, "users.json"), "utf8");
    expect(file).not.toContain("correct-horse-1");
    expect(identity.users.get("alice")?.srp?.verifier).toMatch(/^[0-9a-f]{100,}$/);
  });

  it("our web client's SRP signs in too, and no request carries the password", async () => {
    const bodies: string[] = [];
    const srp = new SrpClient("LocalDev1");
    const call = async (target: string, body: unknown) => {
      const text = JSON.stringify(body);
      bodies.push(text);
      const res = await fetch(`${server.url}/cognito/`, {
        method: "POST",
        headers: {
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": `AWSCognitoIdentityProviderService.${target}`,
        },
        body: text,
      });
      return (await res.json()) as Record<string, unknown> & { ChallengeParameters: Record<string, string> };
    };
    const init = await call("InitiateAuth", {
      AuthFlow: "USER_SRP_AUTH",
      ClientId: identity.clientId,
      AuthParameters: { USERNAME: "alice", SRP_A: srp.srpA },
    });
    expect(init.ChallengeName).toBe("PASSWORD_VERIFIER");
    const p = init.ChallengeParameters;
    const answer = await srp.answer({
      userId: p.USER_ID_FOR_SRP as string,
      password: "correct-horse-1",
      saltHex: p.SALT as string,
      srpBHex: p.SRP_B as string,
      secretBlock: p.SECRET_BLOCK as string,
      now: new Date(),
    });
    const done = await call("RespondToAuthChallenge", {
      ChallengeName: "PASSWORD_VERIFIER",
      ClientId: identity.clientId,
      Session: init.Session,
      ChallengeResponses: { USERNAME: p.USER_ID_FOR_SRP, ...answer },
    });
    expect((done.AuthenticationResult as { IdToken?: string }).IdToken).toBeTruthy();
    expect(bodies.join("\n")).not.toContain("correct-horse-1");
    // The session was single-use: the same claim again is refused.
    const again = await call("RespondToAuthChallenge", {
      ChallengeName: "PASSWORD_VERIFIER",
      ClientId: identity.clientId,
      Session: init.Session,
      ChallengeResponses: { USERNAME: p.USER_ID_FOR_SRP, ...answer },
    });
    expect(again.__type).toBe("NotAuthorizedException");
  });

  it("refuses an SRP_A that would skip the password (0, N, 2N) or is not a number", async () => {
    // RFC 5054's 3072-bit group, as Cognito uses it.
    const modulus = BigInt(
      `0x${"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"}${"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"}${"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"}${"83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"}${"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"}${"15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"}${"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"}${"BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"}`,
    );
    for (const srpA of ["0", modulus.toString(16), (modulus * 2n).toString(16), "not-hex"]) {
      await expect(
        cognito.send(
          new InitiateAuthCommand({
            AuthFlow: "USER_SRP_AUTH",
            ClientId: identity.clientId,
            AuthParameters: { USERNAME: "alice", SRP_A: srpA },
          }),
        ),
        srpA.slice(0, 8),
      ).rejects.toMatchObject({ name: "InvalidParameterException" });
    }
  });

  it("gives a user whose password predates SRP a verifier once the password is known (start-up, CLI login)", async () => {
    const legacy = await identity.users.create({ username: "legacy", password: "legacy-pass-1" });
    await identity.users.update({ ...legacy, srp: undefined });
    const before = await awsClientSignIn("legacy", "legacy-pass-1");
    expect(before.error?.message).toMatch(/Forgot password/);
    await ensureInitialUser(identity, dir, { LOCAL_USER: "legacy", LOCAL_PASSWORD: "legacy-pass-1" });
    expect(identity.users.get("legacy")?.srp).toBeDefined();
    const after = await awsClientSignIn("legacy", "legacy-pass-1");
    expect(after.error).toBeUndefined();
    expect(after.session).toBeDefined();
  });
});

describe("TOTP MFA (AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference, SOFTWARE_TOKEN_MFA)", () => {
  let access: string;
  let secret: string;

  it("adds an authenticator app only with a correct code, then turns the code step on", async () => {
    await identity.users.create({ username: "mallory-free", password: "totp-user-pass" });
    const signedIn = await awsClientSignIn("mallory-free", "totp-user-pass");
    access = signedIn.session?.getAccessToken().getJwtToken() as string;
    // Not verified yet: cannot be turned on.
    await expect(
      cognito.send(
        new SetUserMFAPreferenceCommand({
          AccessToken: access,
          SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
    secret = (await cognito.send(new AssociateSoftwareTokenCommand({ AccessToken: access })))
      .SecretCode as string;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const good = await code(secret);
    const wrongCode = good === "000000" ? "111111" : "000000";
    await expect(
      cognito.send(new VerifySoftwareTokenCommand({ AccessToken: access, UserCode: wrongCode })),
    ).rejects.toMatchObject({ name: "EnableSoftwareTokenMFAException" });
    const verified = await cognito.send(
      new VerifySoftwareTokenCommand({ AccessToken: access, UserCode: good }),
    );
    expect(verified.Status).toBe("SUCCESS");
    // SMS is not offered by this pool.
    await expect(
      cognito.send(
        new SetUserMFAPreferenceCommand({ AccessToken: access, SMSMfaSettings: { Enabled: true } }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
    await cognito.send(
      new SetUserMFAPreferenceCommand({
        AccessToken: access,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    const me = await cognito.send(new GetUserCommand({ AccessToken: access }));
    expect(me.UserMFASettingList).toEqual(["SOFTWARE_TOKEN_MFA"]);
    expect(me.PreferredMfaSetting).toBe("SOFTWARE_TOKEN_MFA");
  });

  it("asks for a code after the password; a wrong code is refused, the right one signs in, once", async () => {
    const first = await awsClientSignIn("mallory-free", "totp-user-pass");
    expect(first.error).toBeUndefined();
    expect(first.session).toBeUndefined();
    expect(first.totp).toBeDefined();
    // The next step's code: the one used for VerifySoftwareToken may still be current (no replay).
    const good = await code(secret, 1);
    const bad = good === "123456" ? "654321" : "123456";
    const refused = await first.totp?.(bad);
    expect(refused?.error?.code ?? refused?.error?.name).toBe("CodeMismatchException");
    const ok = await first.totp?.(good);
    expect(ok?.error).toBeUndefined();
    expect(ok?.session?.getIdToken().getJwtToken()).toBeTruthy();
    // The same code again, in a new sign-in: refused (it was used).
    const second = await awsClientSignIn("mallory-free", "totp-user-pass");
    const replay = await second.totp?.(good);
    expect(replay?.error?.code ?? replay?.error?.name).toBe("CodeMismatchException");
  });

  it("ends a sign-in after three wrong codes", async () => {
    const password = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: "USER_PASSWORD_AUTH",
        ClientId: identity.clientId,
        AuthParameters: { USERNAME: "mallory-free", PASSWORD: "totp-user-pass" },
      }),
    );
    expect(password.ChallengeName).toBe("SOFTWARE_TOKEN_MFA");
    const answer = (c: string) =>
      cognito.send(
        new RespondToAuthChallengeCommand({
          ChallengeName: "SOFTWARE_TOKEN_MFA",
          ClientId: identity.clientId,
          Session: password.Session,
          ChallengeResponses: { USERNAME: "mallory-free", SOFTWARE_TOKEN_MFA_CODE: c },
        }),
      );
    await expect(answer("000001")).rejects.toMatchObject({ name: "CodeMismatchException" });
    await expect(answer("000002")).rejects.toMatchObject({ name: "CodeMismatchException" });
    await expect(answer("000003")).rejects.toMatchObject({ name: "NotAuthorizedException" });
    // Even the right code cannot revive it.
    await expect(answer(await code(secret))).rejects.toMatchObject({ name: "NotAuthorizedException" });
  });

  it("turned off, sign-in needs the password only", async () => {
    await cognito.send(
      new SetUserMFAPreferenceCommand({ AccessToken: access, SoftwareTokenMfaSettings: { Enabled: false } }),
    );
    const me = await cognito.send(new GetUserCommand({ AccessToken: access }));
    expect(me.UserMFASettingList).toBeUndefined();
    expect((await awsClientSignIn("mallory-free", "totp-user-pass")).session).toBeDefined();
  });
});
