import * as z from "zod";

/** Bounds on what a turn's tool activity may hold (it is stored with the reply and pushed in frames). */
export const ACTIVITY_LIMITS = {
  /** Tool calls kept per turn; later ones replace nothing and are dropped (the text still streams). */
  maxPerTurn: 50,
  /** One-line summary of a call's arguments. */
  summaryChars: 160,
  /** Collapsed preview of a call's result. */
  previewChars: 600,
  nameChars: 80,
} as const;

export const ToolActivityStatusSchema = z.enum(["running", "done", "failed"]);
export type ToolActivityStatus = z.infer<typeof ToolActivityStatusSchema>;

/** One tool call the agent made during a turn, as the chat shows it. */
export const ToolActivitySchema = z.object({
  /** OpenClaw's tool call id: a later event for the same call replaces the earlier one. */
  id: z.string().min(1).max(200),
  name: z.string().max(ACTIVITY_LIMITS.nameChars),
  /** One line: the command, the path, or the arguments in short. */
  summary: z.string().max(ACTIVITY_LIMITS.summaryChars),
  status: ToolActivityStatusSchema,
  startedAt: z.iso.datetime(),
  /** Set once the call ended (done or failed). */
  durationMs: z.number().int().nonnegative().optional(),
  /** The start of the result (or the error), for a collapsed preview. */
  preview: z.string().max(ACTIVITY_LIMITS.previewChars).optional(),
  /** How many characters of the reply had streamed when the call started: where it sits in the text. */
  at: z.number().int().nonnegative(),
});
export type ToolActivity = z.infer<typeof ToolActivitySchema>;

export const ToolActivityListSchema = z.array(ToolActivitySchema).max(ACTIVITY_LIMITS.maxPerTurn);

/** Collapses whitespace to single spaces and cuts to `max` characters with an ellipsis. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** Argument names that say what a call does, most telling first. */
const TELLING_ARGS = ["command", "cmd", "path", "file_path", "filePath", "url", "query", "pattern", "name"];

/**
 * A one-line summary of a tool call's arguments: the command for `exec`, the path for file tools, the
 * URL or query for others, else the arguments as compact JSON.
 */
export function summarizeToolArgs(args: unknown): string {
  if (typeof args === "string") return oneLine(args, ACTIVITY_LIMITS.summaryChars);
  if (typeof args !== "object" || args === null) return "";
  const record = args as Record<string, unknown>;
  for (const key of TELLING_ARGS) {
    const value = record[key];
    if (typeof value === "string" && value.trim()) return oneLine(value, ACTIVITY_LIMITS.summaryChars);
    if (Array.isArray(value) && value.every((v) => typeof v === "string"))
      return oneLine(value.join(" "), ACTIVITY_LIMITS.summaryChars);
  }
  let json: string;
  try {
    json = JSON.stringify(args);
  } catch {
    return "";
  }
  return json === "{}" ? "" : oneLine(json, ACTIVITY_LIMITS.summaryChars);
}

/** The text of a tool result (OpenClaw's `{content:[{type:"text",text}]}`, a string, or anything else as JSON). */
export function toolResultText(result: unknown): string {
  if (result === undefined || result === null) return "";
  if (typeof result === "string") return result;
  if (typeof result === "object") {
    const content = (result as { content?: unknown }).content;
    if (Array.isArray(content)) {
      const texts = content
        .map((part) =>
          typeof part === "object" && part !== null && (part as { type?: unknown }).type === "text"
            ? String((part as { text?: unknown }).text ?? "")
            : "",
        )
        .filter(Boolean);
      if (texts.length > 0) return texts.join("\n");
    }
  }
  try {
    return JSON.stringify(result);
  } catch {
    return String(result);
  }
}

/** A result cut to the preview size, keeping its line breaks. */
export function previewOf(text: string): string {
  const trimmed = text.trim();
  return trimmed.length <= ACTIVITY_LIMITS.previewChars
    ? trimmed
    : `${trimmed.slice(0, ACTIVITY_LIMITS.previewChars - 1)}…`;
}

/** The compact line a chat platform shows for a call, e.g. "⚙ exec `echo hi` ✓". */
export function activityLine(activity: ToolActivity): string {
  const mark = activity.status === "running" ? "…" : activity.status === "done" ? "✓" : "✗";
  // Backticks inside the summary would end the code span early.
  const summary = oneLine(activity.summary.replace(/`/g, "'"), 60);
  return `⚙ ${activity.name}${summary ? ` \`${summary}\`` : ""} ${mark}`;
}

/** Adds or replaces (by id) one call in a turn's list, keeping start order and the size cap. */
export function upsertActivity(list: readonly ToolActivity[], item: ToolActivity): ToolActivity[] {
  const index = list.findIndex((a) => a.id === item.id);
  if (index >= 0) return list.map((a, i) => (i === index ? { ...item, at: a.at } : a));
  if (list.length >= ACTIVITY_LIMITS.maxPerTurn) return [...list];
  return [...list, item];
}
