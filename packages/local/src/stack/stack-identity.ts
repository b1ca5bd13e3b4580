import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { Redactor } from "@serverless-openclaw/shared";
import {
  type AuthenticationResult,
  ensureInitialUser,
  type InitialLogin,
  LocalIdentity,
} from "../identity/local-identity";
import { type StandinIdentity, startStandinIdentity } from "../identity/standin-identity";
import type { LocalEnv } from "../support/local-env";
import type { LocalLogger } from "../support/local-logger";
import type { Cleanups } from "./cleanups";

/** Who signs users in for this stack: the embedded issuer, or cognito-local with `--aws-standins`. */
export interface StackIdentity {
  identity: LocalIdentity;
  initialLogin: InitialLogin;
  userPoolId: string;
  clientId: string;
  jwks: unknown;
  /** Set with the stand-ins; the embedded issuer answers at the server's own `/cognito/`. */
  cognitoEndpoint?: string;
  /** The `sub` of the first user, for seeding its settings. */
  firstUserSub?: string;
  login(username: string, password: string): Promise<AuthenticationResult>;
}

export async function openStackIdentity(options: {
  dataDir: string;
  env: LocalEnv;
  awsStandins: boolean;
  logger: LocalLogger & { redactor: Redactor };
  print: (line: string) => void;
  cleanups: Cleanups;
}): Promise<StackIdentity> {
  const { env, logger, print } = options;
  const dir = join(options.dataDir, "identity");
  const identity = await LocalIdentity.open({ dir, notify: print });
  const initialLogin = await ensureInitialUser(identity, dir, env);
  logger.redactor.add(initialLogin.password, env.LOCAL_PASSWORD);
  // With --aws-standins, sign-in goes through cognito-local instead (same user name and password).
  const standin = options.awsStandins
    ? await openStandinIdentity(initialLogin, env, logger, print)
    : undefined;
  if (standin) options.cleanups.push(standin.stop);
  return {
    identity,
    initialLogin,
    userPoolId: standin?.userPoolId ?? identity.userPoolId,
    clientId: standin?.clientId ?? identity.clientId,
    jwks: standin?.jwks ?? identity.jwks(),
    ...(standin ? { cognitoEndpoint: standin.cognitoEndpoint } : {}),
    firstUserSub: standin?.firstUserSub ?? identity.users.get(initialLogin.username)?.sub,
    login: (username, password) =>
      standin ? standin.login(username, password) : identity.login(username, password),
  };
}

/** cognito-local seeded with the initial user; a password this run does not know is replaced and shown. */
async function openStandinIdentity(
  initialLogin: InitialLogin,
  env: LocalEnv,
  logger: LocalLogger & { redactor: Redactor },
  print: (line: string) => void,
): Promise<StandinIdentity> {
  const known = initialLogin.password ?? env.LOCAL_PASSWORD;
  const password = known ?? `Aa1-${randomBytes(12).toString("base64url")}`;
  logger.redactor.add(password);
  const standin = await startStandinIdentity({ username: initialLogin.username, password, logger });
  if (!known) print(`cognito-local login (--aws-standins): ${initialLogin.username} / ${password}`);
  return standin;
}
