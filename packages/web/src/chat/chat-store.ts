import {
  type HistoryPage,
  type ServerEvent,
  type StoredMessage,
  type ToolActivity,
  upsertActivity,
} from "@serverless-openclaw/shared";

/**
 * The messages the UI shows, per conversation, as a pure reducer: live events (ack, delta,
 * final, error), local sends and history pages all meet here. A user message and its reply
 * share the clientMessageId, so `role:clientMessageId` identifies an item across live events
 * and stored history.
 */

export type MessageStatus =
  /** Sent to a running agent, not yet acknowledged. */
  | "sending"
  /** Waiting for the agent (asleep or waking): accepted at once, answered when it is up. */
  | "queued"
  | "delivered"
  | "streaming"
  | "done"
  | "error"
  | "stopped";

export interface ChatItem {
  key: string;
  clientMessageId: string;
  conversationId: string;
  role: "user" | "assistant";
  text: string;
  status: MessageStatus;
  createdAt: string;
  messageId?: string;
  error?: { code: string; message: string; retryable: boolean };
  /** A retry was sent for this failed turn: hide its retry button. */
  retried?: boolean;
  /** The run of the turn whose deltas this text holds (ChatDeltaEvent.stream). */
  stream?: string;
  /** The agent's tool calls while answering, in order; each sits at its `at` offset in the text. */
  activity?: ToolActivity[];
}

export interface ConversationView {
  items: ChatItem[];
  /** Cursor for the next older page; undefined when the oldest page is loaded. */
  cursor?: string;
  /** The newest page has been loaded. */
  loaded: boolean;
}

export type ChatState = Readonly<Record<string, ConversationView>>;

export type ChatAction =
  | {
      type: "local-send";
      conversationId: string;
      clientMessageId: string;
      text: string;
      createdAt: string;
      agentRunning: boolean;
    }
  | { type: "local-stop"; conversationId: string; clientMessageId: string }
  | { type: "mark-retried"; conversationId: string; clientMessageId: string }
  | { type: "server"; event: ServerEvent }
  | { type: "history"; page: HistoryPage; older: boolean }
  | { type: "forget"; conversationId: string };

const EMPTY: ConversationView = { items: [], loaded: false };

export const itemKey = (role: "user" | "assistant", clientMessageId: string) => `${role}:${clientMessageId}`;

export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case "local-send":
      return update(state, action.conversationId, (view) => ({
        ...view,
        items: [
          ...view.items,
          {
            key: itemKey("user", action.clientMessageId),
            clientMessageId: action.clientMessageId,
            conversationId: action.conversationId,
            role: "user",
            text: action.text,
            status: action.agentRunning ? "sending" : "queued",
            createdAt: action.createdAt,
          },
        ],
      }));
    case "local-stop":
      return update(state, action.conversationId, (view) => ({
        ...view,
        items: view.items.map((item) =>
          item.clientMessageId === action.clientMessageId && item.status !== "done" && item.status !== "error"
            ? { ...item, status: "stopped" }
            : item,
        ),
      }));
    case "mark-retried":
      return update(state, action.conversationId, (view) => ({
        ...view,
        items: view.items.map((item) =>
          item.clientMessageId === action.clientMessageId ? { ...item, retried: true } : item,
        ),
      }));
    case "forget": {
      const { [action.conversationId]: _gone, ...rest } = state;
      return rest;
    }
    case "history":
      return update(state, action.page.conversationId, (view) =>
        mergeHistory(view, action.page, action.older),
      );
    case "server":
      return applyEvent(state, action.event);
  }
}

function applyEvent(state: ChatState, event: ServerEvent): ChatState {
  switch (event.type) {
    case "chat.ack":
      return patchItem(state, event.conversationId, itemKey("user", event.clientMessageId), (item) =>
        item.status === "sending" || item.status === "queued"
          ? {
              ...item,
              status:
                event.state === "delivered" ? "delivered" : event.state === "queued" ? "queued" : item.status,
            }
          : item,
      );
    case "chat.started":
      // The agent is working on it: the reply shows as "thinking" until text or a tool call arrives.
      return update(state, event.conversationId, (view) => {
        const next = advanceUser(view, event.clientMessageId);
        return upsertAssistant(next, event.conversationId, event.clientMessageId, (item) => item);
      });
    case "chat.activity":
      return update(state, event.conversationId, (view) => {
        const next = advanceUser(view, event.clientMessageId);
        return upsertAssistant(next, event.conversationId, event.clientMessageId, (item) => ({
          ...item,
          activity: upsertActivity(item.activity ?? [], event.activity),
        }));
      });
    case "chat.delta":
      return update(state, event.conversationId, (view) => {
        const next = settleUser(view, event.clientMessageId, "delivered");
        return upsertAssistant(next, event.conversationId, event.clientMessageId, (item) => ({
          ...item,
          // A stopped turn may still get late deltas: keep it stopped.
          status: item.status === "stopped" ? "stopped" : "streaming",
          // Another agent re-streaming the reply from the start replaces the dead one's partial text.
          text: item.stream === event.stream ? item.text + event.text : event.text,
          stream: event.stream,
        }));
      });
    case "chat.final":
      return update(state, event.conversationId, (view) => {
        const next = settleUser(view, event.clientMessageId, "done");
        return upsertAssistant(next, event.conversationId, event.clientMessageId, (item) => ({
          ...item,
          status: "done",
          text: event.text,
          messageId: event.messageId,
          createdAt: event.createdAt,
          error: undefined,
          activity: event.activity ?? item.activity,
        }));
      });
    case "chat.error":
      return update(state, event.conversationId, (view) => {
        const error = { code: event.code, message: event.message, retryable: event.retryable };
        const next = settleUser(view, event.clientMessageId, "error");
        return upsertAssistant(next, event.conversationId, event.clientMessageId, (item) => ({
          ...item,
          status: "error",
          error,
          activity: event.activity ?? item.activity,
        }));
      });
    default:
      return state;
  }
}

