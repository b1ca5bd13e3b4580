import {
  SLACK_MAX_CHARS,
  SLACK_SECRETS,
  SlackWeb,
  slackEscapedWidth,
} from "@serverless-openclaw/gateway/channels/slack-api";
import type { PendingMessage } from "@serverless-openclaw/shared";
import { type ChatSinkDeps, EditingReplySink, splitText } from "./editing-sink";

export interface SlackSinkDeps extends ChatSinkDeps {
  /** Env SLACK_API_BASE_URL; Slack's own when absent. */
  baseUrl?: string;
}

interface Target {
  web: SlackWeb;
  channel: string;
  threadTs?: string;
  /** A status message the gateway posted, replaced by the reply's first piece. */
  statusTs?: string;
}

/**
 * Streams a reply into Slack: one message (chat.postMessage, in the mention's thread when there is
 * one) updated with chat.update as the text grows, at most about once a second per conversation
 * (chat.update is a Tier 3 method), continued in new messages beyond ~3900 characters. The text goes
 * out escaped (SlackWeb): an agent's `<!channel>` or `<https://evil|https://bank>` shows as typed.
 */
export class SlackReplySink extends EditingReplySink<Target, string> {
  private web: Promise<SlackWeb | undefined> | undefined;

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
    const web = await this.api();
    if (!web) return undefined;
    return {
      web,
      channel: to.channelId,
      ...(to.threadTs ? { threadTs: to.threadTs } : {}),
      ...(to.messageTs ? { statusTs: to.messageTs } : {}),
    };
  }

  /** SlackWeb escapes `& < >`, so a piece is measured as Slack will count it. */
  protected override split(text: string): string[] {
    return splitText(text, this.options.maxChars, slackEscapedWidth);
  }

  protected keyOf(target: Target): string {
    return target.channel;
  }

  protected async send(target: Target, piece: string, index: number): Promise<string> {
    if (index === 0 && target.statusTs) {
      await target.web.update({ channel: target.channel, ts: target.statusTs, text: piece });
      return target.statusTs;
    }
    return target.web.postMessage({ channel: target.channel, text: piece, threadTs: target.threadTs });
  }

  protected async edit(target: Target, ts: string, piece: string): Promise<string> {
    await target.web.update({ channel: target.channel, ts, text: piece });
    return ts;
  }

  private api(): Promise<SlackWeb | undefined> {
    this.web ??= this.deps.secrets.get(SLACK_SECRETS.botToken).then(
      (token) => {
        if (!token) {
          this.deps.logger.warn(
            `no Slack bot token (secret ${SLACK_SECRETS.botToken}): replies go to the web only`,
          );
          return undefined;
        }
        this.deps.redactor?.add(token);
        return new SlackWeb({ token, ...(this.deps.baseUrl ? { baseUrl: this.deps.baseUrl } : {}) });
      },
      (error: unknown) => {
        this.web = undefined;
        throw error;
      },
    );
    return this.web;
  }
}
