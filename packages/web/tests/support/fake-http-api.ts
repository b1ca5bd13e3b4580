import type { IncomingMessage } from "node:http";
import type { ChannelPairing, ConversationMeta, Settings, StoredMessage } from "@serverless-openclaw/shared";
import { DEFAULT_SETTINGS } from "@serverless-openclaw/shared";
import { JsonFake, type JsonReply } from "./json-server";

/**
 * A loopback stand-in for the management HTTP API with in-memory data, speaking the routes and
 * shapes of shared/src/api.ts (cursor = index of the oldest message already returned).
 */
export class FakeHttpApi extends JsonFake {
  conversations: ConversationMeta[] = [];
  messages = new Map<string, StoredMessage[]>();
  settings: Settings = { ...DEFAULT_SETTINGS };
  /** Telegram's paired accounts (the other channels have none here). */
  pairings: ChannelPairing[] = [];
  readonly requests: { method: string; path: string; auth: string }[] = [];

  static start(): Promise<FakeHttpApi> {
    return new FakeHttpApi().listen({
      "Access-Control-Allow-Origin": "*",
      "Access-Control-Allow-Headers": "authorization, content-type",
      "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE",
      "Content-Type": "application/json",
    });
  }

  get url(): string {
    return `${this.origin}/api`;
  }

  protected async handle(req: IncomingMessage): Promise<JsonReply> {
    if (req.method === "OPTIONS") return { status: 204 };
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname.replace(/^\/api/, "");
    this.requests.push({
      method: String(req.method),
      path: `${path}${url.search}`,
      auth: String(req.headers.authorization),
    });
    if (!String(req.headers.authorization).startsWith("Bearer "))
      return { status: 401, body: { error: { code: "TOKEN_MISSING", message: "sign in" } } };
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    const key = `${req.method} ${path}`;
    if (key === "GET /conversations") return { status: 200, body: { conversations: this.conversations } };
    if (key === "POST /conversations") {
      const now = new Date().toISOString();
      const meta: ConversationMeta = {
        conversationId: String(body.conversationId),
        title: String(body.title ?? "New chat"),
        channel: "web",
        createdAt: now,
        updatedAt: now,
      };
      this.conversations.push(meta);
      return { status: 201, body: meta };
    }
    if (key === "GET /settings") return { status: 200, body: this.settings };
    if (key === "PUT /settings") {
      const { apiKey, ...rest } = body as Partial<Settings> & { apiKey?: string | null };
      this.settings = {
        ...this.settings,
        ...rest,
        apiKeySet: apiKey === undefined ? this.settings.apiKeySet : apiKey !== null,
      };
      return { status: 200, body: this.settings };
    }
    if (key === "POST /agent/stop") return { status: 202, body: { type: "agent.status", state: "Stopping" } };
    if (key === "POST /channels/telegram/pairing-code")
      return {
        status: 201,
        body: {
          code: "K7P2M9QX",
          expiresAt: new Date(Date.now() + 600_000).toISOString(),
          instruction: "Send /pair K7P2M9QX to @my_openclaw_bot on Telegram",
          deepLink: "https://t.me/my_openclaw_bot?start=K7P2M9QX",
        },
      };
    if (key === "GET /channels/telegram/pairings") return { status: 200, body: { pairings: this.pairings } };
    const unpair = /^\/channels\/telegram\/pairings\/([^/]+)$/.exec(path);
    if (req.method === "DELETE" && unpair) {
      const id = decodeURIComponent(unpair[1] ?? "");
      this.pairings = this.pairings.filter((p) => p.externalUserId !== id);
      return { status: 204 };
    }
    const messages = /^\/conversations\/([^/]+)\/messages$/.exec(path);
    if (req.method === "GET" && messages) {
      const all = this.messages.get(messages[1] as string);
      if (!all)
        return { status: 404, body: { error: { code: "NOT_FOUND", message: "no such conversation" } } };
      const end = url.searchParams.has("before") ? Number(url.searchParams.get("before")) : all.length;
      const limit = Number(url.searchParams.get("limit") ?? 50);
      const start = Math.max(0, end - limit);
      return {
        status: 200,
        body: {
          conversationId: messages[1],
          messages: all.slice(start, end),
          ...(start > 0 ? { nextCursor: String(start) } : {}),
        },
      };
    }
    return { status: 404, body: { error: { code: "ROUTE_NOT_FOUND", message: key } } };
  }
}
