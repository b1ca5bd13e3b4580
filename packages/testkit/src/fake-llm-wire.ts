/** OpenAI chat-completions response shapes, as the fake LLM sends them. */

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** Rough token counts (4 characters a token) so clients that read usage see plausible numbers. */
export function usageFor(promptChars: number, completionChars: number): Usage {
  const prompt_tokens = Math.ceil(promptChars / 4);
  const completion_tokens = Math.ceil(completionChars / 4);
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

/** Splits a reply into small pieces (word by word), so streaming clients see several deltas. */
export function chunkText(text: string): string[] {
  const pieces = text.match(/\S+\s*|\s+/g) ?? [];
  return pieces.length > 0 ? pieces : [""];
}

export function completion(id: string, model: string, text: string, usage: Usage) {
  return {
    id,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
    usage,
  };
}

export function toolCallCompletion(id: string, model: string, call: ToolCall, usage: Usage) {
  return {
    id,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } },
          ],
        },
        finish_reason: "tool_calls",
      },
    ],
    usage,
  };
}

type Delta = Record<string, unknown>;

export function chunk(id: string, model: string, delta: Delta, finishReason: string | null = null) {
  return {
    id,
    object: "chat.completion.chunk",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  };
}

/** The extra last chunk sent when the client asked for `stream_options.include_usage`. */
export function usageChunk(id: string, model: string, usage: Usage) {
  return {
    id,
    object: "chat.completion.chunk",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [],
    usage,
  };
}

/** The streamed form of a tool call: its id and name first, then its arguments. */
export function toolCallChunks(id: string, model: string, call: ToolCall) {
  return [
    chunk(id, model, {
      role: "assistant",
      content: null,
      tool_calls: [{ index: 0, id: call.id, type: "function", function: { name: call.name, arguments: "" } }],
    }),
    chunk(id, model, { tool_calls: [{ index: 0, function: { arguments: call.arguments } }] }),
    chunk(id, model, {}, "tool_calls"),
  ];
}

export function errorBody(status: number, message: string) {
  const type =
    status === 401
      ? "invalid_request_error"
      : status === 429
        ? "rate_limit_exceeded"
        : status >= 500
          ? "server_error"
          : "invalid_request_error";
  const code = status === 401 ? "invalid_api_key" : status === 429 ? "rate_limit_exceeded" : null;
  return { error: { message, type, param: null, code } };
}
