import * as z from "zod";
import { ChannelApiError, type JsonRequestOptions, requestJson } from "./http-json";

export const DISCORD_API_BASE_URL = "https://discord.com/api/v10";
/** Discord refuses message content longer than this. */
export const DISCORD_MAX_CHARS = 2000;

const MessageSchema = z.object({ id: z.string() });

export interface DiscordRestOptions extends JsonRequestOptions {
  /** Env DISCORD_API_BASE_URL; tests point it at a fake server on loopback. */
  baseUrl?: string;
  /** Needed only for bot calls (channel messages, command registration); webhooks use the interaction token. */
  botToken?: string;
}

/**
 * The few Discord REST calls the channel makes. Interaction webhooks (`/webhooks/{app}/{token}`) need
 * no bot token: the interaction token is the credential, valid 15 minutes.
 */
export class DiscordRest {
  private readonly base: string;

  constructor(private readonly options: DiscordRestOptions = {}) {
    this.base = (options.baseUrl ?? DISCORD_API_BASE_URL).replace(/\/+$/, "");
  }

  editOriginal(applicationId: string, token: string, content: string): Promise<{ id: string }> {
    return this.message("PATCH", `/webhooks/${applicationId}/${token}/messages/@original`, content);
  }

  followUp(applicationId: string, token: string, content: string): Promise<{ id: string }> {
    return this.message("POST", `/webhooks/${applicationId}/${token}`, content);
  }

  editFollowUp(applicationId: string, token: string, messageId: string, content: string) {
    return this.message("PATCH", `/webhooks/${applicationId}/${token}/messages/${messageId}`, content);
  }

  createMessage(channelId: string, content: string): Promise<{ id: string }> {
    return this.message("POST", `/channels/${channelId}/messages`, content, true);
  }

  editMessage(channelId: string, messageId: string, content: string): Promise<{ id: string }> {
    return this.message("PATCH", `/channels/${channelId}/messages/${messageId}`, content, true);
  }

  /** Replaces the app's global slash commands (what scripts/discord-register-commands.ts does). */
  async putGlobalCommands(applicationId: string, commands: unknown[]): Promise<unknown> {
    return this.call("PUT", `/applications/${applicationId}/commands`, commands, true);
  }

  private async message(method: string, path: string, content: string, bot = false) {
    const body = await this.call(
      method,
      path,
      // No pings from agent text: a reply mentioning @everyone must not notify a server.
      { content: content.slice(0, DISCORD_MAX_CHARS), allowed_mentions: { parse: [] } },
      bot,
    );
    const parsed = MessageSchema.safeParse(body);
    if (!parsed.success)
      throw new ChannelApiError("BAD_RESPONSE", "Discord answered without a message id", 200, false);
    return parsed.data;
  }

  private async call(method: string, path: string, payload: unknown, bot: boolean): Promise<unknown> {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "DiscordBot (https://github.com/serverless-openclaw, 0.1)",
    };
    if (bot) {
      if (!this.options.botToken) {
        throw new ChannelApiError(
          "DISCORD_NOT_CONFIGURED",
          "no Discord bot token is stored (discord/bot-token)",
          0,
          false,
        );
      }
      headers.authorization = `Bot ${this.options.botToken}`;
    }
    const res = await requestJson(
      `${this.base}${path}`,
      { method, headers, body: JSON.stringify(payload) },
      this.options,
    );
    if (res.status >= 200 && res.status < 300) return res.body;
    const code = z.object({ code: z.number() }).safeParse(res.body).data?.code;
    throw new ChannelApiError(
      code === 50027 ? "INTERACTION_EXPIRED" : `DISCORD_${res.status}`,
      `Discord answered ${res.status}${code ? ` (code ${code})` : ""} to ${method} ${path.split("/")[1]}`,
      res.status,
      res.status >= 500,
    );
  }
}
