import { KEYS, LIMITS, type ReplyTarget } from "@serverless-openclaw/shared";
import * as z from "zod";
import type { Logger } from "../deps";
import type { Clock, SettingsStore } from "../ports";
import type { ChannelCore, InboundOutcome } from "./core";
import type { SlackWeb } from "./slack-api";

const id = z.string().regex(/^[A-Z0-9]{1,32}$/);
const ts = z.string().regex(/^\d{1,20}\.\d{1,10}$/);

const SlackEventSchema = z.object({
  type: z.string().max(64),
  subtype: z.string().max(64).optional(),
  user: id.optional(),
  bot_id: z.string().max(64).optional(),
  text: z.string().max(LIMITS.maxMessageChars).optional(),
  channel: id.optional(),
  channel_type: z.string().max(16).optional(),
  ts: ts.optional(),
  thread_ts: ts.optional(),
});

/** The outer payloads of the Events API that the channel reads; other fields are dropped. */
export const SlackEnvelopeSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("url_verification"), challenge: z.string().max(200) }),
  z.object({
    type: z.literal("event_callback"),
    team_id: id,
    event_id: z.string().regex(/^[A-Za-z0-9]{1,64}$/),
    event: SlackEventSchema,
  }),
]);
export type SlackEnvelope = z.infer<typeof SlackEnvelopeSchema>;

/** A slash command's form fields (`/openclaw <command> [args]`, or `/openclaw <question>`). */
export const SlackCommandSchema = z.object({
  command: z.string().max(64),
  text: z.string().max(LIMITS.maxMessageChars).default(""),
  user_id: id,
  team_id: id,
  channel_id: id,
  user_name: z.string().max(64).optional(),
  trigger_id: z.string().max(200).optional(),
});
export type SlackCommand = z.infer<typeof SlackCommandSchema>;

export interface SlackChannelDeps {
  core: ChannelCore;
  settings: SettingsStore;
  clock: Clock;
  logger: Logger;
  /** The Web API client with the bot token; undefined when no token is stored (replies are then logged). */
  web: () => Promise<SlackWeb | undefined>;
}

export type SlackEventOutcome = "handled" | "duplicate" | "ignored";

/**
 * Slack's side of the channel core: DMs to the app and @mentions become chat messages (replies in the
 * DM, or in the mention's thread); `/openclaw …` runs a command or asks a question. Slack retries an
 * event it did not see answered in 3 s, so each event_id is claimed once (kept a week) before it runs.
 */
export class SlackChannel {
  constructor(private readonly deps: SlackChannelDeps) {}

  async event(envelope: Extract<SlackEnvelope, { type: "event_callback" }>): Promise<SlackEventOutcome> {
    const { event } = envelope;
    const dm = event.type === "message" && event.channel_type === "im";
    const mention = event.type === "app_mention";
    // Edits, joins, bot messages (our own replies included) are not questions.
    if ((!dm && !mention) || event.subtype || event.bot_id || !event.user || !event.channel || !event.ts) {
      return "ignored";
    }
    const { settings, clock } = this.deps;
    const keys = KEYS.channel("slack");
    const nowSeconds = Math.floor(clock.now().getTime() / 1000);
    const claimed = await settings.putIfAbsent(
      keys.eventsPartition,
      keys.event(envelope.event_id),
      { receivedAt: nowSeconds },
      { expiresAt: nowSeconds + LIMITS.dedupeTtlSeconds },
    );
    if (!claimed) return "duplicate";
    try {
      const threadTs = mention ? (event.thread_ts ?? event.ts) : event.thread_ts;
      const text = (event.text ?? "").replace(/<@[A-Z0-9]+>/g, "").trim();
      const outcome = await this.deps.core.message({
        account: { id: `${envelope.team_id}:${event.user}` },
        text,
        clientMessageId: `sl-${envelope.event_id}`,
        replyTo: { channel: "slack", channelId: event.channel, ...(threadTs ? { threadTs } : {}) },
      });
      await this.say(outcome, event.channel, threadTs);
    } catch (error) {
      // Released so Slack's retry gets another chance; the queued message is idempotent on sl-<event_id>.
      await settings.delete(keys.eventsPartition, keys.event(envelope.event_id));
      throw error;
    }
    return "handled";
  }

  /** A slash command; the returned text is the ephemeral answer. */
  async command(input: SlackCommand): Promise<string> {
    const { core } = this.deps;
    const account = { id: `${input.team_id}:${input.user_id}`, username: input.user_name };
    const text = input.text.trim();
    const [first = "", ...rest] = text.split(/\s+/);
    if (text === "") return core.command("help", account, "");
    if (core.findCommand(first)) return core.command(first, account, rest.join(" "));
    const question = first.toLowerCase() === "ask" ? rest.join(" ") : text;
    const replyTo: ReplyTarget = { channel: "slack", channelId: input.channel_id };
    const triggerId = (input.trigger_id ?? "").replace(/[^A-Za-z0-9_-]/g, "-").slice(-56); // clientMessageId: at most 64 characters
    const outcome = await core.message({
      account,
      text: question,
      clientMessageId: triggerId ? `sl-cmd-${triggerId}` : `sl-cmd-${clockId(this.deps.clock)}`,
      replyTo,
    });
    if (outcome.kind === "accepted") return outcome.reply ?? "Sent to your agent; the reply appears here.";
    if (outcome.kind === "duplicate") return "Already sent to your agent.";
    return outcome.reply;
  }

  private async say(outcome: InboundOutcome, channel: string, threadTs: string | undefined) {
    if (!("reply" in outcome) || !outcome.reply) return;
    const web = await this.deps.web();
    if (!web) {
      this.deps.logger.error("slack: no bot token stored; cannot answer", { secret: "slack/bot-token" });
      return;
    }
    await web.postMessage({ channel, text: outcome.reply, threadTs });
  }
}

function clockId(clock: Clock): string {
  return `${clock.now().getTime().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}
