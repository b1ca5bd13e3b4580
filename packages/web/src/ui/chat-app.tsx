import type { ServerEvent } from "@serverless-openclaw/shared";
import { useCallback, useMemo, useReducer, useState } from "react";
import { HttpApi } from "../api/http-api";
import { AuthError } from "../auth/cognito-client";
import type { AuthSession } from "../auth/session";
import { activeTurn, type ChatItem, chatReducer, itemKey } from "../chat/chat-store";
import { Composer } from "../chat/composer";
import { ConversationList } from "../chat/conversation-list";
import { MessageList } from "../chat/message-list";
import { useConversations } from "../chat/use-conversations";
import { useHistory } from "../chat/use-history";
import type { WebConfig } from "../config";
import { newId } from "../ids";
import { SchedulesPage } from "../schedules/schedules-page";
import { SettingsPage } from "../settings/settings-page";
import { sessionTwoFactorAccount } from "../settings/two-factor-setting";
import { SkillsApi } from "../skills/skills-api";
import { SkillsPage } from "../skills/skills-page";
import { UsagePage } from "../usage/usage-page";
import { type SocketLike, WsClient } from "../ws/ws-client";
import { StatusBar } from "./status-bar";
import { agentView } from "./status-view";
import { TopBar } from "./top-bar";
import { useAgentSocket } from "./use-agent-socket";
import { useHashRoute } from "./use-hash-route";

export interface ChatAppProps {
  config: WebConfig;
  session: AuthSession;
  fetchImpl?: typeof fetch;
  createSocket?: (url: string) => SocketLike;
}

const browserSocket = (url: string): SocketLike => new WebSocket(url);

/**
 * The signed-in screen. The socket and the agent's status (use-agent-socket.ts), the sidebar's
 * conversations (use-conversations.ts) and the open conversation's history (use-history.ts) each live
 * in a hook; this component ties them to the chat's state and picks the page.
 */
