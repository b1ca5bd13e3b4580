import type { AgentStatusEvent, ConversationMeta, ServerEvent } from "@serverless-openclaw/shared";
import { conversationTitle, LIMITS, UNTITLED_TITLE } from "@serverless-openclaw/shared";
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";
import { ApiCallError, HttpApi } from "../api/http-api";
import { AuthError } from "../auth/cognito-client";
import type { AuthSession } from "../auth/session";
import { activeTurn, type ChatItem, chatReducer, itemKey } from "../chat/chat-store";
import { Composer } from "../chat/composer";
import { ConversationList } from "../chat/conversation-list";
import { MessageList } from "../chat/message-list";
import type { WebConfig } from "../config";
import { newId } from "../ids";
import { SchedulesPage } from "../schedules/schedules-page";
import { SettingsPage } from "../settings/settings-page";
import { SkillsApi } from "../skills/skills-api";
import { SkillsPage } from "../skills/skills-page";
import { UsagePage } from "../usage/usage-page";
import { type ConnectionState, type SocketLike, WsClient } from "../ws/ws-client";
import { StatusBar } from "./status-bar";
import { agentView } from "./status-view";
import { useHashRoute } from "./use-hash-route";

export interface ChatAppProps {
  config: WebConfig;
  session: AuthSession;
  fetchImpl?: typeof fetch;
  createSocket?: (url: string) => SocketLike;
}

const browserSocket = (url: string): SocketLike => new WebSocket(url);