function fromStored(m: StoredMessage): ChatItem {
  return {
    key: itemKey(m.role, m.clientMessageId),
    clientMessageId: m.clientMessageId,
    conversationId: m.conversationId,
    role: m.role,
    text: m.error ? withoutError(m.text, m.error.message) : m.text,
    status: m.error ? "error" : "done",
    createdAt: m.createdAt,
    messageId: m.messageId,
    error: m.error
      ? { code: m.error.code, message: m.error.message, retryable: m.error.retryable ?? false }
      : undefined,
    ...(m.activity ? { activity: m.activity } : {}),
  };
}

/**
 * A failed reply is stored as the text the user saw followed by the error, so other clients (Telegram,
 * an old app) read it whole; the web shows the error in its own line, so it is taken off the text.
 */
function withoutError(text: string, message: string): string {
  return text.endsWith(message) ? text.slice(0, text.length - message.length).trimEnd() : text;
}

/**
 * Newest page: stored messages, then live items the store does not have yet (still in flight).
 * Older page: prepended. Either way an item already shown live is not duplicated.
 */
function mergeHistory(view: ConversationView, page: HistoryPage, older: boolean): ConversationView {
  const stored = page.messages.map(fromStored);
  if (older) {
    const have = new Set(view.items.map((i) => i.key));
    return {
      ...view,
      cursor: page.nextCursor,
      items: [...stored.filter((i) => !have.has(i.key)), ...view.items],
    };
  }
  const storedKeys = new Set(stored.map((i) => i.key));
  const live = view.items.filter((i) => !storedKeys.has(i.key));
  return { items: [...stored, ...live], cursor: page.nextCursor, loaded: true };
}

function settleUser(
  view: ConversationView,
  clientMessageId: string,
  status: MessageStatus,
): ConversationView {
  const key = itemKey("user", clientMessageId);
  return {
    ...view,
    items: view.items.map((i) => (i.key === key && i.status !== "stopped" ? { ...i, status } : i)),
  };
}

/** A question still sending or queued is now with the agent; a later state (done, error) is kept. */
function advanceUser(view: ConversationView, clientMessageId: string): ConversationView {
  const key = itemKey("user", clientMessageId);
  return {
    ...view,
    items: view.items.map((i) =>
      i.key === key && (i.status === "sending" || i.status === "queued") ? { ...i, status: "delivered" } : i,
    ),
  };
}

function upsertAssistant(
  view: ConversationView,
  conversationId: string,
  clientMessageId: string,
  change: (item: ChatItem) => ChatItem,
): ConversationView {
  const key = itemKey("assistant", clientMessageId);
  const index = view.items.findIndex((i) => i.key === key);
  if (index >= 0) {
    const items = [...view.items];
    items[index] = change(items[index] as ChatItem);
    return { ...view, items };
  }
  const fresh: ChatItem = {
    key,
    clientMessageId,
    conversationId,
    role: "assistant",
    text: "",
    status: "streaming",
    createdAt: new Date().toISOString(),
  };
  // The reply goes right after its question when that is shown, else at the end.
  const userIndex = view.items.findIndex((i) => i.key === itemKey("user", clientMessageId));
  const items = [...view.items];
  items.splice(userIndex >= 0 ? userIndex + 1 : items.length, 0, change(fresh));
  return { ...view, items };
}

function patchItem(
  state: ChatState,
  conversationId: string,
  key: string,
  change: (item: ChatItem) => ChatItem,
): ChatState {
  const view = state[conversationId];
  if (!view?.items.some((i) => i.key === key)) return state;
  return {
    ...state,
    [conversationId]: { ...view, items: view.items.map((i) => (i.key === key ? change(i) : i)) },
  };
}

function update(
  state: ChatState,
  conversationId: string,
  change: (v: ConversationView) => ConversationView,
): ChatState {
  return { ...state, [conversationId]: change(state[conversationId] ?? EMPTY) };
}

/** Whether a turn of this conversation is in flight (for the stop button). */
export function activeTurn(view: ConversationView | undefined): ChatItem | undefined {
  if (!view) return undefined;
  for (let i = view.items.length - 1; i >= 0; i--) {
    const item = view.items[i] as ChatItem;
    if (item.role === "assistant" && item.status === "streaming") return item;
    if (item.role === "user" && ["sending", "queued", "delivered"].includes(item.status)) return item;
  }
  return undefined;
}
