import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedCall {
  platform: "discord" | "slack";
  method: string;
  path: string;
  body: Record<string, unknown>;
  authorization?: string | undefined;
}

/** A message as the platform would show it now. */
export interface ShownMessage {
  id: string;
  text: string;
  /** Discord: the interaction token; Slack: the channel. */
  where: string;
  thread?: string;
}

/**
 * Discord's REST API and Slack's Web API, as far as the channels use them, on one loopback server:
 * `/discord/api/v10/...` and `/slack/api/<method>`. Messages are kept so a test can read what a person
 * would see; 429s can be scripted (Discord's `retry_after` in the body, Slack's Retry-After header).
 */
export class FakeChatApis {
  readonly calls: RecordedCall[] = [];
  readonly messages = new Map<string, ShownMessage>();
  private server: Server | undefined;
  private nextId = 1_000;
  private ratelimits: Array<{ platform: "discord" | "slack"; seconds: number }> = [];
  private port = 0;
  /** Tokens of interactions Discord should treat as expired (15 minutes passed). */
  readonly expiredTokens = new Set<string>();
  /** The last bulk-registered slash commands. */
  registered: Array<{ name: string }> = [];

  get discordBase() {
    return `http://127.0.0.1:${this.port}/discord/api/v10`;
  }
  get slackBase() {
    return `http://127.0.0.1:${this.port}/slack/api`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
        } catch {}
        const url = new URL(req.url ?? "/", "http://x");
        const platform = url.pathname.startsWith("/discord/") ? "discord" : "slack";
        const path = url.pathname.replace(/^\/(discord\/api\/v10|slack\/api)/, "");
        const call: RecordedCall = {
          platform,
          method: req.method ?? "GET",
          path,
          body,
          authorization: req.headers.authorization,
        };
        this.calls.push(call);
        const limit = this.ratelimits.findIndex((r) => r.platform === platform);
        if (limit >= 0) {
          const [r] = this.ratelimits.splice(limit, 1);
          const seconds = r?.seconds ?? 0;
          res.writeHead(429, { "content-type": "application/json", "retry-after": String(seconds) });
          res.end(
            JSON.stringify(
              platform === "discord"
                ? { message: "rate limited", retry_after: seconds }
                : { ok: false, error: "ratelimited" },
            ),
          );
          return;
        }
        const [status, out] = platform === "discord" ? this.discord(call) : this.slack(call);
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(out));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  rateLimitNext(platform: "discord" | "slack", seconds: number) {
    this.ratelimits.push({ platform, seconds });
  }

  reset() {
    this.calls.length = 0;
    this.messages.clear();
  }

  /** What a Discord interaction's messages show, original first. */
  discordTexts(token: string): string[] {
    return [...this.messages.values()].filter((m) => m.where === token).map((m) => m.text);
  }

  /** What a Slack conversation shows, in order. */
  slackTexts(channel: string): string[] {
    return [...this.messages.values()].filter((m) => m.where === channel).map((m) => m.text);
  }

  private discord(call: RecordedCall): [number, unknown] {
    const content = typeof call.body.content === "string" ? call.body.content : "";
    if (content.length > 2000) return [400, { code: 50035, message: "Invalid Form Body" }];
    const hook = /^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/([^/]+))?$/.exec(call.path);
    if (hook) {
      const token = hook[2] ?? "";
      if (this.expiredTokens.has(token)) return [401, { code: 50027, message: "Invalid Webhook Token" }];
      const which = hook[3];
      if (call.method === "PATCH" && which) {
        const key = which === "@original" ? `orig:${token}` : which;
        const id = which === "@original" ? key : which;
        this.messages.set(key, { id, text: content, where: token });
        return [200, { id }];
      }
      if (call.method === "POST" && !which) {
        const id = String(this.nextId++);
        this.messages.set(id, { id, text: content, where: token });
        return [200, { id }];
      }
    }
    const commands = /^\/applications\/(\d+)\/commands$/.exec(call.path);
    if (commands && call.method === "PUT") {
      if (call.authorization !== "Bot bot-token-1") return [401, { code: 0, message: "401: Unauthorized" }];
      this.registered = call.body as unknown as Array<{ name: string }>;
      return [200, this.registered];
    }
    const channel = /^\/channels\/(\d+)\/messages(?:\/(\d+))?$/.exec(call.path);
    if (channel) {
      if (!call.authorization?.startsWith("Bot ")) return [401, { code: 0, message: "401: Unauthorized" }];
      const id = channel[2] ?? String(this.nextId++);
      this.messages.set(id, { id, text: content, where: `channel:${channel[1]}` });
      return [200, { id }];
    }
    return [404, { code: 0, message: "404: Not Found" }];
  }

  private slack(call: RecordedCall): [number, unknown] {
    if (call.authorization !== "Bearer xoxb-test-token") return [200, { ok: false, error: "invalid_auth" }];
    const channel = String(call.body.channel ?? "");
    const text = String(call.body.text ?? "");
    if (call.path === "/chat.postMessage") {
      const ts = `1790000000.${String(this.nextId++).padStart(6, "0")}`;
      const thread = typeof call.body.thread_ts === "string" ? call.body.thread_ts : undefined;
      this.messages.set(ts, { id: ts, text, where: channel, ...(thread ? { thread } : {}) });
      return [200, { ok: true, channel, ts }];
    }
    if (call.path === "/chat.update") {
      const ts = String(call.body.ts ?? "");
      const existing = this.messages.get(ts);
      if (!existing) return [200, { ok: false, error: "message_not_found" }];
      this.messages.set(ts, { ...existing, text });
      return [200, { ok: true, channel, ts }];
    }
    return [200, { ok: false, error: "unknown_method" }];
  }
}