export function ChatApp({ config, session, fetchImpl, createSocket = browserSocket }: ChatAppProps) {
  const api = useMemo(
    () => new HttpApi(config.apiUrl, session, fetchImpl),
    [config.apiUrl, session, fetchImpl],
  );
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
  const [connection, setConnection] = useState<ConnectionState>(client.connectionState);
  const [agent, setAgent] = useState<AgentStatusEvent | null>(null);
  const [chat, dispatch] = useReducer(chatReducer, {});
  const [conversations, setConversations] = useState<ConversationMeta[]>([]);
  const [route, navigate] = useHashRoute();
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [banner, setBanner] = useState<string | null>(null);
  const [navOpen, setNavOpen] = useState(false);
  const agentRef = useRef<AgentStatusEvent | null>(null);
  const prewarmed = useRef(false);

  const reloadConversations = useCallback(() => {
    api.listConversations().then(setConversations, (e: Error) => setBanner(e.message));
  }, [api]);

  // The socket lives as long as this screen; browser network and visibility events steer it.
  useEffect(() => {
    const offState = client.onStateChange(setConnection);
    const offEvent = client.onEvent((event: ServerEvent) => {
      if (event.type === "agent.status") {
        // The task's own start-up step pushes carry no estimate: keep the gateway's for this start.
        const prev = agentRef.current;
        const status =
          event.state === "Starting" && event.typicalWakeSeconds === undefined && prev?.state === "Starting"
            ? {
                ...event,
                ...(prev.typicalWakeSeconds ? { typicalWakeSeconds: prev.typicalWakeSeconds } : {}),
              }
            : event;
        agentRef.current = status;
        setAgent(status);
        // Pre-warm on the first status after the page opens: the agent is often up by the time the
        // first message is typed. Only then: an Idle that follows a stop must not restart it.
        if (!prewarmed.current) {
          prewarmed.current = true;
          if (status.state === "Idle") client.wake();
        } else if (event.state === "Idle" && event.idleReason === "settings-changed") {
          // It stopped only to take the settings just saved: start it with them now, while the user
          // is here, rather than at their next message (every open tab asks; one start happens).
          client.wake(true);
        }
        return;
      }
      if (event.type === "error") return setBanner(event.message);
      dispatch({ type: "server", event });
      if (event.type === "chat.final" || event.type === "chat.error") reloadConversations();
    });
    const online = () => client.reconnectNow();
    const offline = () => client.networkLost();
    const visible = () => document.visibilityState === "visible" && client.checkAlive();
    window.addEventListener("online", online);
    window.addEventListener("offline", offline);
    document.addEventListener("visibilitychange", visible);
    client.start();
    return () => {
      offState();
      offEvent();
      window.removeEventListener("online", online);
      window.removeEventListener("offline", offline);
      document.removeEventListener("visibilitychange", visible);
      client.stop();
    };
  }, [client, reloadConversations]);

  useEffect(reloadConversations, [reloadConversations]);

  // While the agent changes state, ask for the truth every few seconds: a status push can be lost
  // (sent while we reconnect) or overtaken (a late start-up step arriving after "Running").
  // After a stop request too: the agent may still report Running when the request returns, and
  // its later Stopping → Idle is not necessarily pushed.
  const [stopRequestedAt, setStopRequestedAt] = useState(0);
  const transitioning = agent?.state === "Starting" || agent?.state === "Stopping";
  const awaitingStop = stopRequestedAt > 0 && agent?.state !== "Idle";
  useEffect(() => {
    if (agent?.state === "Idle") setStopRequestedAt(0);
  }, [agent?.state]);
  useEffect(() => {
    if (!transitioning && !awaitingStop) return;
    const timer = setInterval(() => {
      if (awaitingStop && Date.now() - stopRequestedAt > 180_000) setStopRequestedAt(0);
      client.send({ type: "status.get" });
    }, 5_000);
    return () => clearInterval(timer);
  }, [transitioning, awaitingStop, stopRequestedAt, client]);

  const activeId =
    route.page === "chat"
      ? (route.conversationId ??
        [...conversations].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0]?.conversationId ??
        null)
      : null;
  const view = activeId ? chat[activeId] : undefined;

  // Newest page of history when a conversation is opened (HTTP, so it shows even while the
  // socket reconnects); older pages on scroll.
  useEffect(() => {
    if (!activeId || view?.loaded) return;
    let cancelled = false;
    api.getMessages(activeId, undefined, LIMITS.historyPageDefault).then(
      (page) => !cancelled && dispatch({ type: "history", page, older: false }),
      (e: unknown) => {
        if (cancelled) return;
        if (e instanceof ApiCallError && e.status === 404) {
          dispatch({ type: "history", page: { conversationId: activeId, messages: [] }, older: false });
        } else setBanner(e instanceof Error ? e.message : "Could not load messages.");
      },
    );
    return () => {
      cancelled = true;
    };
  }, [activeId, view?.loaded, api]);

  const loadOlder = () => {
    if (!activeId || !view?.cursor || loadingOlder) return;
    setLoadingOlder(true);
    api
      .getMessages(activeId, view.cursor, LIMITS.historyPageDefault)
      .then(
        (page) => dispatch({ type: "history", page, older: true }),
        (e: Error) => setBanner(e.message),
      )
      .finally(() => setLoadingOlder(false));
  };

  const send = (text: string) => {
    let conversationId = activeId;
    if (!conversationId) {
      conversationId = newId();
      navigate({ page: "chat", conversationId });
    }
    const now = new Date().toISOString();
    const title = conversationTitle(text);
    if (!conversations.some((c) => c.conversationId === conversationId)) {
      setConversations((list) => [
        ...list,
        { conversationId: conversationId as string, title, channel: "web", createdAt: now, updatedAt: now },
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
    const conversationId = newId();
    try {
      const meta = await api.createConversation(conversationId);
      setConversations((list) => [...list.filter((c) => c.conversationId !== conversationId), meta]);
      dispatch({ type: "history", page: { conversationId, messages: [] }, older: false });
      navigate({ page: "chat", conversationId });
      setNavOpen(false);
    } catch (e) {
      setBanner(e instanceof Error ? e.message : "Could not create a conversation.");
    }
  };

  const rename = async (conversationId: string, title: string) => {
    try {
      await api.renameConversation(conversationId, title);
      setConversations((list) =>
        list.map((c) => (c.conversationId === conversationId ? { ...c, title } : c)),
      );
    } catch (e) {
      setBanner(e instanceof Error ? e.message : "Could not rename.");
    }
  };

  const remove = async (conversationId: string) => {
    try {
      await api.deleteConversation(conversationId);
      setConversations((list) => list.filter((c) => c.conversationId !== conversationId));
      dispatch({ type: "forget", conversationId });
      if (conversationId === activeId) navigate({ page: "chat", conversationId: null });
    } catch (e) {
      setBanner(e instanceof Error ? e.message : "Could not delete.");
    }
  };

  return (
    <div className="app">
      <header className="topbar">
        <button
          type="button"
          className="icon-button menu-button"
          aria-label="Conversations"
          aria-expanded={navOpen}
          onClick={() => setNavOpen((o) => !o)}
        >
          ☰
        </button>
        <span className="brand">OpenClaw</span>
        <nav className="top-links" aria-label="Main">
          <a
            href={activeId ? `#/c/${activeId}` : "#/"}
            aria-current={route.page === "chat" ? "page" : undefined}
          >
            Chat
          </a>
          <a
            href="#/schedules"
            aria-current={route.page === "schedules" ? "page" : undefined}
            data-testid="nav-schedules"
          >
            Schedules
          </a>
          <a
            href="#/usage"
            aria-current={route.page === "usage" ? "page" : undefined}
            data-testid="nav-usage"
          >
            Usage
          </a>
          <a
            href="#/skills"
            aria-current={route.page === "skills" ? "page" : undefined}
            data-testid="nav-skills"
          >
            Skills
          </a>
          <a
            href="#/settings"
            aria-current={route.page === "settings" ? "page" : undefined}
            data-testid="nav-settings"
          >
            Settings
          </a>
        </nav>
        <span className="user" title={session.user?.displayName}>
          {session.user?.displayName}
        </span>
        <button
          type="button"
          onClick={() => void signOutEverywhere(api, session)}
          title="Signs you out everywhere: revokes your sessions on every device and closes every open tab"
          data-testid="sign-out"
        >
          Sign out everywhere
        </button>
      </header>
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
            conversations={conversations}
            activeId={activeId}
            onSelect={(conversationId) => {
              navigate({ page: "chat", conversationId });
              setNavOpen(false);
            }}
            onNew={() => void newConversation()}
            onRename={(id, title) => void rename(id, title)}
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
            onAgentStatus={(status) => {
              agentRef.current = status;
              setAgent(status);
              setStopRequestedAt(Date.now());
            }}
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

/**
 * Sign-out is everywhere: first every open browser socket of the user is closed (other tabs and devices
 * stop receiving replies at once), then GlobalSignOut revokes every refresh token.
 */
async function signOutEverywhere(api: HttpApi, session: AuthSession): Promise<void> {
  await api.closeSessions().catch(() => undefined);
  await session.signOut();
}
