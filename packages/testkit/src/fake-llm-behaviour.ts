import * as z from "zod";

/** What the fake LLM does with one chat request. */
export type FakeBehaviour =
  /** Answer with `text` (default: the echo reply), streamed in small chunks, `chunkDelayMs` apart. */
  | { kind: "reply"; text?: string; chunkDelayMs?: number; longChars?: number }
  /** Answer with an HTTP error in OpenAI's error format. */
  | { kind: "fail"; status: number; message?: string }
  /**
   * Accept the request and never answer (until the client goes away or the fake stops). With `times`,
   * only the first `times` requests carrying the same user text hang; later ones are answered.
   */
  | { kind: "hang"; times?: number }
  /** Call a tool; the follow-up request that carries the tool's result is answered with that result. */
  | { kind: "tool"; name: string; args: unknown };

const MARKER = /\[(fail|hang|slow|long)(?::([^\]]*))?\]/g;
// JSON args may hold brackets, so a tool marker ends at the first "}]" (or "]" when it has no args).
const TOOL_MARKER = /\[tool:([A-Za-z0-9_.-]+)(?::(\{.*?\}))?\]/s;

/**
 * Reads the behaviour markers from a user's text: `[fail:401]`, `[hang]` (or `[hang:<n>]`: the first n
 * times), `[slow:<ms>]`, `[long:<chars>]`,
 * `[tool:<name>:<json args>]`. Faults win over a tool call, which wins over reply modifiers; `slow` and
 * `long` combine.
 */
export function behaviourFromText(text: string): FakeBehaviour {
  const reply: { kind: "reply"; chunkDelayMs?: number; longChars?: number } = { kind: "reply" };
  const tool = TOOL_MARKER.exec(text);
  for (const match of text.matchAll(MARKER)) {
    const [, name, arg = ""] = match;
    switch (name) {
      case "fail":
        return { kind: "fail", status: toInt(arg, 500) };
      case "hang":
        return arg ? { kind: "hang", times: toInt(arg, 1) } : { kind: "hang" };
      case "slow":
        reply.chunkDelayMs = toInt(arg, 200);
        break;
      case "long":
        reply.longChars = toInt(arg, 5000);
        break;
    }
  }
  if (tool?.[1]) return { kind: "tool", name: tool[1], args: parseArgs(tool[2] ?? "{}") };
  return reply;
}

function toInt(raw: string, fallback: number): number {
  const n = Number.parseInt(raw, 10);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

function parseArgs(raw: string): unknown {
  try {
    return z.unknown().parse(JSON.parse(raw));
  } catch {
    return { input: raw };
  }
}

/** A deterministic text of exactly `chars` characters that starts with `prefix` where it fits. */
export function longText(prefix: string, chars: number): string {
  const filler = " lorem ipsum dolor sit amet";
  let out = `${prefix}`;
  while (out.length < chars) out += filler;
  return out.slice(0, chars);
}
