import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for Telegram's Bot API on loopback: `POST /bot<token>/<method>` with a JSON body,
 * answered the way Telegram answers (`{ ok, result }` / `{ ok: false, error_code, description }`),
 * including the checks our code must survive: 4096-character limit after entity parsing, HTML that
 * does not parse, "message is not modified", and scripted failures such as 429 with retry_after.
 *
 * Long polling behaves like Telegram's too, because a fake that answers quickly hides client
 * timeouts: an idle `getUpdates` is held for its full `timeout` (seconds) and answered `[]`; an
 * update pushed meanwhile answers it at once; `offset` confirms (and forgets) every earlier update;
 * a poll that arrives while another is held is answered 409 "terminated by other getUpdates
 * request"; while a webhook is set, getUpdates is answered 409 as well. A held poll whose client
 * hangs up is dropped, as a server sees the closed connection.
 */
export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  /** Milliseconds since the server started (performance clock). */
  at: number;
}

export interface ScriptedFailure {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number };
}

/** One getUpdates call, from arrival to answer. */
export interface RecordedPoll {
  offset: number;
  /** The `timeout` asked for, seconds. */
  timeout: number;
  /** Milliseconds since the server started (performance clock). */
  startedAt: number;
  endedAt?: number;
  /** updates: answered with some; idle: held for the full timeout, answered []; conflict: 409; gone: the client hung up. */
  outcome?: "updates" | "idle" | "conflict" | "gone";
}

export const POLL_CONFLICT =
  "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
export const WEBHOOK_CONFLICT =
  "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";

interface StoredMessage {
  text: string;
  parseMode?: string;
}

export const BOT_TOKEN = "123456789:TEST-token_abcdefghijklmnopqrstuvwxyz";
export const BOT_INFO = {
  id: 123456789,
  is_bot: true as const,
  first_name: "OpenClaw",
  username: "openclaw_test_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

const TAGS = new Set([
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "code",
  "pre",
  "a",
  "tg-spoiler",
  "blockquote",
]);

export class FakeBotApi {
  readonly calls: RecordedCall[] = [];
  readonly polls: RecordedPoll[] = [];
  readonly messages = new Map<string, StoredMessage>();
  /** Updates handed out by getUpdates (long polling). */
  readonly updates: unknown[] = [];
  private readonly failures = new Map<string, ScriptedFailure[]>();
  private nextMessageId = 1000;
  private server: Server | undefined;
  private readonly started = performance.now();
  private pollWaiters: Array<() => void> = [];
  private held: RecordedPoll | undefined;
  /** The URL setWebhook registered; getUpdates is refused while one is set, as on Telegram. */
  webhookUrl = "";
  apiRoot = "";

  constructor(private readonly token = BOT_TOKEN) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.apiRoot = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const wake of this.pollWaiters.splice(0)) wake();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** The next `count` calls of `method` fail like this. */
  failNext(method: string, failure: ScriptedFailure, count = 1): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < count; i++) list.push(failure);
    this.failures.set(method, list);
  }

  pushUpdate(update: unknown): void {
    this.updates.push(update);
    for (const wake of this.pollWaiters.splice(0)) wake();
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Texts the bot sent to a chat with sendMessage, in order. */
  sentTexts(chatId?: number): string[] {
    return this.callsOf("sendMessage")
      .filter((c) => chatId === undefined || c.params.chat_id === chatId)
      .map((c) => String(c.params.text));
  }

  /** What a chat shows now: each message's current text as the user sees it (entities parsed). */
  visibleTexts(chatId: number): string[] {
    return [...this.messages.entries()]
      .filter(([key]) => key.startsWith(`${chatId}:`))
      .sort(([a], [b]) => Number(a.split(":")[1]) - Number(b.split(":")[1]))
      .map(([, m]) => (m.parseMode === "HTML" ? (parseHtml(m.text) ?? m.text) : m.text));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? "");
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const fail = (f: ScriptedFailure) => reply(f.error_code, { ok: false, ...f });
    if (!match || match[1] !== this.token) return fail({ error_code: 401, description: "Unauthorized" });
    const method = match[2] ?? "";
    let params: Record<string, unknown> = {};
    try {
      const raw = Buffer.concat(chunks).toString("utf8");
      params = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      return fail({ error_code: 400, description: "Bad Request: invalid JSON" });
    }
    this.calls.push({ method, params, at: this.now() });
    const scripted = this.failures.get(method)?.shift();
    if (scripted) return fail(scripted);
    const result = method === "getUpdates" ? await this.poll(params, res) : await this.answer(method, params);
    if (hungUp(res)) return;
    if ("error_code" in result) return fail(result);
    reply(200, { ok: true, result: result.value });
  }

  private async answer(
    method: string,
    p: Record<string, unknown>,
  ): Promise<{ value: unknown } | ScriptedFailure> {
    const chatId = Number(p.chat_id);
    switch (method) {
      case "getMe":
        return { value: BOT_INFO };
      case "setWebhook":
        this.webhookUrl = String(p.url ?? "");
        return { value: true };
      case "deleteWebhook":
        this.webhookUrl = "";
        return { value: true };
      case "sendChatAction":
        return { value: true };
      case "sendMessage": {
        const checked = checkText(p);
        if ("error_code" in checked) return checked;
        const messageId = this.nextMessageId++;
        this.messages.set(`${chatId}:${messageId}`, { text: String(p.text), parseMode: mode(p) });
        return { value: message(chatId, messageId, checked.visible) };
      }
      case "editMessageText": {
        const key = `${chatId}:${Number(p.message_id)}`;
        const existing = this.messages.get(key);
        if (!existing) return { error_code: 400, description: "Bad Request: message to edit not found" };
        const checked = checkText(p);
        if ("error_code" in checked) return checked;
        if (existing.text === p.text && existing.parseMode === mode(p)) {
          return {
            error_code: 400,
            description:
              "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
          };
        }
        this.messages.set(key, { text: String(p.text), parseMode: mode(p) });
        return { value: message(chatId, Number(p.message_id), checked.visible) };
      }
      default:
        return { error_code: 404, description: "Not Found: method not found" };
    }
  }

  private now(): number {
    return performance.now() - this.started;
  }

  private async poll(
    p: Record<string, unknown>,
    res: ServerResponse,
  ): Promise<{ value: unknown } | ScriptedFailure> {
    const offset = Number(p.offset ?? 0);
    const record: RecordedPoll = { offset, timeout: Number(p.timeout ?? 0), startedAt: this.now() };
    this.polls.push(record);
    const end = (outcome: NonNullable<RecordedPoll["outcome"]>) => {
      record.outcome = outcome;
      record.endedAt = this.now();
    };
    if (this.webhookUrl) {
      end("conflict");
      return { error_code: 409, description: WEBHOOK_CONFLICT };
    }
    if (this.held) {
      end("conflict");
      return { error_code: 409, description: POLL_CONFLICT };
    }
    // A positive offset confirms every update before it: Telegram forgets them.
    if (offset > 0) {
      const kept = this.updates.filter((u) => updateId(u) >= offset);
      this.updates.splice(0, this.updates.length, ...kept);
    }
    if (this.updates.length === 0 && record.timeout > 0) {
      this.held = record;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          res.off("close", done);
          this.pollWaiters = this.pollWaiters.filter((w) => w !== done);
          resolve();
        };
        const timer = setTimeout(done, record.timeout * 1000);
        this.pollWaiters.push(done);
        res.once("close", done);
      });
      this.held = undefined;
    }
    if (hungUp(res)) {
      end("gone");
      return { value: [] };
    }
    const limit = Math.min(Math.max(Number(p.limit ?? 100), 1), 100);
    const answer = this.updates.slice(0, limit);
    end(answer.length > 0 ? "updates" : "idle");
    return { value: answer };
  }
}

