import {
  AuthError,
  type CognitoClient,
  decodeJwtPayload,
  type SignInResult,
  type Tokens,
} from "./cognito-client";

/**
 * Where tokens live (the choice the README documents):
 * - id and access tokens only in memory, so they never touch storage and die with the tab;
 * - the refresh token in localStorage, so a reload or a new tab signs in silently
 *   (REFRESH_TOKEN_AUTH) instead of asking for the password again.
 * The refresh token is readable by script on our origin, so the app never renders HTML from
 * messages (see chat/markdown.tsx) and logout revokes it everywhere with GlobalSignOut.
 */
export const REFRESH_TOKEN_KEY = "serverless-openclaw.refreshToken";

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface SessionUser {
  /** Cognito `sub`. */
  userId: string;
  /** What to show: email, else username. */
  displayName: string;
}

export interface AuthSessionOptions {
  /** Refresh this long before the id token expires. */
  refreshMarginMs?: number;
  now?: () => number;
}

type Listener = () => void;

export class AuthSession {
  private tokens: Tokens | null = null;
  private refreshing: Promise<string> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<Listener>();
  private readonly margin: number;
  private readonly now: () => number;

  constructor(
    private readonly client: CognitoClient,
    private readonly storage: KeyValueStorage,
    options: AuthSessionOptions = {},
  ) {
    this.margin = options.refreshMarginMs ?? 120_000;
    this.now = options.now ?? Date.now;
  }

  get signedIn(): boolean {
    return this.tokens !== null;
  }

  get user(): SessionUser | null {
    if (!this.tokens) return null;
    const claims = decodeJwtPayload(this.tokens.idToken) ?? {};
    const name = claims.email ?? claims["cognito:username"] ?? claims.sub;
    return { userId: String(claims.sub ?? ""), displayName: String(name ?? "") };
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Signs in silently with a stored refresh token. False when there is none or it was revoked. */
  async restore(): Promise<boolean> {
    const refreshToken = this.storage.getItem(REFRESH_TOKEN_KEY);
    if (!refreshToken) return false;
    try {
      this.accept(await this.client.refresh(refreshToken));
      return true;
    } catch (error) {
      if (error instanceof AuthError && error.code !== "NetworkError") this.clear();
      return false;
    }
  }

  async signIn(username: string, password: string): Promise<SignInResult> {
    const result = await this.client.signIn(username.trim(), password);
    if (result.kind === "signed-in") this.accept(result.tokens);
    return result;
  }

  async completeNewPassword(username: string, session: string, newPassword: string): Promise<SignInResult> {
    const result = await this.client.completeNewPassword(username, session, newPassword);
    if (result.kind === "signed-in") this.accept(result.tokens);
    return result;
  }

  async answerMfa(username: string, session: string, code: string): Promise<SignInResult> {
    const result = await this.client.answerMfa(username, session, code);
    if (result.kind === "signed-in") this.accept(result.tokens);
    return result;
  }

  /** The Cognito client, for the account operations Settings offers (two-factor authentication). */
  get cognito(): CognitoClient {
    return this.client;
  }

  /**
   * A valid id token, refreshed first when it expires within the margin. Concurrent callers share
   * one refresh. Throws AuthError("SignedOut") when there is no session any more.
   */
  async getIdToken(): Promise<string> {
    const tokens = this.tokens;
    if (!tokens) throw new AuthError("SignedOut", "Please sign in.");
    if (tokens.expiresAt - this.margin > this.now()) return tokens.idToken;
    return this.refreshNow();
  }

  get accessToken(): string | null {
    return this.tokens?.accessToken ?? null;
  }

  refreshNow(): Promise<string> {
    if (this.refreshing) return this.refreshing;
    const refreshToken = this.tokens?.refreshToken ?? this.storage.getItem(REFRESH_TOKEN_KEY);
    if (!refreshToken) {
      this.clear();
      return Promise.reject(new AuthError("SignedOut", "Your session ended. Please sign in again."));
    }
    this.refreshing = this.client
      .refresh(refreshToken)
      .then((tokens) => {
        this.accept(tokens);
        return tokens.idToken;
      })
      .catch((error: unknown) => {
        // A revoked or expired refresh token ends the session; a network blip does not.
        if (error instanceof AuthError && error.code !== "NetworkError") this.clear();
        throw error;
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  /** Revokes the tokens on every device (best effort) and forgets them here. */
  async signOut(): Promise<void> {
    const access = this.tokens?.accessToken;
    this.clear();
    if (access) await this.client.globalSignOut(access).catch(() => undefined);
  }

  private accept(tokens: Tokens): void {
    this.tokens = tokens;
    if (tokens.refreshToken) this.storage.setItem(REFRESH_TOKEN_KEY, tokens.refreshToken);
    this.schedule();
    this.emit();
  }

  private clear(): void {
    const was = this.tokens !== null;
    this.tokens = null;
    clearTimeout(this.timer);
    this.storage.removeItem(REFRESH_TOKEN_KEY);
    if (was) this.emit();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.tokens) return;
    // Timers are throttled in background tabs, so getIdToken() checks expiry again on use.
    const delay = Math.max(1_000, this.tokens.expiresAt - this.margin - this.now());
    this.timer = setTimeout(() => {
      this.refreshNow().catch(() => undefined);
    }, delay);
  }

  /** Stops the refresh timer. Listeners stay: React's StrictMode re-runs effects on the same session. */
  dispose(): void {
    clearTimeout(this.timer);
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
