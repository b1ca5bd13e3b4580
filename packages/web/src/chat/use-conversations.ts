import type { ConversationMeta } from "@serverless-openclaw/shared";
import { conversationTitle, UNTITLED_TITLE } from "@serverless-openclaw/shared";
import { useCallback, useEffect, useState } from "react";
import type { HttpApi } from "../api/http-api";
import { newId } from "../ids";

/**
 * The sidebar's conversations: loaded over HTTP, reloaded after each finished turn, and changed at once
 * on screen when the user sends, creates, renames or deletes (the gateway stores the same).
 */
export function useConversations(api: HttpApi, showError: (message: string) => void) {
  const [conversations, setConversations] = useState<ConversationMeta[]>([]);

  const reload = useCallback(() => {
    api.listConversations().then(setConversations, (e: Error) => showError(e.message));
  }, [api, showError]);

  useEffect(reload, [reload]);

  /** A message sent in `conversationId`: it moves up, and a new or empty one takes the text as title. */
  const noteSent = (conversationId: string, text: string) => {
    const now = new Date().toISOString();
    const title = conversationTitle(text);
    if (!conversations.some((c) => c.conversationId === conversationId)) {
      setConversations((list) => [
        ...list,
        { conversationId, title, channel: "web", createdAt: now, updatedAt: now },
      ]);
    } else {
      // A conversation made empty ("New conversation") takes its first message as title, as the
      // gateway stores it: the sidebar shows it at once, not after a reload.
      setConversations((list) =>
        list.map((c) =>
          c.conversationId === conversationId
            ? { ...c, updatedAt: now, ...(c.title === UNTITLED_TITLE ? { title } : {}) }
            : c,
        ),
      );
    }
  };

  /** Creates an empty conversation; its id, or undefined when the gateway refused (shown as an error). */
  const create = async (): Promise<string | undefined> => {
    const conversationId = newId();
    try {
      const meta = await api.createConversation(conversationId);
      setConversations((list) => [...list.filter((c) => c.conversationId !== conversationId), meta]);
      return conversationId;
    } catch (e) {
      showError(e instanceof Error ? e.message : "Could not create a conversation.");
      return undefined;
    }
  };

  const rename = async (conversationId: string, title: string) => {
    try {
      await api.renameConversation(conversationId, title);
      setConversations((list) =>
        list.map((c) => (c.conversationId === conversationId ? { ...c, title } : c)),
      );
    } catch (e) {
      showError(e instanceof Error ? e.message : "Could not rename.");
    }
  };

  /** Deletes a conversation; true once the gateway did. */
  const remove = async (conversationId: string): Promise<boolean> => {
    try {
      await api.deleteConversation(conversationId);
      setConversations((list) => list.filter((c) => c.conversationId !== conversationId));
      return true;
    } catch (e) {
      showError(e instanceof Error ? e.message : "Could not delete.");
      return false;
    }
  };

  return { conversations, reload, noteSent, create, rename, remove };
}
