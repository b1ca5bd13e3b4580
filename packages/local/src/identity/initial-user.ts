import { randomBytes } from "node:crypto";
import { join } from "node:path";
import * as z from "zod";
import { LocalSetupError } from "../support/errors";
import type { LocalUser } from "./identity-users";
import { readJsonFile, writeJsonFile } from "./json-file";
import type { LocalIdentity } from "./local-identity";
import { verifyPassword } from "./password-hash";
import { checkPasswordPolicy } from "./password-policy";

export interface InitialLogin {
  username: string;
  /** Present when the password was generated here (shown once, and again with --show-login). */
  password?: string;
  source: "generated" | "env" | "existing";
}

/**
 * Makes sure someone can log in on first run: LOCAL_USER / LOCAL_PASSWORD when given, else a generated
 * user whose password is saved (0600) so `--show-login` can print it again.
 */
export async function ensureInitialUser(
  identity: LocalIdentity,
  dir: string,
  env: { LOCAL_USER?: string; LOCAL_PASSWORD?: string },
): Promise<InitialLogin> {
  const savedPath = join(dir, "initial-login.json");
  if (env.LOCAL_USER && env.LOCAL_PASSWORD) {
    const existing = identity.users.get(env.LOCAL_USER);
    if (!existing) {
      try {
        checkPasswordPolicy(env.LOCAL_PASSWORD);
      } catch (error) {
        // A setting the person fixes: the CLI prints this alone, not a stack trace.
        throw new LocalSetupError(
          `LOCAL_PASSWORD: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      await identity.users.create({ username: env.LOCAL_USER, password: env.LOCAL_PASSWORD });
    } else {
      await backfillSrp(identity, existing, env.LOCAL_PASSWORD);
    }
    return { username: env.LOCAL_USER, source: "env" };
  }
  const saved = z
    .object({ username: z.string(), password: z.string() })
    .optional()
    .parse(await readJsonFile(savedPath));
  const savedUser = saved && identity.users.get(saved.username);
  if (saved && savedUser) {
    await backfillSrp(identity, savedUser, saved.password);
    return { ...saved, source: "existing" };
  }
  if (identity.users.count() > 0) {
    return { username: identity.users.names()[0] ?? "", source: "existing" };
  }
  const username = env.LOCAL_USER ?? "me";
  const password = randomBytes(12).toString("base64url");
  await identity.users.create({ username, password });
  await writeJsonFile(savedPath, { username, password });
  return { username, password, source: "generated" };
}

/** A data dir from before SRP sign-in: give the user whose password we know its verifier. */
async function backfillSrp(identity: LocalIdentity, user: LocalUser, password: string): Promise<void> {
  if (!user.srp && (await verifyPassword(password, user.passwordHash))) {
    await identity.withSrpVerifier(user, password);
  }
}
