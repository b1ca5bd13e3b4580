import type { ToolActivity } from "@serverless-openclaw/shared";
import { Markdown } from "./markdown";

const STATUS_LABEL: Record<ToolActivity["status"], string> = {
  running: "running…",
  done: "done",
  failed: "failed",
};

/** "0.4 s", "12 s", "2 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** One tool call: name, the one-line summary of its arguments, status and duration; the result folded away. */
export function ActivityCard({ activity }: { activity: ToolActivity }) {
  const head = (
    <>
      <span className="activity-icon" aria-hidden="true">
        ⚙
      </span>
      <span className="activity-name" data-testid="activity-name">
        {activity.name}
      </span>
      {activity.summary && (
        <code className="activity-summary" data-testid="activity-summary">
          {activity.summary}
        </code>
      )}
      <span className={`activity-status activity-${activity.status}`} data-testid="activity-status">
        {STATUS_LABEL[activity.status]}
      </span>
      {activity.durationMs !== undefined && (
        <span className="activity-duration" data-testid="activity-duration">
          {formatDuration(activity.durationMs)}
        </span>
      )}
    </>
  );
  return (
    <div className="activity" data-testid="activity" data-status={activity.status} data-tool={activity.name}>
      {activity.preview ? (
        <details>
          <summary>{head}</summary>
          <pre className="activity-preview" data-testid="activity-preview">
            {activity.preview}
          </pre>
        </details>
      ) : (
        <div className="activity-head">{head}</div>
      )}
    </div>
  );
}

/**
 * A reply with its tool calls in the order they happened: the text streamed before a call, the
 * call, the text after it, and so on.
 */
export function ReplyBody({ text, activity }: { text: string; activity: readonly ToolActivity[] }) {
  const ordered = [...activity].sort((a, b) => a.at - b.at);
  const parts: Array<{ key: string; node: React.ReactNode }> = [];
  let from = 0;
  for (const item of ordered) {
    const at = Math.min(Math.max(item.at, from), text.length);
    const before = text.slice(from, at);
    if (before.trim()) parts.push({ key: `t${from}`, node: <Markdown text={before} /> });
    parts.push({ key: `a${item.id}`, node: <ActivityCard activity={item} /> });
    from = at;
  }
  const rest = text.slice(from);
  if (rest.trim()) parts.push({ key: `t${from}`, node: <Markdown text={rest} /> });
  return (
    <>
      {parts.map((p) => (
        <div key={p.key} className="reply-part">
          {p.node}
        </div>
      ))}
    </>
  );
}
