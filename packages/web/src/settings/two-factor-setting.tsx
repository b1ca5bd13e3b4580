import { type FormEvent, useEffect, useState } from "react";
import type { AuthSession } from "../auth/session";

/** The account operations this section needs (Cognito's, with the signed-in user's access token). */
export interface TwoFactorAccount {
  /** Shown in the authenticator app next to the codes. */
  readonly label: string;
  enabled(): Promise<boolean>;
  /** Starts adding an app; returns the base32 secret. */
  associate(): Promise<string>;
  verify(code: string): Promise<void>;
  setEnabled(enabled: boolean): Promise<void>;
}

/** The signed-in user's account, through the session (which refreshes the access token first). */
export function sessionTwoFactorAccount(session: AuthSession): TwoFactorAccount {
  const token = async () => {
    await session.getIdToken();
    const access = session.accessToken;
    if (!access) throw new Error("Please sign in again.");
    return access;
  };
  return {
    label: session.user?.displayName ?? "account",
    enabled: async () => session.cognito.totpEnabled(await token()),
    associate: async () => session.cognito.associateSoftwareToken(await token()),
    verify: async (code) => session.cognito.verifySoftwareToken(await token(), code),
    setEnabled: async (enabled) => session.cognito.setTotpEnabled(await token(), enabled),
  };
}

/** The `otpauth://` URI authenticator apps import (a tap on a phone, or pasted into a desktop app). */
export function otpauthUri(label: string, secret: string, issuer = "OpenClaw"): string {
  const name = encodeURIComponent(`${issuer}:${label}`);
  return `otpauth://totp/${name}?secret=${secret}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=6&period=30`;
}

type State =
  | { kind: "loading" }
  | { kind: "off" }
  | { kind: "setup"; secret: string }
  | { kind: "on" }
  | { kind: "unavailable"; message: string };

/**
 * Settings → Two-factor authentication: add an authenticator app (TOTP; the pool offers no SMS),
 * confirm it with a code, and turn the code step of sign-in on or off.
 */
export function TwoFactorSetting({ account }: { account: TwoFactorAccount }) {
  const [state, setState] = useState<State>({ kind: "loading" });
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    account.enabled().then(
      (on) => setState({ kind: on ? "on" : "off" }),
      (e: Error) => setState({ kind: "unavailable", message: e.message }),
    );
  }, [account]);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setNote(null);
    try {
      await work();
    } catch (e) {
      setNote({ ok: false, text: e instanceof Error ? e.message : "That did not work. Try again." });
    } finally {
      setBusy(false);
    }
  };

  const verify = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const code = String(new FormData(e.currentTarget).get("code") ?? "");
    void run(async () => {
      await account.verify(code);
      await account.setEnabled(true);
      setState({ kind: "on" });
      setNote({
        ok: true,
        text: "Two-factor authentication is on. Sign-in now asks for a code from the app.",
      });
    });
  };

  return (
    <section aria-labelledby="two-factor-title" data-testid="two-factor">
      <h2 id="two-factor-title">Two-factor authentication</h2>
      {state.kind === "loading" && <p>Loading…</p>}
      {state.kind === "unavailable" && (
        <p className="form-error" role="alert">
          {state.message}
        </p>
      )}
      {state.kind === "off" && (
        <>
          <p data-testid="two-factor-state">
            Off. Turn it on to be asked for a code from an authenticator app (any TOTP app) after your
            password.
          </p>
          <button
            type="button"
            disabled={busy}
            data-testid="two-factor-setup"
            onClick={() =>
              void run(async () => setState({ kind: "setup", secret: await account.associate() }))
            }
          >
            Set up an authenticator app
          </button>
        </>
      )}
      {state.kind === "setup" && (
        <form onSubmit={verify} data-testid="two-factor-verify-form">
          <p>
            Add this account to your authenticator app: open the link on the device that has the app, or type
            the key in by hand. Then enter the code the app shows.
          </p>
          <p>
            Key: <code data-testid="two-factor-secret">{state.secret.replace(/(.{4})/g, "$1 ").trim()}</code>
          </p>
          <p>
            <a href={otpauthUri(account.label, state.secret)} data-testid="two-factor-uri">
              {otpauthUri(account.label, state.secret)}
            </a>
          </p>
          <div className="field">
            <label htmlFor="two-factor-code">Code from the app</label>
            <input
              id="two-factor-code"
              name="code"
              autoComplete="one-time-code"
              inputMode="numeric"
              required
              data-testid="two-factor-code"
            />
          </div>
          <button type="submit" className="primary" disabled={busy} data-testid="two-factor-verify">
            Verify and turn on
          </button>{" "}
          <button type="button" disabled={busy} onClick={() => setState({ kind: "off" })}>
            Cancel
          </button>
        </form>
      )}
      {state.kind === "on" && (
        <>
          <p data-testid="two-factor-state">On: sign-in asks for a code from your authenticator app.</p>
          <button
            type="button"
            disabled={busy}
            data-testid="two-factor-disable"
            onClick={() =>
              void run(async () => {
                await account.setEnabled(false);
                setState({ kind: "off" });
                setNote({ ok: true, text: "Two-factor authentication is off." });
              })
            }
          >
            Turn off
          </button>
        </>
      )}
      {note && (
        <p
          className={note.ok ? "notice" : "form-error"}
          role={note.ok ? "status" : "alert"}
          data-testid="two-factor-result"
        >
          {note.text}
        </p>
      )}
    </section>
  );
}
