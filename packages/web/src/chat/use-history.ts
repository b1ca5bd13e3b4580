import { LIMITS } from "@serverless-openclaw/shared";
import { type Dispatch, useEffect, useState } from "react";
import { ApiCallError, type HttpApi } from "../api/http-api";
import type { ChatAction, ConversationView } from "./chat-store";

/**
 * A conversation's history over HTTP (so it shows even while the socket reconnects): the newest page
 * when it is opened, older pages on scroll.
 */
export function useHistory(
  api: HttpApi,
  activeId: string | null,
  view: ConversationView | undefined,
  dispatch: Dispatch<ChatAction>,
  showError: (message: string) => void,
) {
  const [loadingOlder, setLoadingOlder] = useState(false);

  useEffect(() => {
    if (!activeId || view?.loaded) return;
    let cancelled = false;
    api.getMessages(activeId, undefined, LIMITS.historyPageDefault).then(
      (page) => !cancelled && dispatch({ type: "history", page, older: false }),
      (e: unknown) => {
        if (cancelled) return;
        if (e instanceof ApiCallError && e.status === 404) {
          dispatch({ type: "history", page: { conversationId: activeId, messages: [] }, older: false });
        } else showError(e instanceof Error ? e.message : "Could not load messages.");
      },
    );
    return () => {
      cancelled = true;
    };
  }, [activeId, view?.loaded, api, dispatch, showError]);

  const loadOlder = () => {
    if (!activeId || !view?.cursor || loadingOlder) return;
    setLoadingOlder(true);
    api
      .getMessages(activeId, view.cursor, LIMITS.historyPageDefault)
      .then(
        (page) => dispatch({ type: "history", page, older: true }),
        (e: Error) => showError(e.message),
      )
      .finally(() => setLoadingOlder(false));
  };

  return { loadingOlder, loadOlder };
}
