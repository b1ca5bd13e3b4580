import { ChannelApiError, DISCORD_MAX_CHARS, DiscordRest } from "@serverless-openclaw/gateway/agent";
import type { PendingMessage, RelayHandle } from "@serverless-openclaw/shared";
import { type ChatSinkDeps, EditingReplySink } from "./editing-sink";

export interface DiscordSinkDeps extends ChatSinkDeps {
  /** Env DISCORD_API_BASE_URL; Discord's own when absent. */
  baseUrl?: string;
}

interface Target {
  /** The pending message the relay posts for, once the interaction token expired. */
  pendingId: string;
  applicationId: string;
  token: string;
  channelId?: string;
  /** After the interaction token expired (15 minutes): bot messages in the channel instead. */
  viaBot: boolean;
}

type Handle = { kind: "original" } | { kind: "followup"; id: string } | { kind: "bot"; message: RelayHandle };

/**
 * Streams a reply into Discord by editing the interaction's original response (the "Waking up the
 * agent…" or "thinking…" shown when /ask was used), continuing in follow-up messages every 2000
 * characters. An interaction token lives 15 minutes; after that the reply goes to the channel with
 * the bot, through the gateway's chat relay (the task never holds the bot token; the interaction
 * token it does hold reaches only this interaction's response, for 15 minutes).
 */
export class DiscordReplySink extends EditingReplySink<Target, Handle> {
  private webhooks: DiscordRest;

  constructor(private readonly deps: DiscordSinkDeps) {
    super({
      logger: deps.logger,
      name: "discord",
      maxChars: deps.maxMessageChars ?? DISCORD_MAX_CHARS,
      // Webhook edits share a bucket of 5 per 2 s per interaction; one a second leaves room.
      minEditIntervalMs: deps.minEditIntervalMs ?? 1000,
      ...(deps.now ? { now: deps.now } : {}),
    });
    this.webhooks = new DiscordRest(deps.baseUrl ? { baseUrl: deps.baseUrl } : {});
  }

  protected async targetOf(message: PendingMessage): Promise<Target | undefined> {
    const to = message.replyTo;
    if (to.channel !== "discord") return undefined;
    this.deps.redactor?.add(to.interactionToken);
    return {
      pendingId: message.id,
      applicationId: to.applicationId,
      token: to.interactionToken,
      ...(to.channelId ? { channelId: to.channelId } : {}),
      viaBot: false,
    };
  }

  protected keyOf(target: Target): string {
    return target.token;
  }

  protected async send(target: Target, piece: string, index: number): Promise<Handle> {
    if (!target.viaBot) {
      try {
        if (index === 0) {
          await this.webhooks.editOriginal(target.applicationId, target.token, piece);
          return { kind: "original" };
        }
        return {
          kind: "followup",
          id: (await this.webhooks.followUp(target.applicationId, target.token, piece)).id,
        };
      } catch (error) {
        if (!(await this.switchToBot(target, error))) throw error;
      }
    }
    if (!target.channelId) throw new Error("no way left to reach the Discord channel");
    const sent = await this.deps.relay.call(target.pendingId, { op: "discord.send", text: piece });
    if (!sent.message) throw new Error("the relay answered a send without the message");
    return { kind: "bot", message: sent.message };
  }

  protected async edit(target: Target, handle: Handle, piece: string, index: number): Promise<Handle> {
    try {
      if (handle.kind === "original")
        await this.webhooks.editOriginal(target.applicationId, target.token, piece);
      else if (handle.kind === "followup")
        await this.webhooks.editFollowUp(target.applicationId, target.token, handle.id, piece);
      else
        await this.deps.relay.call(target.pendingId, {
          op: "discord.edit",
          message: handle.message,
          text: piece,
        });
      return handle;
    } catch (error) {
      // The token expired mid-reply: continue as a new bot message.
      if (handle.kind !== "bot" && (await this.switchToBot(target, error)))
        return this.send(target, piece, index);
      throw error;
    }
  }

  /** An expired or unknown interaction token (401/404/50027) moves the turn to bot messages, if possible. */
  private async switchToBot(target: Target, error: unknown): Promise<boolean> {
    const expired =
      error instanceof ChannelApiError &&
      (error.code === "INTERACTION_EXPIRED" || error.status === 401 || error.status === 404);
    if (!expired || !target.channelId) return false;
    this.deps.logger.info("discord interaction token expired; replying with the bot instead");
    target.viaBot = true;
    return true;
  }
}
