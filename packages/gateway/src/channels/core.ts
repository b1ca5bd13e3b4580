import type { AgentState, AgentStatusEvent, ChatChannel, ReplyTarget } from "@serverless-openclaw/shared";
import type { Logger } from "../deps";
import { GatewayError } from "../errors";
import type { Clock, SecretStore, SettingsStore } from "../ports";
import type { SendInput, SendOptions, SendResult } from "../services/chat";
import { type AnyChannelCommand, CHANNEL_COMMANDS } from "./commands";
import { currentConversation } from "./conversations";
import type { ChannelAccount, ChannelPairFailure, ChannelPairingService } from "./pairing";
import { type ChannelPairingDeps, channelPairing } from "./registry";
import type { ChannelSchedulesPort } from "./schedule-commands";
import { CHANNEL_SPECS, type ChannelSpec } from "./spec";
import { type ChannelTexts, channelTexts, describeFailure, describeStartFailure } from "./texts";

/** What a channel needs from ChatService (services/chat.ts), in its own types; the real service satisfies it. */
export interface ChannelChatPort {
  send(input: SendInput, options?: Pick<SendOptions, "stoppingWaitMs">): Promise<SendResult>;
}

/** What a channel needs from LifecycleService (services/lifecycle.ts). */
export interface ChannelLifecyclePort {
  status(userId: string): Promise<AgentStatusEvent>;
  stop(userId: string, reason: string): Promise<AgentStatusEvent>;
}

/** What every chat app's entry point (Telegram's bot loader, Discord's and Slack's webhooks) is given. */
export interface ChannelEntryDeps {
  secrets: SecretStore;
  settings: SettingsStore;
  clock: Clock;
  logger: Logger;
  chat: ChannelChatPort;
  lifecycle: ChannelLifecyclePort;
}

export interface ChannelCoreDeps extends Omit<ChannelEntryDeps, "secrets"> {
  spec: ChannelSpec;
  pairing: ChannelPairingService;
  /** Defaults to CHANNEL_COMMANDS (tests may add their own). */
  commands?: readonly AnyChannelCommand[];
  /** Lets /schedule create and change schedules; without it the command points to the web app. */
  schedules?: ChannelSchedulesPort;
}

/** What became of an inbound chat message. `reply`, when set, is said back to the person at once. */
export type InboundOutcome =
  | { kind: "not-paired"; reply: string }
  | { kind: "empty"; reply: string }
  | { kind: "duplicate" }
  | { kind: "accepted"; userId: string; agentState: AgentState; reply?: string }
  | { kind: "refused"; reply: string };

/**
 * The channel-neutral part of a chat bot: pairing, commands, and routing an inbound message to
 * ChatService. Adapters (Telegram, Discord, Slack) turn their platform's payloads into calls here and
 * the returned text into their platform's answer. Unpaired accounts get one explanation and nothing
 * else: no queue write, no task start, no cost.
 */
export class ChannelCore {
  readonly texts: ChannelTexts;
  readonly commands: readonly AnyChannelCommand[];

  constructor(readonly deps: ChannelCoreDeps) {
    this.commands = deps.commands ?? CHANNEL_COMMANDS;
    this.texts = channelTexts(deps.spec, helpText(deps.spec, this.commands));
  }

  get spec(): ChannelSpec {
    return this.deps.spec;
  }

  lookup(externalUserId: string): Promise<string | undefined> {
    return this.deps.pairing.lookup(externalUserId);
  }

  /** `/pair CODE`: pairs an unpaired account and names the web account; never moves a paired one. */
  async pair(account: ChannelAccount, input: string): Promise<string> {
    if (input.trim() === "") return this.texts.pairUsage;
    const result = await this.deps.pairing.redeem(input, account);
    if (result.ok) {
      this.deps.logger.info(`${this.spec.channel} account paired`, { userId: result.pairing.userId });
      return result.already ? this.texts.alreadyPaired(result.target) : this.texts.paired(result.target);
    }
    return this.pairFailure(result);
  }

  /**
   * A code that arrived by a link (Telegram's `/start CODE`): a tap, not a decision, so nothing is
   * paired yet. The answer names the web account and asks for `confirm` (the `/pair CODE` command).
   */
  async pairPreview(account: ChannelAccount, input: string): Promise<{ text: string; confirm?: string }> {
    const result = await this.deps.pairing.preview(input, account);
    if (!result.ok) return { text: this.pairFailure(result) };
    if (result.already) return { text: this.texts.alreadyPaired(result.target) };
    const confirm = this.spec.command("pair", result.code);
    return { text: this.texts.confirmPair(result.target, confirm), confirm };
  }

