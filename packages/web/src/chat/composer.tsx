import { LIMITS } from "@serverless-openclaw/shared";
import { type KeyboardEvent, useState } from "react";

export interface ComposerProps {
  onSend: (text: string) => void;
  onStop?: () => void;
  /** Called on every keystroke; the caller throttles the agent.wake it sends. */
  onTyping: () => void;
  disabled?: boolean;
}

/** Enter sends, Shift+Enter adds a line (and Enter while an IME is composing does nothing). */
export function Composer({ onSend, onStop, onTyping, disabled }: ComposerProps) {
  const [text, setText] = useState("");
  const tooLong = text.length > LIMITS.maxMessageChars;
  const canSend = text.trim().length > 0 && !tooLong && !disabled;
  const send = () => {
    if (!canSend) return;
    onSend(text.trim());
    setText("");
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };
  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label htmlFor="message-input" className="visually-hidden">
        Message
      </label>
      <textarea
        id="message-input"
        data-testid="message-input"
        rows={2}
        value={text}
        placeholder="Message your agent (Enter to send, Shift+Enter for a new line)"
        onChange={(e) => {
          setText(e.target.value);
          onTyping();
        }}
        onKeyDown={onKeyDown}
        aria-invalid={tooLong}
        aria-describedby={tooLong ? "message-too-long" : undefined}
      />
      {tooLong && (
        <p id="message-too-long" className="form-error" role="alert">
          {text.length} / {LIMITS.maxMessageChars} characters: shorten the message to send it.
        </p>
      )}
      <div className="composer-actions">
        {onStop && (
          <button type="button" onClick={onStop} data-testid="stop-button">
            Stop
          </button>
        )}
        <button type="submit" className="primary" disabled={!canSend} data-testid="send-button">
          Send
        </button>
      </div>
    </form>
  );
}
