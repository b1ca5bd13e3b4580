import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

export const POOL_ID = "us-east-1_TestPool1";
export const CLIENT_ID = "testclient1234567890";
export const ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${POOL_ID}`;

export interface TestIssuer {
  jwks: { keys: Array<JWK & { kid: string; alg: string; use: string; kty: string }> };
  /** An id token like Cognito's, with any claim overridden (undefined removes it). */
  token(claims?: Record<string, unknown>, opts?: { kid?: string; expiresIn?: number }): Promise<string>;
}

/** A local RSA key standing in for a Cognito user pool's signing key. */
export async function createTestIssuer(kid = "test-key-1"): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = await exportJWK(publicKey);
  return {
    jwks: { keys: [{ ...jwk, kid, alg: "RS256", use: "sig", kty: "RSA" }] },
    async token(claims = {}, opts = {}) {
      const now = Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = {
        sub: "0b6f3c2e-1111-4222-8333-944455556666",
        aud: CLIENT_ID,
        iss: ISSUER,
        token_use: "id",
        auth_time: now,
        iat: now,
        exp: now + (opts.expiresIn ?? 3600),
        "cognito:username": "alice",
        email: "alice@example.com",
        ...claims,
      };
      for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
      return new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: opts.kid ?? kid }).sign(privateKey);
    },
  };
}
