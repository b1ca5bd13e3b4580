import * as z from "zod";
import { ChannelApiError, type JsonRequestOptions, requestJson } from "./http-json";

export const SLACK_API_BASE_URL = "https://slack.com/api";
/** Slack truncates longer message text; pieces are kept below it. */
export const SLACK_MAX_CHARS = 3900;

/**
 * Slack reads `<…>` in message text as control sequences (`<!channel>`, `<@U…>`, `<url|label>`) and `&`
 * as the start of an entity; its docs ask for exactly these three to be escaped in text meant literally.
 * Everything our bots send is plain text (the agent's reply included), so every text is escaped here.
 */
export function escapeSlackText(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"));
}

/** How long a character becomes once escaped (for splitting replies below Slack's limit). */
export function slackEscapedWidth(char: string): number {
  return char === "&" ? 5 : char === "<" || char === ">" ? 4 : 1;
}

const ResponseSchema = z.object({ ok: z.boolean(), error: z.string().optional(), ts: z.string().optional() });

export interface SlackWebOptions extends JsonRequestOptions {
  token: string;
  /** Env SLACK_API_BASE_URL; tests point it at a fake server on loopback. */
  baseUrl?: string;
}

/**
 * The two Web API methods the channel needs (chat.postMessage, chat.update), with plain fetch.
 * `text` is plain text: it is escaped on the way out (a reply cannot ping `@channel` or disguise a link).
 * (@slack/web-api would add axios and a queue to every bundle for two calls.)
 */
export class SlackWeb {
  private readonly base: string;

  constructor(private readonly options: SlackWebOptions) {
    this.base = (options.baseUrl ?? SLACK_API_BASE_URL).replace(/\/+$/, "");
  }

  async postMessage(input: {
    channel: string;
    text: string;
    threadTs?: string | undefined;
  }): Promise<string> {
    const res = await this.call("chat.postMessage", {
      channel: input.channel,
      text: escapeSlackText(input.text),
      ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
      unfurl_links: false,
    });
    if (!res.ts) throw new ChannelApiError("BAD_RESPONSE", "Slack answered without a message ts", 200, false);
    return res.ts;
  }

  async update(input: { channel: string; ts: string; text: string }): Promise<void> {
    await this.call("chat.update", {
      channel: input.channel,
      ts: input.ts,
      text: escapeSlackText(input.text),
    });
  }

  private async call(method: string, args: Record<string, unknown>) {
    const res = await requestJson(
      `${this.base}/${method}`,
      {
        method: "POST",
        headers: {
          "content-type": "application/json; charset=utf-8",
          authorization: `Bearer ${this.options.token}`,
        },
        body: JSON.stringify(args),
      },
      this.options,
    );
    const parsed = ResponseSchema.safeParse(res.body);
    if (res.status >= 500)
      throw new ChannelApiError(`SLACK_${res.status}`, `Slack answered ${res.status}`, res.status, true);
    if (!parsed.success)
      throw new ChannelApiError(
        "BAD_RESPONSE",
        `Slack answered ${res.status} without JSON`,
        res.status,
        false,
      );
    if (!parsed.data.ok) {
      const error = parsed.data.error ?? "unknown_error";
      throw new ChannelApiError(`SLACK_${error}`, `Slack refused ${method}: ${error}`, res.status, false);
    }
    return parsed.data;
  }
}
