import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  type CognitoIdentityProviderClientConfig,
  CreateUserPoolClientCommand,
  InitiateAuthCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import type { Jwks } from "aws-jwt-verify/jwk";
import * as z from "zod";
import { TestkitError } from "./errors";
import { freePort, retryOnPortClash } from "./free-port";
import { forgetDirOnExit, isListening, removeDirOnExit, startProcess, waitUntil } from "./process";

/** The pool id local mode and tests use: AWS-shaped, because CognitoJwtVerifier rejects `local_…` ids. */
export const LOCAL_USER_POOL_ID = "us-east-1_LocalDev1";
const REGION = "us-east-1";
// Tokens then carry the issuer AWS would put in them, so the unmodified verifier accepts them.
const ISSUER_DOMAIN = `https://cognito-idp.${REGION}.amazonaws.com`;

export interface CognitoTokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
}

function idTokenVerifier(userPoolId: string, clientId: string) {
  return CognitoJwtVerifier.create({ userPoolId, tokenUse: "id", clientId });
}
export type IdTokenVerifier = ReturnType<typeof idTokenVerifier>;

export interface CognitoLocal {
  /** `http://127.0.0.1:<port>` (what `endpoint` of a CognitoIdentityProviderClient takes). */
  endpoint: string;
  port: number;
  region: string;
  userPoolId: string;
  /** An app client allowing USER_PASSWORD_AUTH (and refresh). */
  clientId: string;
  /** The user created at start, with a permanent password. */
  user: { username: string; password: string };
  clientConfig: CognitoIdentityProviderClientConfig;
  /** Creates another confirmed user with a permanent password. */
  createUser(username: string, password: string): Promise<void>;
  /** USER_PASSWORD_AUTH; throws the SDK's error (e.g. NotAuthorizedException) on a bad password. */
  login(username: string, password: string): Promise<CognitoTokens>;
  jwks(): Promise<Jwks>;
  /** A CognitoJwtVerifier for id tokens of this pool and client, with the JWKS already cached. */
  verifier: IdTokenVerifier;
  logs(): string;
  stop(): Promise<void>;
}

export interface StartCognitoLocalOptions {
  username?: string;
  password?: string;
  timeoutMs?: number;
}

const jwksSchema = z.object({
  keys: z.array(z.looseObject({ kty: z.string(), kid: z.string().optional() })),
});

/**
 * Starts cognito-local with a seeded pool (`us-east-1_LocalDev1`, plain usernames), the AWS issuer, an app
 * client and one user: the recipe in notes/local-aws.md.
 */
export function startCognitoLocal(options: StartCognitoLocalOptions = {}): Promise<CognitoLocal> {
  return retryOnPortClash(() => startCognitoLocalOnce(options));
}

async function startCognitoLocalOnce(options: StartCognitoLocalOptions): Promise<CognitoLocal> {
  const require = createRequire(import.meta.url);
  const bin = join(dirname(require.resolve("cognito-local/package.json")), "lib", "bin", "start.js");
  const dir = await mkdtemp(join(tmpdir(), "testkit-cognito-"));
  removeDirOnExit(dir);
  await mkdir(join(dir, ".cognito", "db"), { recursive: true });
  await writeFile(
    join(dir, ".cognito", "db", `${LOCAL_USER_POOL_ID}.json`),
    JSON.stringify({ Options: { Id: LOCAL_USER_POOL_ID, UsernameAttributes: [] }, Users: {} }),
  );
  await writeFile(
    join(dir, ".cognito", "config.json"),
    JSON.stringify({ TokenConfig: { IssuerDomain: ISSUER_DOMAIN } }),
  );

  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const proc = startProcess({
    name: "cognito-local",
    command: process.execPath,
    args: [bin],
    cwd: dir,
    env: { ...process.env, HOST: "127.0.0.1", PORT: String(port) },
  });
  const clientConfig: CognitoIdentityProviderClientConfig = {
    endpoint,
    region: REGION,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  };
  const sdk = new CognitoIdentityProviderClient(clientConfig);
  const stop = async () => {
    sdk.destroy();
    await proc.stop({ graceMs: 3_000 });
    await rm(dir, { recursive: true, force: true });
    forgetDirOnExit(dir);
  };

  try {
    await waitUntil(`cognito-local on ${endpoint}`, async () => isListening(`${endpoint}/health`), {
      // Generous: a starved machine (load 30) took over 30 s to start s3rver, a smaller process.
      timeoutMs: options.timeoutMs ?? 120_000,
      intervalMs: 100,
      process: proc,
    });
    const created = await sdk.send(
      new CreateUserPoolClientCommand({
        UserPoolId: LOCAL_USER_POOL_ID,
        ClientName: "testkit",
        ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      }),
    );
    const clientId = created.UserPoolClient?.ClientId;
    if (!clientId)
      throw new TestkitError("STANDIN_REQUEST_FAILED", "cognito-local created a client without an id");

    const createUser = async (username: string, password: string) => {
      await sdk.send(
        new AdminCreateUserCommand({
          UserPoolId: LOCAL_USER_POOL_ID,
          Username: username,
          MessageAction: "SUPPRESS",
        }),
      );
      await sdk.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: LOCAL_USER_POOL_ID,
          Username: username,
          Password: password,
          Permanent: true,
        }),
      );
    };
    const user = { username: options.username ?? "alice", password: options.password ?? "Correct-Horse-9" };
    await createUser(user.username, user.password);

    const login = async (username: string, password: string): Promise<CognitoTokens> => {
      const result = await sdk.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: "USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: username, PASSWORD: password },
        }),
      );
      const auth = result.AuthenticationResult;
      if (!auth?.IdToken || !auth.AccessToken || !auth.RefreshToken) {
        throw new TestkitError(
          "STANDIN_REQUEST_FAILED",
          `cognito-local answered InitiateAuth for ${username} without tokens (challenge: ${result.ChallengeName ?? "none"})`,
        );
      }
      return { idToken: auth.IdToken, accessToken: auth.AccessToken, refreshToken: auth.RefreshToken };
    };

    // aws-jwt-verify fetches JWKS only over https, so the verifier gets them handed in.
    const jwks = async (): Promise<Jwks> => {
      const response = await fetch(`${endpoint}/${LOCAL_USER_POOL_ID}/.well-known/jwks.json`);
      return jwksSchema.parse(await response.json()) as Jwks;
    };
    const verifier = idTokenVerifier(LOCAL_USER_POOL_ID, clientId);
    verifier.cacheJwks(await jwks());

    return {
      endpoint,
      port,
      region: REGION,
      userPoolId: LOCAL_USER_POOL_ID,
      clientId,
      user,
      clientConfig,
      createUser,
      login,
      jwks,
      verifier,
      logs: proc.logs,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
