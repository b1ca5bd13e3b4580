import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import * as z from "zod";
import { behaviourFromText, type FakeBehaviour, longText } from "./fake-llm-behaviour";
import {
  type ChatMessage,
  chatMessageSchema,
  echoReply,
  extractUserText,
  pendingToolResults,
} from "./fake-llm-text";
import {
  chunk,
  chunkText,
  completion,
  errorBody,
  type ToolCall,
  toolCallChunks,
  toolCallCompletion,
  usageChunk,
  usageFor,
} from "./fake-llm-wire";

export const FAKE_MODEL_ID = "fake-model";

/**
 * How the fake's answer to a tool result begins. Not "tool result:": OpenClaw drops an answer line
 * starting with that (it looks like a leaked tool transcript) from the final text after streaming
 * it, and then fails the stream ("Assistant output cannot be represented as an append-only response
 * stream"), checked with openclaw 2026.9.6.
 */
export const TOOL_OUTPUT_PREFIX = "Tool output: ";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (undefined for GET or a body that is not JSON). */
  body: unknown;
  /** Chat requests only: the messages, the user's latest text and what the fake did. */
  messages: ChatMessage[];
  userText: string;
  stream: boolean;
  behaviour?: FakeBehaviour;
  /** The reply text sent (or the tool call's JSON), once sent. */
  reply?: string;
  /** True when the client went away before the response was complete (cancel, timeout). */
  clientClosedEarly: boolean;
}

export interface FakeLlm {
  /** OpenAI base URL, `http://127.0.0.1:<port>/v1`: what a provider config's `baseUrl` takes. */
  baseUrl: string;
  port: number;
  model: string;
  /** Every request received since start or the last reset(), oldest first. */
  requests(): readonly RecordedRequest[];
  /** Only `POST /v1/chat/completions`. */
  chatRequests(): readonly RecordedRequest[];
  /** Behaviours for the next chat requests, one each, before the markers in the text are looked at. */
  enqueue(...behaviours: FakeBehaviour[]): void;
  reset(): void;
  stop(): Promise<void>;
}

export interface StartFakeLlmOptions {
  /** When set, requests must carry `Authorization: Bearer <apiKey>` or get a 401. */
  apiKey?: string;
  model?: string;
}

