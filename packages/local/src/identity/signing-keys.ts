import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { exportJWK, generateKeyPair, importJWK, type CryptoKey as JoseKey, type JWK } from "jose";
import * as z from "zod";
import { readJsonFile, writeJsonFile } from "./json-file";

const StoredKeySchema = z.object({
  kid: z.string(),
  privateJwk: z.record(z.string(), z.unknown()),
  publicJwk: z.record(z.string(), z.unknown()),
});

export interface SigningKey {
  kid: string;
  privateKey: JoseKey | Uint8Array;
  publicJwk: JWK;
}

/**
 * The issuer's RS256 key pair, created on first run and kept in the data dir (0600) so tokens stay
 * valid across restarts of `npm start`.
 */
export async function loadOrCreateSigningKey(dir: string): Promise<SigningKey> {
  const path = join(dir, "signing-key.json");
  const existing = await readJsonFile(path);
  if (existing !== undefined) {
    const stored = StoredKeySchema.parse(existing);
    const privateKey = await importJWK(stored.privateJwk as JWK, "RS256");
    return { kid: stored.kid, privateKey, publicJwk: stored.publicJwk as JWK };
  }
  const { privateKey, publicKey } = await generateKeyPair("RS256", {
    modulusLength: 2048,
    extractable: true,
  });
  const kid = randomBytes(16).toString("base64url");
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
  await writeJsonFile(path, { kid, privateJwk: await exportJWK(privateKey), publicJwk });
  return { kid, privateKey, publicJwk };
}
