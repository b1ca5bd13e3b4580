import * as z from "zod";
import { AgentTaskError } from "./errors";

/** One thing that happened while OpenClaw streamed a reply. */
export type ChatEvent =
  | { type: "delta"; text: string }
  | { type: "error"; message: string; errorType?: string };

export interface ChatRequest {
  baseUrl: string;
  token: string;
  /** One OpenClaw session per conversation, so context carries across turns and restarts. */
  sessionKey: string;
  text: string;
  signal: AbortSignal;
}

const ChunkSchema = z.object({
  choices: z
    .array(z.object({ delta: z.object({ content: z.string().nullish() }).partial().nullish() }))
    .optional(),
  error: z.object({ message: z.string().optional(), type: z.string().optional() }).optional(),
});

/**
 * Sends one user message to OpenClaw's OpenAI-compatible endpoint and yields the reply as it
 * streams. Only the new message is sent: OpenClaw keeps the history of the session itself.
 * LLM failures arrive inside the stream (`data: {"error": …}`), not as an HTTP status.
 */
export async function* streamChat(request: ChatRequest): AsyncGenerator<ChatEvent> {
  const res = await fetch(`${request.baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${request.token}`,
      "content-type": "application/json",
      "x-openclaw-session-key": request.sessionKey,
    },
    body: JSON.stringify({
      model: "openclaw/default",
      stream: true,
      messages: [{ role: "user", content: request.text }],
    }),
    signal: request.signal,
  });
  if (!res.ok || !res.body) {
    const body = await res.text().catch(() => "");
    throw new AgentTaskError(
      "OPENCLAW_HTTP_ERROR",
      `OpenClaw answered HTTP ${res.status}: ${body.slice(0, 300)}`,
      {
        retryable: true,
      },
    );
  }
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let boundary = buffer.indexOf("\n");
    while (boundary >= 0) {
      const line = buffer.slice(0, boundary).trim();
      buffer = buffer.slice(boundary + 1);
      boundary = buffer.indexOf("\n");
      if (!line.startsWith("data:")) continue;
      const data = line.slice(5).trim();
      if (data === "[DONE]") return;
      const event = parseChunk(data);
      if (event) yield event;
    }
  }
}

function parseChunk(data: string): ChatEvent | undefined {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined;
  }
  const parsed = ChunkSchema.safeParse(json);
  if (!parsed.success) return undefined;
  if (parsed.data.error) {
    return {
      type: "error",
      message: parsed.data.error.message ?? "unknown error",
      errorType: parsed.data.error.type,
    };
  }
  const text = (parsed.data.choices ?? []).map((c) => c.delta?.content ?? "").join("");
  return text ? { type: "delta", text } : undefined;
}

export interface TurnFailure {
  code: string;
  message: string;
  retryable: boolean;
}

/**
 * Failures OpenClaw makes itself, not the provider: its OpenAI-compatible layer refusing its own reply
 * (a final text that rewrites what it already streamed, e.g. a line starting "Tool result:" dropped
 * after streaming), a run that ended with no answer, its own internal errors. All come as `api_error`.
 */
const OPENCLAW_SIDE =
  /append-only response stream|^No response from OpenClaw|^Agent run failed|^internal error$|^Internal Server Error$/i;

/** Whether OpenClaw itself (not the AI provider) failed the turn. */
export function isOpenClawFailure(failure: TurnFailure): boolean {
  return failure.code === "OPENCLAW_ERROR";
}

/** Turns what OpenClaw reported into a reply the user can act on. */
export function classifyLlmError(message: string, errorType: string | undefined): TurnFailure {
  const detail = message.slice(0, 300);
  if (OPENCLAW_SIDE.test(message.trim())) {
    return {
      code: "OPENCLAW_ERROR",
      message: `The agent (OpenClaw) failed while finishing this reply: ${detail} Send your message again.`,
      retryable: true,
    };
  }
  if (
    errorType === "authentication_error" ||
    errorType === "permission_error" ||
    /\b(401|403)\b|invalid api key|incorrect api key|unauthori[sz]ed|forbidden|auth\/billing failure/i.test(
      message,
    )
  ) {
    return {
      code: "LLM_AUTH_FAILED",
      message: `The AI provider rejected the API key (${detail}). Update the API key in Settings, then send your message again.`,
      retryable: false,
    };
  }
  if (errorType === "rate_limit_error" || /\b429\b|rate.?limit|too many requests|quota/i.test(message)) {
    return {
      code: "LLM_RATE_LIMITED",
      message: `The AI provider is rate limiting requests (${detail}). Wait a minute, then send your message again.`,
      retryable: true,
    };
  }
  return {
    code: "LLM_ERROR",
    message: `The AI provider returned an error: ${detail}`,
    retryable: true,
  };
}