/** Whether the client closed the connection before its answer was written. */
function hungUp(res: ServerResponse): boolean {
  return !res.writableEnded && (res.destroyed || res.socket === null || res.socket.destroyed);
}

function updateId(update: unknown): number {
  return Number((update as { update_id: number }).update_id);
}

function mode(p: Record<string, unknown>): string | undefined {
  return typeof p.parse_mode === "string" ? p.parse_mode : undefined;
}

function message(chatId: number, messageId: number, text: string) {
  return {
    message_id: messageId,
    date: Math.floor(Date.now() / 1000),
    chat: { id: chatId, type: "private", first_name: "User" },
    from: { id: BOT_INFO.id, is_bot: true, first_name: BOT_INFO.first_name, username: BOT_INFO.username },
    text,
  };
}

function checkText(p: Record<string, unknown>): { visible: string } | ScriptedFailure {
  if (typeof p.text !== "string")
    return { error_code: 400, description: "Bad Request: message text is empty" };
  let visible = p.text;
  if (p.parse_mode === "HTML") {
    const parsed = parseHtml(p.text);
    if (parsed === undefined) {
      return {
        error_code: 400,
        description: "Bad Request: can't parse entities: Unsupported start tag at byte offset 0",
      };
    }
    visible = parsed;
  } else if (p.parse_mode !== undefined) {
    return { error_code: 400, description: "Bad Request: unsupported parse_mode in this fake" };
  }
  if (visible.trim() === "") return { error_code: 400, description: "Bad Request: message text is empty" };
  if (visible.length > 4096) return { error_code: 400, description: "Bad Request: message is too long" };
  return { visible };
}

/** Telegram's HTML: known tags, properly nested, entities &lt; &gt; &amp; &quot;. Undefined when it does not parse. */
export function parseHtml(html: string): string | undefined {
  const stack: string[] = [];
  let visible = "";
  const re = /<(\/?)([a-z-]+)(\s[^<>]*)?>|&(lt|gt|amp|quot);|[<>]|&/g;
  let last = 0;
  for (const m of html.matchAll(re)) {
    visible += html.slice(last, m.index);
    last = m.index + m[0].length;
    if (m[0] === "<" || m[0] === ">") return undefined;
    if (m[0] === "&") return undefined;
    if (m[4]) {
      visible += { lt: "<", gt: ">", amp: "&", quot: '"' }[m[4]];
      continue;
    }
    const tag = m[2] ?? "";
    if (!TAGS.has(tag)) return undefined;
    if (m[1]) {
      if (stack.pop() !== tag) return undefined;
    } else stack.push(tag);
  }
  visible += html.slice(last);
  return stack.length === 0 ? visible : undefined;
}

let nextUpdateId = 500_000;
export function nextId(): number {
  return nextUpdateId++;
}

/** A private-chat text message as Telegram sends it (commands carry a bot_command entity). */
export function textUpdate(text: string, from = 4242, updateId = nextId()) {
  const command = /^\/\w+(@\w+)?/.exec(text);
  return {
    update_id: updateId,
    message: {
      message_id: updateId % 100_000,
      date: 1_790_000_000,
      chat: { id: from, type: "private", first_name: "Ada", username: "ada" },
      from: { id: from, is_bot: false, first_name: "Ada", username: "ada", language_code: "en" },
      text,
      ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
    },
  };
}
