import { startCognitoLocal } from "@serverless-openclaw/testkit";
import type { LocalLogger } from "../support/local-logger";
import type { AuthenticationResult } from "./local-identity";

/** What local mode needs of a Cognito-shaped issuer, embedded or cognito-local. */
export interface StandinIdentity {
  userPoolId: string;
  clientId: string;
  /** What the web app's Cognito client talks to (`/config.json` → cognitoEndpoint). */
  cognitoEndpoint: string;
  jwks: unknown;
  /** The `sub` of the first user, for seeding settings from the environment. */
  firstUserSub: string;
  login(username: string, password: string): Promise<AuthenticationResult>;
  stop(): Promise<void>;
}

/**
 * `--aws-standins`: sign-in through cognito-local instead of the embedded issuer, so the browser and the
 * gateway use Cognito's own JSON protocol and token verification against a real Cognito emulator. Its
 * pool lives in a temporary directory, like DynamoDB Local's in-memory tables: the stand-ins are for
 * exercising the AWS code paths, not for keeping data.
 */
export async function startStandinIdentity(options: {
  username: string;
  password: string;
  logger: LocalLogger;
}): Promise<StandinIdentity> {
  const cognito = await startCognitoLocal({ username: options.username, password: options.password });
  try {
    const login = async (username: string, password: string): Promise<AuthenticationResult> => {
      const tokens = await cognito.login(username, password);
      return {
        IdToken: tokens.idToken,
        AccessToken: tokens.accessToken,
        RefreshToken: tokens.refreshToken,
        ExpiresIn: 3600,
        TokenType: "Bearer",
      };
    };
    const first = await login(options.username, options.password);
    options.logger.info(`cognito-local at ${cognito.endpoint} (pool ${cognito.userPoolId})`);
    return {
      userPoolId: cognito.userPoolId,
      clientId: cognito.clientId,
      cognitoEndpoint: `${cognito.endpoint}/`,
      jwks: await cognito.jwks(),
      firstUserSub: subOf(first.IdToken),
      login,
      stop: () => cognito.stop(),
    };
  } catch (err) {
    await cognito.stop();
    throw err;
  }
}

/** The `sub` claim of a token this process just received from the issuer (already trusted). */
function subOf(idToken: string): string {
  const payload = JSON.parse(Buffer.from(idToken.split(".")[1] ?? "", "base64url").toString("utf8")) as {
    sub?: unknown;
  };
  if (typeof payload.sub !== "string") throw new Error("cognito-local issued an id token without a sub");
  return payload.sub;
}