export function ChatApp({ config, session, fetchImpl, createSocket = browserSocket }: ChatAppProps) {
  const api = useMemo(
    () => new HttpApi(config.apiUrl, session, fetchImpl),
    [config.apiUrl, session, fetchImpl],
  );
  const twoFactor = useMemo(() => sessionTwoFactorAccount(session), [session]);
  const skillsApi = useMemo(
    () => new SkillsApi(config.apiUrl, session, fetchImpl),
    [config.apiUrl, session, fetchImpl],
  );
  const client = useMemo(
    () =>
      new WsClient({
        url: config.wsUrl,
        getToken: () => session.getIdToken(),
        createSocket,
        isSignedOutError: (e) => e instanceof AuthError && e.code !== "NetworkError",
        onInvalid: (reason) => console.warn("ignored a server frame:", reason),
      }),
    [config.wsUrl, session, createSocket],
  );
  const [chat, dispatch] = useReducer(chatReducer, {});
  const [route, navigate] = useHashRoute();
  const [banner, setBanner] = useState<string | null>(null);
  const [navOpen, setNavOpen] = useState(false);
  const conversations = useConversations(api, setBanner);
  const reloadConversations = conversations.reload;

  const onServerEvent = useCallback(
    (event: ServerEvent) => {
      if (event.type === "error") return setBanner(event.message);
      dispatch({ type: "server", event });
      if (event.type === "chat.final" || event.type === "chat.error") reloadConversations();
    },
    [reloadConversations],
  );
  const { connection, agent, agentRef, statusFromRequest, restartingSave } = useAgentSocket(
    client,
    onServerEvent,
  );

  const activeId =
    route.page === "chat"
      ? (route.conversationId ??
        [...conversations.conversations].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0]
          ?.conversationId ??
        null)
      : null;
  const view = activeId ? chat[activeId] : undefined;
  const { loadingOlder, loadOlder } = useHistory(api, activeId, view, dispatch, setBanner);

  const send = (text: string) => {
    let conversationId = activeId;
    if (!conversationId) {
      conversationId = newId();
      navigate({ page: "chat", conversationId });
    }
    conversations.noteSent(conversationId, text);
    const clientMessageId = newId();
    const running = agentRef.current?.state === "Running" && client.connectionState.status === "open";
    dispatch({
      type: "local-send",
      conversationId,
      clientMessageId,
      text,
      createdAt: new Date().toISOString(),
      agentRunning: running,
    });
    client.sendChat({ conversationId, clientMessageId, text });
  };

  const retry = (item: ChatItem) => {
    const question = view?.items.find((i) => i.key === itemKey("user", item.clientMessageId));
    if (!question || !activeId) return;
    dispatch({ type: "mark-retried", conversationId: activeId, clientMessageId: item.clientMessageId });
    send(question.text);
  };

  const turn = activeTurn(view);
  const stop = () => {
    if (!turn || !activeId) return;
    client.cancel(turn.clientMessageId);
    dispatch({ type: "local-stop", conversationId: activeId, clientMessageId: turn.clientMessageId });
  };

  const typing = () => {
    const state = agentRef.current?.state;
    if (state === "Idle" || state === undefined) client.wake();
  };

  const newConversation = async () => {
    const conversationId = await conversations.create();
    if (!conversationId) return;
    dispatch({ type: "history", page: { conversationId, messages: [] }, older: false });
    navigate({ page: "chat", conversationId });
    setNavOpen(false);
  };

  const remove = async (conversationId: string) => {
    if (!(await conversations.remove(conversationId))) return;
    dispatch({ type: "forget", conversationId });
    if (conversationId === activeId) navigate({ page: "chat", conversationId: null });
  };

  return (
    <div className="app">
      <TopBar
        route={route}
        activeId={activeId}
        navOpen={navOpen}
        onToggleNav={() => setNavOpen((o) => !o)}
        session={session}
        api={api}
      />
      <StatusBar agent={agent} connection={connection} onReconnect={() => client.reconnectNow()} />
      {banner && (
        <div className="banner" role="alert" data-testid="banner">
          {banner}
          <button type="button" className="link-button" onClick={() => setBanner(null)}>
            Dismiss
          </button>
        </div>
      )}
      <div className="layout">
        <aside className={navOpen ? "sidebar open" : "sidebar"}>
          <ConversationList
            conversations={conversations.conversations}
            activeId={activeId}
            onSelect={(conversationId) => {
              navigate({ page: "chat", conversationId });
              setNavOpen(false);
            }}
            onNew={() => void newConversation()}
            onRename={(id, title) => void conversations.rename(id, title)}
            onDelete={(id) => void remove(id)}
          />
        </aside>
        {route.page === "schedules" ? (
          <SchedulesPage
            api={api}
            telegramAvailable={Boolean(config.telegramBotUsername)}
            onOpenConversation={(conversationId) => {
              reloadConversations();
              navigate({ page: "chat", conversationId });
            }}
          />
        ) : route.page === "usage" ? (
          <UsagePage api={api} />
        ) : route.page === "skills" ? (
          <SkillsPage api={skillsApi} />
        ) : route.page === "settings" ? (
          <SettingsPage
            api={api}
            telegramBotUsername={config.telegramBotUsername}
            {...(config.chatChannels ? { chatChannels: config.chatChannels } : {})}
            onAgentStatus={statusFromRequest}
            onRestartingSave={restartingSave}
            account={twoFactor}
          />
        ) : (
          <main className="chat">
            <MessageList
              items={view?.items ?? []}
              loaded={view?.loaded ?? !activeId}
              hasOlder={Boolean(view?.cursor)}
              loadingOlder={loadingOlder}
              onLoadOlder={loadOlder}
              onRetry={retry}
              view={agentView(agent, connection)}
            />
            <Composer onSend={send} onTyping={typing} onStop={turn ? stop : undefined} />
          </main>
        )}
      </div>
    </div>
  );
}
