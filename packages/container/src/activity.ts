import {
  ACTIVITY_LIMITS,
  oneLine,
  previewOf,
  summarizeToolArgs,
  type ToolActivity,
  toolResultText,
} from "@serverless-openclaw/shared";
import type { OpenClawToolEvent } from "./openclaw-events";

/**
 * Turns one OpenClaw tool event into what the chat shows. `starts` remembers each call's start
 * (time, summary, position in the text) between its start and result events; `at` is how much reply
 * text had streamed when the event arrived. Progress updates (`phase: "update"`) show nothing new.
 */
export function activityFromToolEvent(
  event: OpenClawToolEvent,
  starts: Map<string, { ts: number; summary: string; at: number }>,
  at: number,
): ToolActivity | undefined {
  const name = oneLine(event.name, ACTIVITY_LIMITS.nameChars);
  if (event.phase === "update") return undefined;
  if (event.phase === "start") {
    const start = { ts: event.ts, summary: summarizeToolArgs(event.args), at };
    starts.set(event.toolCallId, start);
    return {
      id: event.toolCallId,
      name,
      summary: start.summary,
      status: "running",
      startedAt: new Date(event.ts).toISOString(),
      at,
    };
  }
  // A result whose start this task never saw (it subscribed late) still shows, with no duration.
  const start = starts.get(event.toolCallId);
  const preview = previewOf(toolResultText(event.result));
  return {
    id: event.toolCallId,
    name,
    summary: start?.summary ?? "",
    status: event.isError || commandFailed(event.result) ? "failed" : "done",
    startedAt: new Date(start?.ts ?? event.ts).toISOString(),
    ...(start ? { durationMs: Math.max(0, Math.round(event.ts - start.ts)) } : {}),
    ...(preview ? { preview } : {}),
    at: start?.at ?? at,
  };
}

/** Calls still marked running when the turn ended get the turn's outcome. */
export function settleActivity(list: readonly ToolActivity[], status: "done" | "failed"): ToolActivity[] {
  return list.map((a) => (a.status === "running" ? { ...a, status } : a));
}

/** `exec` reports a command that exited non-zero as a result, not an error: it still failed. */
function commandFailed(result: unknown): boolean {
  if (typeof result !== "object" || result === null) return false;
  const details = (result as { details?: unknown }).details;
  if (typeof details !== "object" || details === null) return false;
  const { exitCode, status } = details as { exitCode?: unknown; status?: unknown };
  return (typeof exitCode === "number" && exitCode !== 0) || status === "failed" || status === "error";
}
