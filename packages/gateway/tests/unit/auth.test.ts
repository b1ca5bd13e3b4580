import { FetchError } from "aws-jwt-verify/error";
import { beforeAll, describe, expect, it } from "vitest";
import { CognitoTokenVerifier } from "../../src/adapters/aws/cognito-token-verifier";
import { AuthError, GatewayError } from "../../src/errors";
import { createHttpApiHandler, createWebSocketHandler } from "../../src/handlers";
import { makeDeps, recordWrites } from "./fakes";
import { CLIENT_ID, createTestIssuer, POOL_ID, type TestIssuer } from "./tokens";

let issuer: TestIssuer;
let stranger: TestIssuer;
let verifier: CognitoTokenVerifier;

beforeAll(async () => {
  issuer = await createTestIssuer();
  stranger = await createTestIssuer("test-key-1"); // same kid, different key: a forged token
  verifier = new CognitoTokenVerifier({ userPoolId: POOL_ID, clientId: CLIENT_ID, jwks: issuer.jwks });
});

async function rejection(token: string): Promise<AuthError> {
  const error = await verifier.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  const auth = error as AuthError;
  for (const part of token.split(".")) if (part.length > 8) expect(auth.message).not.toContain(part);
  return auth;
}

function tamper(token: string): string {
  const [header, payload, signature] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
  claims.sub = "someone-else";
  return [header, Buffer.from(JSON.stringify(claims)).toString("base64url"), signature].join(".");
}

describe("CognitoTokenVerifier", () => {
  it("accepts an id token from the pool for the app client", async () => {
    expect(await verifier.verify(await issuer.token())).toEqual({
      userId: "0b6f3c2e-1111-4222-8333-944455556666",
      username: "alice",
      email: "alice@example.com",
      // The token's iat: a socket opened with a token issued before a sign-out everywhere is refused.
      issuedAt: expect.any(Number),
    });
  });

  it("rejects a missing token", async () => {
    expect((await rejection("")).code).toBe("TOKEN_MISSING");
  });

  it("rejects garbage", async () => {
    expect((await rejection("not-a-jwt")).code).toBe("TOKEN_MALFORMED");
  });

  it("rejects an expired token", async () => {
    expect((await rejection(await issuer.token({}, { expiresIn: -60 }))).code).toBe("TOKEN_EXPIRED");
  });

  it("rejects a token from another user pool", async () => {
    const token = await issuer.token({
      iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OtherPool",
    });
    expect((await rejection(token)).code).toBe("TOKEN_INVALID");
  });

  it("rejects a token for another app client", async () => {
    expect((await rejection(await issuer.token({ aud: "someotherclient" }))).code).toBe("TOKEN_INVALID");
  });

  it("rejects an access token where an id token is required", async () => {
    const token = await issuer.token({ token_use: "access", aud: undefined, client_id: CLIENT_ID });
    const error = await rejection(token);
    expect(error.code).toBe("TOKEN_INVALID");
    expect(error.message).toMatch(/id token/);
  });

  it("rejects a tampered payload", async () => {
    expect((await rejection(tamper(await issuer.token()))).code).toBe("TOKEN_SIGNATURE");
  });

  it("rejects a token signed by another key with the same kid", async () => {
    expect((await rejection(await stranger.token())).code).toBe("TOKEN_SIGNATURE");
  });

  it("rejects a token with an unknown kid without fetching anything", async () => {
    expect((await rejection(await issuer.token({}, { kid: "unknown-kid" }))).code).toBe("TOKEN_SIGNATURE");
  });

  it("rejects an unsigned (alg none) token", async () => {
    const [, payload] = (await issuer.token()).split(".");
    const none = `${Buffer.from(JSON.stringify({ alg: "none", kid: "test-key-1" })).toString("base64url")}.${payload}.`;
    expect((await rejection(none)).code).toBe("TOKEN_MALFORMED");
  });
});

describe("handlers reject bad tokens", () => {
  const badTokens = async () => ({
    expired: await issuer.token({}, { expiresIn: -60 }),
    wrongPool: await issuer.token({ iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OtherPool" }),
    tampered: tamper(await issuer.token()),
    forged: await stranger.token(),
    accessToken: await issuer.token({ token_use: "access", aud: undefined, client_id: CLIENT_ID }),
  });

  it("$connect answers 401 and stores nothing", async () => {
    const base = makeDeps({ tokenVerifier: verifier });
    const logged: unknown[] = [];
    const capture = (...args: unknown[]) => logged.push(args);
    base.logger = { debug: capture, info: capture, warn: capture, error: capture };
    const { stores, writes } = recordWrites({ connections: base.connections });
    const handler = createWebSocketHandler({ ...base, ...stores });
    const event = (token?: string) => ({
      requestContext: { routeKey: "$connect", connectionId: "abc=" },
      queryStringParameters: token === undefined ? {} : { token },
    });
    for (const token of [undefined, ...Object.values(await badTokens())]) {
      const result = await handler(event(token) as never);
      expect(result.statusCode).toBe(401);
      expect(result.body ?? "").not.toContain(token ?? "@@");
    }
    expect(writes).toEqual([]);
    const good = await issuer.token();
    expect((await handler(event(good) as never)).statusCode).toBe(200);
    const logs = JSON.stringify(logged);
    expect(logs).toContain("client connect rejected");
    for (const token of [good, ...Object.values(await badTokens())]) {
      expect(logs).not.toContain(token.split(".")[2]);
    }
    expect(await base.connections.get("abc=")).toMatchObject({
      userId: "0b6f3c2e-1111-4222-8333-944455556666",
      kind: "client",
    });
  });

  it("the HTTP API answers 401 with an error code for every bad or missing token", async () => {
    const handler = createHttpApiHandler(makeDeps({ tokenVerifier: verifier }));
    const request = (authorization?: string) =>
      handler({
        rawPath: "/settings",
        requestContext: { http: { method: "GET" } },
        headers: authorization ? { authorization } : {},
      } as never);
    const missing = await request();
    expect(missing.statusCode).toBe(401);
    expect(JSON.parse(missing.body ?? "")).toMatchObject({ error: { code: "TOKEN_MISSING" } });
    for (const token of Object.values(await badTokens())) {
      const result = await request(`Bearer ${token}`);
      expect(result.statusCode).toBe(401);
      expect(result.body).not.toContain(token);
    }
    expect((await request(`Bearer ${await issuer.token()}`)).statusCode).toBe(200);
  });
});

describe("Cognito's keys unreachable", () => {
  it("is a 503 to retry, not a 401 that would sign the user out", async () => {
    let fetches = 0;
    const unreachable = new CognitoTokenVerifier({
      userPoolId: POOL_ID,
      clientId: CLIENT_ID,
      fetcher: {
        fetch: async (uri) => {
          fetches++;
          throw new FetchError(uri, "connect ETIMEDOUT");
        },
      },
    });
    const token = await issuer.token();
    const error = await unreachable.verify(token).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).not.toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ code: "AUTH_UNAVAILABLE", status: 503 });
    expect(fetches).toBeGreaterThan(0);

    const handler = createHttpApiHandler(makeDeps({ tokenVerifier: unreachable }));
    const result = await handler({
      rawPath: "/settings",
      requestContext: { http: { method: "GET" } },
      headers: { authorization: `Bearer ${token}` },
    } as never);
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body ?? "{}")).toMatchObject({ error: { code: "AUTH_UNAVAILABLE" } });
    expect(result.body).not.toContain(token.split(".")[2]);
  });
});
