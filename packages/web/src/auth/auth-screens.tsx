import { type FormEvent, type ReactNode, useState } from "react";
import { AuthError, type CognitoClient } from "./cognito-client";
import type { AuthSession } from "./session";

type Mode =
  | { kind: "sign-in" }
  | { kind: "new-password"; username: string; session: string }
  | { kind: "mfa"; username: string; session: string }
  | { kind: "forgot" }
  | { kind: "forgot-confirm"; username: string; destination?: string }
  | { kind: "sign-up" }
  | { kind: "sign-up-confirm"; username: string };

export interface AuthScreensProps {
  session: AuthSession;
  cognito: CognitoClient;
  selfSignUp: boolean;
}

/**
 * Sign-in (then the authenticator code when two-factor authentication is on), first-login new password,
 * forgot password, and (when the deployment allows) sign-up.
 */
export function AuthScreens({ session, cognito, selfSignUp }: AuthScreensProps) {
  const [mode, setMode] = useState<Mode>({ kind: "sign-in" });
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(e instanceof AuthError ? e.message : "Something went wrong. Try again.");
    } finally {
      setBusy(false);
    }
  };
  const go = (next: Mode, message: string | null = null) => {
    setMode(next);
    setError(null);
    setNotice(message);
  };

  const form = (
    testId: string,
    title: string,
    onSubmit: (data: FormData) => Promise<void>,
    body: ReactNode,
  ) => (
    <form
      className="auth-card"
      data-testid={testId}
      aria-labelledby={`${testId}-title`}
      onSubmit={(e: FormEvent<HTMLFormElement>) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget);
        void run(() => onSubmit(data));
      }}
    >
      <h1 id={`${testId}-title`}>{title}</h1>
      {notice && (
        <p className="notice" data-testid="auth-notice">
          {notice}
        </p>
      )}
      {error && (
        <p className="form-error" role="alert" data-testid="auth-error">
          {error}
        </p>
      )}
      {body}
    </form>
  );

  const str = (data: FormData, name: string) => String(data.get(name) ?? "");
  const submit = (label: string) => (
    <button type="submit" className="primary" disabled={busy} data-testid="auth-submit">
      {busy ? "Please wait…" : label}
    </button>
  );

  let content: ReactNode;
  switch (mode.kind) {
    case "sign-in":
      content = form(
        "login-form",
        "Sign in to your agent",
        async (data) => {
          const result = await session.signIn(str(data, "username"), str(data, "password"));
          if (result.kind === "new-password-required")
            go(
              { kind: "new-password", username: result.username, session: result.session },
              "Choose a new password to finish signing in.",
            );
          if (result.kind === "mfa-required")
            go({ kind: "mfa", username: result.username, session: result.session });
        },
        <>
          <Field label="Email or username" name="username" autoComplete="username" testId="login-username" />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            testId="login-password"
          />
          {submit("Sign in")}
          <div className="auth-links">
            <button type="button" className="link-button" onClick={() => go({ kind: "forgot" })}>
              Forgot password?
            </button>
            {selfSignUp && (
              <button type="button" className="link-button" onClick={() => go({ kind: "sign-up" })}>
                Create an account
              </button>
            )}
          </div>
        </>,
      );
      break;
    case "new-password":
      content = form(
        "new-password-form",
        "Set a new password",
        async (data) => {
          const password = str(data, "password");
          if (password !== str(data, "confirm")) throw new AuthError("Mismatch", "The two passwords differ.");
          const result = await session.completeNewPassword(mode.username, mode.session, password);
          if (result.kind === "mfa-required")
            go({ kind: "mfa", username: result.username, session: result.session });
          else if (result.kind !== "signed-in") throw new AuthError("Challenge", "Please sign in again.");
        },
        <>
          <Field
            label="New password"
            name="password"
            type="password"
            autoComplete="new-password"
            testId="new-password"
          />
          <Field
            label="Repeat new password"
            name="confirm"
            type="password"
            autoComplete="new-password"
            testId="new-password-confirm"
          />
          {submit("Set password and sign in")}
        </>,
      );
      break;
    case "mfa":
      content = form(
        "mfa-form",
        "Enter your authenticator code",
        async (data) => {
          try {
            const result = await session.answerMfa(mode.username, mode.session, str(data, "code"));
            if (result.kind !== "signed-in") throw new AuthError("Challenge", "Please sign in again.");
          } catch (e) {
            // Cognito ends the sign-in after a few wrong codes: start again from the password.
            if (e instanceof AuthError && e.code === "NotAuthorizedException") {
              go({ kind: "sign-in" }, "Too many wrong codes or the sign-in timed out. Sign in again.");
              return;
            }
            throw e;
          }
        },
        <>
          <p className="hint">
            Open your authenticator app and enter the 6-digit code it shows for this account.
          </p>
          <Field
            label="Code"
            name="code"
            autoComplete="one-time-code"
            testId="mfa-code"
            inputMode="numeric"
          />
          {submit("Verify")}
          <BackToSignIn onClick={() => go({ kind: "sign-in" })} />
        </>,
      );
      break;
    case "forgot":
      content = form(
        "forgot-form",
        "Reset your password",
        async (data) => {
          const username = str(data, "username").trim();
          const destination = await cognito.forgotPassword(username);
          go(
            { kind: "forgot-confirm", username, destination },
            destination ? `We sent a code to ${destination}.` : "We sent you a code.",
          );
        },
        <>
          <Field label="Email or username" name="username" autoComplete="username" testId="forgot-username" />
          {submit("Send code")}
          <BackToSignIn onClick={() => go({ kind: "sign-in" })} />
        </>,
      );
      break;
    case "forgot-confirm":
      content = form(
        "forgot-confirm-form",
        "Choose a new password",
        async (data) => {
          await cognito.confirmForgotPassword(mode.username, str(data, "code").trim(), str(data, "password"));
          go({ kind: "sign-in" }, "Password changed. Sign in with the new password.");
        },
        <>
          <Field
            label="Code"
            name="code"
            autoComplete="one-time-code"
            testId="forgot-code"
            inputMode="numeric"
          />
          <Field
            label="New password"
            name="password"
            type="password"
            autoComplete="new-password"
            testId="forgot-password"
          />
          {submit("Change password")}
          <BackToSignIn onClick={() => go({ kind: "sign-in" })} />
        </>,
      );
      break;
    case "sign-up":
      content = form(
        "sign-up-form",
        "Create an account",
        async (data) => {
          const email = str(data, "email").trim();
          const { confirmed } = await cognito.signUp(email, str(data, "password"));
          if (confirmed) go({ kind: "sign-in" }, "Account created. Sign in.");
          else go({ kind: "sign-up-confirm", username: email }, "We sent a code to your email.");
        },
        <>
          <Field label="Email" name="email" type="email" autoComplete="email" testId="sign-up-email" />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="new-password"
            testId="sign-up-password"
          />
          {submit("Create account")}
          <BackToSignIn onClick={() => go({ kind: "sign-in" })} />
        </>,
      );
      break;
    case "sign-up-confirm":
      content = form(
        "sign-up-confirm-form",
        "Confirm your email",
        async (data) => {
          await cognito.confirmSignUp(mode.username, str(data, "code").trim());
          go({ kind: "sign-in" }, "Email confirmed. Sign in.");
        },
        <>
          <Field
            label="Code"
            name="code"
            autoComplete="one-time-code"
            testId="sign-up-code"
            inputMode="numeric"
          />
          {submit("Confirm")}
          <BackToSignIn onClick={() => go({ kind: "sign-in" })} />
        </>,
      );
      break;
  }
  return <main className="auth-page">{content}</main>;
}

function Field(props: {
  label: string;
  name: string;
  type?: string;
  autoComplete: string;
  testId: string;
  inputMode?: "numeric";
}) {
  const id = `f-${props.testId}`;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        autoComplete={props.autoComplete}
        inputMode={props.inputMode}
        required
        data-testid={props.testId}
      />
    </div>
  );
}

function BackToSignIn({ onClick }: { onClick: () => void }) {
  return (
    <div className="auth-links">
      <button type="button" className="link-button" onClick={onClick}>
        Back to sign in
      </button>
    </div>
  );
}
