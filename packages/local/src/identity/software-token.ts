import type * as z from "zod";
import { CognitoError, invalidParameter } from "./cognito-errors";
import type { SetMfaPreferenceSchema } from "./cognito-schemas";
import type { LocalUser, UserDirectory } from "./identity-users";
import { newTotpSecret, totpStep } from "./totp";

/**
 * Cognito's authenticator-app (TOTP) operations for a signed-in user: AssociateSoftwareToken,
 * VerifySoftwareToken, SetUserMFAPreference. The pool offers TOTP only (no SMS, no e-mail codes), as
 * the deployed pool does.
 */
export async function associateSoftwareToken(
  users: UserDirectory,
  user: LocalUser,
): Promise<{ SecretCode: string }> {
  const secret = newTotpSecret();
  // Pending until a code from it is verified: an enabled authenticator keeps working meanwhile.
  await users.update({ ...user, totpPending: secret });
  return { SecretCode: secret };
}

export async function verifySoftwareToken(
  users: UserDirectory,
  user: LocalUser,
  code: string,
): Promise<{ Status: "SUCCESS" }> {
  const secret = user.totpPending;
  if (!secret) {
    throw invalidParameter("No software token is being associated: call AssociateSoftwareToken first.");
  }
  const step = totpStep(secret, code.trim(), Date.now());
  if (step === undefined) {
    throw new CognitoError(
      "EnableSoftwareTokenMFAException",
      "Code mismatch and fail enable Software Token MFA",
    );
  }
  await users.update({
    ...user,
    totpPending: undefined,
    totp: { secret, verified: true, enabled: user.totp?.enabled ?? false, lastStep: step },
  });
  return { Status: "SUCCESS" };
}

export async function setUserMfaPreference(
  users: UserDirectory,
  user: LocalUser,
  input: z.infer<typeof SetMfaPreferenceSchema>,
): Promise<Record<string, never>> {
  if (input.SMSMfaSettings?.Enabled || input.EmailMfaSettings?.Enabled) {
    throw invalidParameter("Only software token (authenticator app) MFA is enabled for this user pool.");
  }
  const enabled = input.SoftwareTokenMfaSettings?.Enabled;
  if (enabled === undefined) return {};
  if (enabled && !user.totp?.verified) throw invalidParameter("User has not verified software token mfa");
  if (user.totp) await users.update({ ...user, totp: { ...user.totp, enabled } });
  return {};
}
