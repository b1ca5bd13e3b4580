import { lazy, Suspense, useEffect, useMemo, useState, useSyncExternalStore } from "react";
import { AuthScreens } from "./auth/auth-screens";
import { CognitoClient } from "./auth/cognito-client";
import { AuthSession, type KeyValueStorage, REFRESH_TOKEN_KEY } from "./auth/session";
import type { WebConfig } from "./config";
import type { SocketLike } from "./ws/ws-client";

// The chat (with zod, the protocol schemas and the socket client) is its own chunk, so the
// sign-in screen paints from a smaller first download. It is fetched as soon as we know a
// session may exist, in parallel with the silent sign-in.
const loadChat = () => import("./ui/chat-app");
const ChatApp = lazy(() => loadChat().then((m) => ({ default: m.ChatApp })));

export interface AppProps {
  config: WebConfig;
  storage?: KeyValueStorage;
  fetchImpl?: typeof fetch;
  createSocket?: (url: string) => SocketLike;
}

/** Signed out → auth screens; signed in → the chat. A stored refresh token signs in silently. */
export function App({ config, storage = window.localStorage, fetchImpl, createSocket }: AppProps) {
  const cognito = useMemo(
    () =>
      new CognitoClient(
        config.cognitoEndpoint,
        config.userPoolClientId,
        fetchImpl,
        Date.now,
        // SRP unless the issuer lacks it (cognito-local behind --aws-standins says so in its config).
        config.passwordFlow === "USER_PASSWORD_AUTH" ? undefined : { userPoolId: config.userPoolId },
      ),
    [config, fetchImpl],
  );
  const session = useMemo(() => new AuthSession(cognito, storage), [cognito, storage]);
  const signedIn = useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => session.signedIn,
  );
  const [restoring, setRestoring] = useState(true);
  useEffect(() => {
    if (storage.getItem(REFRESH_TOKEN_KEY)) void loadChat();
    session.restore().finally(() => setRestoring(false));
    return () => session.dispose();
  }, [session, storage]);

  if (restoring && !signedIn) return <p className="splash">Loading…</p>;
  if (!signedIn) return <AuthScreens session={session} cognito={cognito} selfSignUp={config.selfSignUp} />;
  return (
    <Suspense fallback={<p className="splash">Loading…</p>}>
      <ChatApp config={config} session={session} fetchImpl={fetchImpl} createSocket={createSocket} />
    </Suspense>
  );
}
