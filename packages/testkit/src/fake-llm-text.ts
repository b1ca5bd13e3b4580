import * as z from "zod";

/** The parts of an OpenAI chat message the fake LLM looks at; everything else passes through unchecked. */
export const chatMessageSchema = z
  .object({
    role: z.string(),
    content: z
      .union([
        z.string(),
        z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
        z.null(),
      ])
      .optional(),
    tool_call_id: z.string().optional(),
  })
  .loose();
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const INTERNAL_CONTEXT_MARKER = "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>";

/** The text of a message, whether its content is a string or an array of parts. */
export function messageText(message: ChatMessage): string {
  const { content } = message;
  if (typeof content === "string") return content;
  if (!content) return "";
  return content.map((part) => (part.type === "text" ? (part.text ?? "") : "")).join("");
}

// OpenClaw prefixes each user message with the time it was sent, e.g. "[Wed 2026-11-25 11:24 UTC] ".
const TIMESTAMP_PREFIX = /^\[[A-Z][a-z]{2} \d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?(?: [^\]\n]{1,40})?\] /;
// …and appends a description of its runtime to the first user message of a session.
const RUNTIME_SUFFIX = "\n\nRuntime: ";

/** What the user typed, from a user message as OpenClaw forwards it. */
export function stripOpenClawDecorations(text: string): string {
  let out = text.replace(TIMESTAMP_PREFIX, "");
  const runtime = out.lastIndexOf(RUNTIME_SUFFIX);
  if (runtime >= 0) out = out.slice(0, runtime);
  return out;
}

function isUserText(message: ChatMessage): boolean {
  return message.role === "user" && !messageText(message).includes(INTERNAL_CONTEXT_MARKER);
}

/** Every user text in the conversation, oldest first, without OpenClaw's decorations. */
export function userTexts(messages: readonly ChatMessage[]): string[] {
  return messages.filter(isUserText).map((m) => stripOpenClawDecorations(messageText(m)));
}

/** The text of the latest user message (skipping OpenClaw's internal-context block), or "". */
export function extractUserText(messages: readonly ChatMessage[]): string {
  return userTexts(messages).at(-1) ?? "";
}

/**
 * The tool results that arrived after the latest user message: present when the previous reply was a tool
 * call and this request carries its outcome.
 */
export function pendingToolResults(messages: readonly ChatMessage[]): string[] {
  let lastUser = -1;
  messages.forEach((m, i) => {
    if (isUserText(m)) lastUser = i;
  });
  return messages.slice(lastUser + 1).flatMap((m) => (m.role === "tool" ? [messageText(m)] : []));
}

const SUMMARY_CHARS = 40;

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > SUMMARY_CHARS ? `${flat.slice(0, SUMMARY_CHARS - 1)}…` : flat;
}

/**
 * The fake's answer to plain text: what the user said, and a digest of what else reached it, so a test can
 * tell from the reply alone that the history arrived. `turns` counts user messages including this one.
 */
export function echoReply(messages: readonly ChatMessage[]): string {
  const texts = userTexts(messages);
  const current = texts.at(-1) ?? "";
  const history = texts.slice(0, -1).map(shorten).join(" | ") || "none";
  return `echo: ${current} (turns: ${texts.length}, history: ${history})`;
}
