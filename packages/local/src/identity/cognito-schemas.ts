import * as z from "zod";

/** The request shapes of the Cognito IdP operations local mode answers (strings capped: 2 KB each). */
const str = z.string().max(2048);
export const InitiateAuthSchema = z.object({
  AuthFlow: str,
  ClientId: str,
  AuthParameters: z.record(z.string(), str).default({}),
});
export const RespondSchema = z.object({
  ChallengeName: str,
  ClientId: str,
  // Optional for PASSWORD_VERIFIER, which some SRP clients answer by its secret block alone.
  Session: str.optional(),
  ChallengeResponses: z.record(z.string(), str).default({}),
});
export const AssociateSchema = z.object({ AccessToken: str });
export const VerifySoftwareTokenSchema = z.object({
  AccessToken: str,
  UserCode: str,
  FriendlyDeviceName: str.optional(),
});
const MfaSettingSchema = z.object({ Enabled: z.boolean().optional(), PreferredMfa: z.boolean().optional() });
export const SetMfaPreferenceSchema = z.object({
  AccessToken: str,
  SoftwareTokenMfaSettings: MfaSettingSchema.optional(),
  SMSMfaSettings: MfaSettingSchema.optional(),
  EmailMfaSettings: MfaSettingSchema.optional(),
});
export const ForgotSchema = z.object({ ClientId: str, Username: str });
export const ConfirmForgotSchema = z.object({
  ClientId: str,
  Username: str,
  ConfirmationCode: str,
  Password: str,
});
export const AccessTokenSchema = z.object({ AccessToken: str });
export const ChangePasswordSchema = z.object({
  AccessToken: str,
  PreviousPassword: str,
  ProposedPassword: str,
});
