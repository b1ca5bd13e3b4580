import type { z } from "zod";

/** A validation failure a person can act on: `text: must not be empty; clientMessageId: …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Parse untrusted input (already decoded from JSON) with a schema, never throwing. */
export function safeParse<T>(schema: z.ZodType<T>, input: unknown): ParseResult<T> {
  const result = schema.safeParse(input);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, message: describeIssues(result.error) };
}

/** Parse a raw JSON body with a schema, never throwing. Bodies over `maxBytes` are refused unread. */
export function parseJson<T>(
  schema: z.ZodType<T>,
  raw: string | null | undefined,
  maxBytes: number,
): ParseResult<T> {
  if (raw == null || raw.length === 0) return { ok: false, message: "body must be a JSON object" };
  if (new TextEncoder().encode(raw).length > maxBytes)
    return { ok: false, message: `body must be at most ${maxBytes} bytes` };
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { ok: false, message: "body is not valid JSON" };
  }
  return safeParse(schema, data);
}

/** A comma-separated setting (`a, b,,c`) as its trimmed, non-empty items. */
export function commaList(s: string | undefined): string[] {
  return (s ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Discord IDs (snowflakes) of channels, as deploy settings give them: 17–20 digits. */
export const DISCORD_CHANNEL_ID = /^\d{17,20}$/;
