import { CognitoError } from "./cognito-errors";

const MIN_PASSWORD_CHARS = 8;

/** The local pool's password policy, refused with Cognito's own error and message. */
export function checkPasswordPolicy(password: string): void {
  if (password.length < MIN_PASSWORD_CHARS) {
    throw new CognitoError(
      "InvalidPasswordException",
      `Password did not conform with policy: Password not long enough (at least ${MIN_PASSWORD_CHARS} characters)`,
    );
  }
}
