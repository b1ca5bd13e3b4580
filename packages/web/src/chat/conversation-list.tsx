import { type ConversationMeta, LIMITS } from "@serverless-openclaw/shared";
import { useState } from "react";

export interface ConversationListProps {
  conversations: ConversationMeta[];
  activeId: string | null;
  onSelect: (conversationId: string) => void;
  onNew: () => void;
  onRename: (conversationId: string, title: string) => void;
  onDelete: (conversationId: string) => void;
}

export function ConversationList(props: ConversationListProps) {
  const [editing, setEditing] = useState<string | null>(null);
  const sorted = [...props.conversations].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  return (
    <nav className="conversations" aria-label="Conversations">
      <button type="button" className="primary new-chat" onClick={props.onNew} data-testid="new-conversation">
        New chat
      </button>
      <ul>
        {sorted.map((c) => (
          <li
            key={c.conversationId}
            className={c.conversationId === props.activeId ? "active" : undefined}
            data-testid="conversation-item"
          >
            {editing === c.conversationId ? (
              <form
                className="rename-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  const title = String(new FormData(e.currentTarget).get("title") ?? "").trim();
                  if (title) props.onRename(c.conversationId, title);
                  setEditing(null);
                }}
              >
                <label className="visually-hidden" htmlFor={`rename-${c.conversationId}`}>
                  New title
                </label>
                <input
                  id={`rename-${c.conversationId}`}
                  name="title"
                  defaultValue={c.title}
                  maxLength={LIMITS.maxTitleChars}
                  // biome-ignore lint/a11y/noAutofocus: the user just asked to rename this one
                  autoFocus
                  onKeyDown={(e) => e.key === "Escape" && setEditing(null)}
                  data-testid="rename-input"
                />
                <button type="submit">Save</button>
              </form>
            ) : (
              <>
                <button
                  type="button"
                  className="conversation-title"
                  aria-current={c.conversationId === props.activeId ? "page" : undefined}
                  onClick={() => props.onSelect(c.conversationId)}
                >
                  {c.title || "Untitled"}
                </button>
                <span className="conversation-actions">
                  <button
                    type="button"
                    className="icon-button"
                    aria-label={`Rename ${c.title}`}
                    onClick={() => setEditing(c.conversationId)}
                  >
                    <Icon d="M4 20h4L19 9l-4-4L4 16v4zM14 6l4 4" />
                  </button>
                  <button
                    type="button"
                    className="icon-button"
                    aria-label={`Delete ${c.title}`}
                    onClick={() => {
                      if (window.confirm(`Delete “${c.title}”? This cannot be undone.`))
                        props.onDelete(c.conversationId);
                    }}
                  >
                    <Icon d="M5 7h14M10 7V4h4v3M7 7l1 13h8l1-13M10 11v6M14 11v6" />
                  </button>
                </span>
              </>
            )}
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Stroke icons drawn inline: no icon font or emoji font needed. */
function Icon({ d }: { d: string }) {
  return (
    <svg width="16" height="16" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        d={d}
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}
