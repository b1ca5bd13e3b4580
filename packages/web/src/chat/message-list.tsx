import { LLM_SETUP_CODES } from "@serverless-openclaw/shared";
import { useLayoutEffect, useRef, useState } from "react";
import { type AgentView, describeUserMessage } from "../ui/status-view";
import { ReplyBody } from "./activity-view";
import type { ChatItem } from "./chat-store";
import { Markdown } from "./markdown";

export interface MessageListProps {
  items: ChatItem[];
  hasOlder: boolean;
  loadingOlder: boolean;
  loaded: boolean;
  onLoadOlder: () => void;
  onRetry: (item: ChatItem) => void;
  /** The status bar's view of the agent: a waiting message says the same (status-view.ts). */
  view?: AgentView;
}

const CONNECTED_ASLEEP: AgentView = { kind: "asleep" };

/**
 * Messages, oldest at the top. Scrolling near the top loads the previous page and keeps the
 * message under the reader's eye where it was; new messages scroll into view only when the
 * reader is already at the bottom.
 */
export function MessageList({
  items,
  hasOlder,
  loadingOlder,
  loaded,
  onLoadOlder,
  onRetry,
  view = CONNECTED_ASLEEP,
}: MessageListProps) {
  const ref = useRef<HTMLDivElement>(null);
  const fromBottom = useRef<number | null>(null);
  const firstKey = useRef<string | undefined>(undefined);
  const stick = useRef(true);

  const loadOlder = () => {
    const el = ref.current;
    if (!el || !hasOlder || loadingOlder) return;
    fromBottom.current = el.scrollHeight - el.scrollTop;
    onLoadOlder();
  };

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const first = items[0]?.key;
    if (fromBottom.current !== null && first !== firstKey.current) {
      el.scrollTop = el.scrollHeight - fromBottom.current;
      fromBottom.current = null;
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
    firstKey.current = first;
  });

  return (
    <div
      className="message-list"
      ref={ref}
      data-testid="message-list"
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
        if (el.scrollTop < 120) loadOlder();
      }}
    >
      {hasOlder && (
        <button type="button" className="load-older link-button" onClick={loadOlder} disabled={loadingOlder}>
          {loadingOlder ? "Loading older messages…" : "Load older messages"}
        </button>
      )}
      {loaded && items.length === 0 && (
        <p className="empty">Say hello — your agent will wake up and answer.</p>
      )}
      <ol className="messages" aria-label="Messages">
        {items.map((item) => (
          <MessageItem key={item.key} item={item} onRetry={onRetry} view={view} />
        ))}
      </ol>
    </div>
  );
}

/** Nothing new to read yet: no text since the last tool call, and no call running (which shows itself). */
function thinking(item: ChatItem): boolean {
  const last = item.activity?.at(-1);
  if (!last) return !item.text;
  return last.status !== "running" && item.text.length <= last.at;
}

function MessageItem({
  item,
  onRetry,
  view,
}: {
  item: ChatItem;
  onRetry: (item: ChatItem) => void;
  view: AgentView;
}) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    void navigator.clipboard?.writeText(item.text).then(() => {
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    });
  };
  const status = item.role === "user" ? describeUserMessage(item.status, view) : undefined;
  return (
    <li
      className={`message message-${item.role} message-${item.status}`}
      data-testid="message"
      data-role={item.role}
      data-status={item.status}
      data-client-message-id={item.clientMessageId}
    >
      <span className="visually-hidden">{item.role === "user" ? "You said:" : "Agent said:"}</span>
      {item.activity?.length ? (
        <ReplyBody text={item.text} activity={item.activity} />
      ) : (
        item.text && <Markdown text={item.text} />
      )}
      {item.role === "assistant" && item.status === "streaming" && thinking(item) && (
        <p className="typing" data-testid="typing">
          <span className="visually-hidden">The agent is thinking</span>
          <span aria-hidden="true">…</span>
        </p>
      )}
      {item.error && (
        <p className="message-error" role="alert" data-testid="message-error">
          {item.error.message}
          {LLM_SETUP_CODES.includes(item.error.code) && (
            <>
              {" "}
              <a href="#/settings" data-testid="open-settings">
                Open Settings
              </a>
            </>
          )}
        </p>
      )}
      <div className="message-meta">
        {status && <span data-testid="message-status">{status}</span>}
        {item.role === "assistant" && item.status === "stopped" && <span>Stopped</span>}
        {item.error?.retryable && !item.retried && (
          <button
            type="button"
            className="link-button"
            onClick={() => onRetry(item)}
            data-testid="retry-button"
          >
            Retry
          </button>
        )}
        {item.text && item.status !== "streaming" && (
          <button type="button" className="link-button" onClick={copy} data-testid="copy-button">
            {copied ? "Copied" : "Copy"}
          </button>
        )}
      </div>
    </li>
  );
}