const chatRequestSchema = z.looseObject({
  model: z.string().optional(),
  messages: z.array(chatMessageSchema),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/**
 * An OpenAI-compatible chat server on loopback whose replies reveal what it was sent, with scriptable
 * faults. See packages/testkit/README.md for the markers.
 */
export async function startFakeLlm(options: StartFakeLlmOptions = {}): Promise<FakeLlm> {
  const model = options.model ?? FAKE_MODEL_ID;
  let recorded: RecordedRequest[] = [];
  let queue: FakeBehaviour[] = [];
  let toolCalls = 0;
  let completions = 0;
  /** How many requests with each user text met a `[hang:<n>]` marker so far. */
  const hangsByText = new Map<string, number>();

  const answerChat = async (record: RecordedRequest, req: IncomingMessage, res: ServerResponse) => {
    const parsed = chatRequestSchema.safeParse(record.body);
    if (!parsed.success) {
      sendJson(res, 400, errorBody(400, `fake LLM: not a chat request: ${parsed.error.message}`));
      return;
    }
    const { messages } = parsed.data;
    record.messages = messages;
    record.userText = extractUserText(messages);
    record.stream = parsed.data.stream === true;
    const includeUsage = parsed.data.stream_options?.include_usage === true;

    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      record.behaviour = { kind: "fail", status: 401 };
      sendJson(res, 401, errorBody(401, "fake LLM: incorrect API key provided"));
      return;
    }

    const toolResults = pendingToolResults(messages);
    let behaviour: FakeBehaviour =
      toolResults.length > 0
        ? { kind: "reply", text: `${TOOL_OUTPUT_PREFIX}${toolResults.join(" | ")}` }
        : (queue.shift() ?? behaviourFromText(record.userText));
    record.behaviour = behaviour;
    const id = `chatcmpl-fake-${++completions}`;
    const promptChars = JSON.stringify(messages).length;

    if (behaviour.kind === "fail") {
      sendJson(
        res,
        behaviour.status,
        errorBody(behaviour.status, behaviour.message ?? "fake LLM: scripted failure"),
      );
      return;
    }
    if (behaviour.kind === "hang") {
      const seen = (hangsByText.get(record.userText) ?? 0) + 1;
      hangsByText.set(record.userText, seen);
      if (behaviour.times === undefined || seen <= behaviour.times) return; // Closed by the client, or by stop().
      behaviour = { kind: "reply" };
      record.behaviour = behaviour;
    }

    if (behaviour.kind === "tool") {
      const call: ToolCall = {
        id: `call_fake_${++toolCalls}`,
        name: behaviour.name,
        arguments: JSON.stringify(behaviour.args),
      };
      record.reply = JSON.stringify({ tool: call.name, arguments: call.arguments });
      const usage = usageFor(promptChars, call.arguments.length);
      if (!record.stream) {
        sendJson(res, 200, toolCallCompletion(id, model, call, usage));
        return;
      }
      const events = [
        ...toolCallChunks(id, model, call),
        ...(includeUsage ? [usageChunk(id, model, usage)] : []),
      ];
      await streamEvents(res, events, 0);
      return;
    }

    const echo = echoReply(messages);
    const text =
      behaviour.text ?? (behaviour.longChars !== undefined ? longText(echo, behaviour.longChars) : echo);
    record.reply = text;
    const usage = usageFor(promptChars, text.length);
    if (!record.stream) {
      sendJson(res, 200, completion(id, model, text, usage));
      return;
    }
    const events = [
      chunk(id, model, { role: "assistant", content: "" }),
      ...chunkText(text).map((piece) => chunk(id, model, { content: piece })),
      chunk(id, model, {}, "stop"),
      ...(includeUsage ? [usageChunk(id, model, usage)] : []),
    ];
    await streamEvents(res, events, behaviour.chunkDelayMs ?? 0);
  };

  const server = createServer(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const record: RecordedRequest = {
      method: req.method ?? "GET",
      path,
      headers: req.headers,
      body,
      messages: [],
      userText: "",
      stream: false,
      clientClosedEarly: false,
    };
    recorded.push(record);
    res.on("close", () => {
      if (!res.writableFinished) record.clientClosedEarly = true;
    });

    try {
      if (req.method === "GET" && path === "/v1/models") {
        sendJson(res, 200, {
          object: "list",
          data: [{ id: model, object: "model", created: 0, owned_by: "testkit" }],
        });
      } else if (req.method === "POST" && path === "/v1/chat/completions") {
        await answerChat(record, req, res);
      } else {
        sendJson(res, 404, errorBody(404, `fake LLM: no route for ${req.method} ${path}`));
      }
    } catch (err) {
      if (!res.headersSent) sendJson(res, 500, errorBody(500, `fake LLM bug: ${String(err)}`));
      else res.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    port,
    model,
    requests: () => recorded,
    chatRequests: () => recorded.filter((r) => r.method === "POST" && r.path === "/v1/chat/completions"),
    enqueue: (...behaviours) => {
      queue.push(...behaviours);
    },
    reset: () => {
      recorded = [];
      queue = [];
      hangsByText.clear();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Writes server-sent events, `delayMs` apart, then `[DONE]`; gives up quietly if the client leaves. */
async function streamEvents(res: ServerResponse, events: readonly unknown[], delayMs: number): Promise<void> {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  res.flushHeaders();
  for (const [i, event] of events.entries()) {
    if (res.destroyed) return;
    if (delayMs > 0 && i > 0) await sleep(delayMs);
    res.write(`data: ${JSON.stringify(event)}\n\n`);
  }
  if (res.destroyed) return;
  res.end("data: [DONE]\n\n");
}