  private pairFailure(result: ChannelPairFailure): string {
    if (result.reason === "paired-elsewhere") {
      this.deps.logger.warn(`${this.spec.channel} pairing refused: account paired with another user`);
      return this.texts.pairedElsewhere(result.current, result.target);
    }
    return result.reason === "malformed" ? this.texts.pairMalformed : this.texts.pairUnknown;
  }

  findCommand(name: string): AnyChannelCommand | undefined {
    const wanted = name.toLowerCase();
    return this.commands.find((c) => c.name === wanted);
  }

  /** Runs a command by name; the answer text (unknown commands get a pointer to help). */
  async command(name: string, account: ChannelAccount, args: string): Promise<string> {
    const command = this.findCommand(name);
    if (!command) return this.texts.unknownCommand;
    const userId = await this.lookup(account.id);
    if (!command.paired) return command.run({ core: this, account, args, userId });
    if (!userId) return this.texts.notPaired;
    return this.guard(userId, () => command.run({ core: this, account, args, userId }));
  }

  /**
   * A chat message for the agent. `clientMessageId` must be stable for the platform's message (the
   * update or event id), so a redelivery is a duplicate in the queue.
   */
  async message(input: {
    account: ChannelAccount;
    text: string;
    clientMessageId: string;
    replyTo: ReplyTarget;
  }): Promise<InboundOutcome> {
    const userId = await this.lookup(input.account.id);
    if (!userId) return { kind: "not-paired", reply: this.texts.notPaired };
    if (input.text.trim() === "") return { kind: "empty", reply: this.texts.emptyMessage };
    try {
      const conversationId = await currentConversation(this.deps, this.spec, userId, input.account.id);
      const result = await this.deps.chat.send(
        {
          userId,
          conversationId,
          clientMessageId: input.clientMessageId,
          text: input.text,
          channel: this.spec.channel,
          replyTo: input.replyTo,
        },
        // A message during an idle stop starts a new agent once the old one is down (ChatService.send).
        this.spec.stoppingWaitMs !== undefined ? { stoppingWaitMs: this.spec.stoppingWaitMs } : {},
      );
      if (result.ack === "duplicate") return { kind: "duplicate" };
      const accepted = { kind: "accepted" as const, userId, agentState: result.agentState };
      if (result.answered) return { ...accepted, reply: result.answered.message };
      if (result.agentState === "Starting") return { ...accepted, reply: this.texts.waking };
      if (result.agentState === "Idle") {
        // Idle right after a send means the start failed (the message stays queued for the next one).
        const status = await this.deps.lifecycle.status(userId);
        return { ...accepted, reply: status.error ? describeStartFailure(status.error) : this.texts.waking };
      }
      return accepted;
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      this.deps.logger.warn(`${this.spec.channel} message refused`, { code: error.code, userId });
      return { kind: "refused", reply: describeFailure(error) };
    }
  }

  /** Errors a person can act on are answered; anything else is rethrown so the platform retries. */
  private async guard(userId: string, run: () => Promise<string>): Promise<string> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      this.deps.logger.warn(`${this.spec.channel} request refused`, { code: error.code, userId });
      return describeFailure(error);
    }
  }
}

/** The help text: every command in the channel's syntax. */
export function helpText(spec: ChannelSpec, commands: readonly AnyChannelCommand[]): string {
  const lines = commands.map((c) => {
    const arg = c.arg ? (c.arg.name === "code" ? "CODE" : c.arg.name) : undefined;
    return `${spec.command(c.name, arg)} – ${c.description}`;
  });
  return ["Talk to your OpenClaw agent: just send a message.", "", ...lines].join("\n");
}

/** The channel core behind a chat app's webhook (Discord, Slack): its spec, its pairing, the entry's deps. */
export function webhookChannelCore(
  deps: ChannelEntryDeps & ChannelPairingDeps,
  channel: Exclude<ChatChannel, "telegram">,
): ChannelCore {
  const { settings, clock, logger, chat, lifecycle } = deps;
  return new ChannelCore({
    spec: CHANNEL_SPECS[channel],
    settings,
    clock,
    logger,
    chat,
    lifecycle,
    pairing: channelPairing(deps, channel),
  });
}
