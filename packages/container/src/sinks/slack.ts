import { SLACK_MAX_CHARS, slackEscapedWidth } from "@serverless-openclaw/gateway/agent";
import type { PendingMessage, RelayHandle } from "@serverless-openclaw/shared";
import { type ChatSinkDeps, EditingReplySink, splitText } from "./editing-sink";

export type SlackSinkDeps = ChatSinkDeps;

interface Target {
  /** The pending message the relay posts for (its channel, thread and status message). */
  pendingId: string;
  /** Throttling key. */
  channel: string;
}

/**
 * Streams a reply into Slack: one message (chat.postMessage, in the mention's thread when there is
 * one; or the status message the gateway posted, replaced) updated with chat.update as the text
 * grows, at most about once a second per conversation (chat.update is a Tier 3 method), continued in
 * new messages beyond ~3900 characters. Every call goes through the gateway's chat relay, which holds
 * the bot token, posts only to the pending message's own channel and thread, and sends the text
 * escaped (SlackWeb): an agent's `<!channel>` or `<https://evil|https://bank>` shows as typed.
 */
export class SlackReplySink extends EditingReplySink<Target, RelayHandle> {
  constructor(private readonly deps: SlackSinkDeps) {
    super({
      logger: deps.logger,
      name: "slack",
      maxChars: deps.maxMessageChars ?? SLACK_MAX_CHARS,
      minEditIntervalMs: deps.minEditIntervalMs ?? 1200,
      ...(deps.now ? { now: deps.now } : {}),
    });
  }

  protected async targetOf(message: PendingMessage): Promise<Target | undefined> {
    const to = message.replyTo;
    if (to.channel !== "slack") return undefined;
    return { pendingId: message.id, channel: to.channelId };
  }

  /** SlackWeb escapes `& < >`, so a piece is measured as Slack will count it. */
  protected override split(text: string): string[] {
    return splitText(text, this.options.maxChars, slackEscapedWidth);
  }

  protected keyOf(target: Target): string {
    return target.channel;
  }

  protected async send(target: Target, piece: string, index: number): Promise<RelayHandle> {
    const sent = await this.deps.relay.call(target.pendingId, {
      op: "slack.send",
      text: piece,
      first: index === 0,
    });
    if (!sent.message) throw new Error("the relay answered a send without the message");
    return sent.message;
  }

  protected async edit(target: Target, message: RelayHandle, piece: string): Promise<RelayHandle> {
    await this.deps.relay.call(target.pendingId, { op: "slack.edit", message, text: piece });
    return message;
  }
}
