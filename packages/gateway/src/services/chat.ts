import { randomUUID } from "node:crypto";
import {
  type AgentState,
  type Channel,
  conversationTitle,
  KEYS,
  type LlmSetupProblem,
  type PendingMessage,
  type ReplyTarget,
  type StoredMessage,
  UNTITLED_TITLE,
} from "@serverless-openclaw/shared";
import type { GatewayDeps } from "../deps";
import { errorSummary } from "../errors";
import { pushTo } from "./broadcast";
import type { LifecycleService } from "./lifecycle";

export type ChatDeps = Pick<
  GatewayDeps,
  | "pending"
  | "conversations"
  | "taskState"
  | "connections"
  | "clientPush"
  | "agentPush"
  | "clock"
  | "logger"
  | "metrics"
>;

export interface SendInput {
  userId: string;
  conversationId: string;
  clientMessageId: string;
  /** Already validated by the caller with the shared schemas. */
  text: string;
  channel: Channel;
  replyTo: ReplyTarget;
}

export interface SendResult {
  ack: "queued" | "delivered" | "duplicate";
  agentState: AgentState;
  /**
   * Set when the gateway answered the message itself (no AI provider is set up, so no task was
   * started): the turn is stored with this error and the message is no longer pending. The caller
   * tells the user on its channel.
   */
  answered?: LlmSetupProblem;
}

export interface SendOptions {
  /**
   * Called once, before `send` returns, as soon as the message is stored and its ack known: before
   * the wait for a stopping agent (the web chat acknowledges at once, whatever the agent is doing).
   */
  acknowledged?: (result: SendResult) => Promise<void>;
  /**
   * How long to wait for a Stopping agent to be down before starting a new one (default 20 s). A
   * platform that must be answered within 3 s (Discord, Slack) waits less; a stop that takes longer
   * leaves the message pending for the next wake.
   */
  stoppingWaitMs?: number;
}

/** What is missing before the user's agent could answer (SettingsService.llmProblem). */
export type LlmSetupCheck = (userId: string) => Promise<LlmSetupProblem | undefined>;

/** The title of a conversation created empty (POST /conversations); its first message replaces it. */
export const UNTITLED = UNTITLED_TITLE;

/** A conversation's title: its first message, on one line, cut to the title limit. */
export const titleFrom = conversationTitle;

/**
 * Takes a user's message from any channel: stores it (idempotent on clientMessageId), keeps the
 * conversation's metadata current, and hands it to the running agent or wakes one. The message stays in
 * PendingMessages until the agent has stored the finished turn, so nothing here can lose it.
 */
export class ChatService {
  private lastReceivedMs = 0;

  /** `llmSetup`: without it every message goes to an agent (which then says what is missing). */
  constructor(
    private readonly deps: ChatDeps,
    private readonly lifecycle: LifecycleService,
    private readonly llmSetup?: LlmSetupCheck,
  ) {}

  /**
   * A message's time, strictly increasing within this process: the queue and the history both sort by
   * it, so two messages taken in the same millisecond keep the order they came in. (Messages taken by
   * different Lambda instances in one millisecond were sent at the same moment; either order is right.)
   */
  private receivedAt(): string {
    const ms = Math.max(this.deps.clock.now().getTime(), this.lastReceivedMs + 1);
    this.lastReceivedMs = ms;
    return new Date(ms).toISOString();
  }

  /**
   * A message that lands while the agent is Stopping stays pending, but the stopping task has drained
   * its queue and will not take it: whatever the channel, `send` waits (bounded) for that task to be
   * down and starts a new one, after acknowledging. Without this a chat-app message sent during an
   * idle stop would wait until the user writes again.
   */
  async send(input: SendInput, options: SendOptions = {}): Promise<SendResult> {
    const result = await this.queue(input);
    await options.acknowledged?.(result);
    if (result.ack !== "queued" || result.agentState !== "Stopping" || result.answered) return result;
    const agentState = await this.lifecycle.wakeAfterStopping(input.userId, {
      ...(options.stoppingWaitMs !== undefined ? { waitMs: options.stoppingWaitMs } : {}),
    });
    this.deps.logger.info("chat.send after a stop", { userId: input.userId, agentState });
    return { ...result, agentState };
  }

  private async queue(input: SendInput): Promise<SendResult> {
    const { pending, conversations, taskState, logger } = this.deps;
    const now = this.receivedAt();
    const message: PendingMessage = {
      userId: input.userId,
      id: KEYS.pending.message(now, randomUUID()),
      clientMessageId: input.clientMessageId,
      conversationId: input.conversationId,
      text: input.text,
      channel: input.channel,
      replyTo: input.replyTo,
      receivedAt: now,
    };
    const log = { userId: input.userId, correlationId: input.clientMessageId, channel: input.channel };
    const enqueued = await pending.enqueue(message);
    if (enqueued.status === "duplicate") {
      logger.info("chat.send duplicate", log);
      const { state } = await taskState.get(input.userId);
      // The original may still be pending behind an agent that went Idle without answering it (its
      // turn was abandoned at a stop): the retry wakes one instead of waiting for another message.
      if (state === "Idle" && (await pending.list(input.userId, 1)).length > 0)
        return { ack: "duplicate", agentState: await this.lifecycle.wake(input.userId) };
      return { ack: "duplicate", agentState: state };
    }

    this.deps.metrics?.count("MessageQueued");
    await conversations.touchMeta(input.userId, {
      conversationId: input.conversationId,
      title: titleFrom(input.text),
      channel: input.channel,
      at: now,
      placeholderTitle: UNTITLED,
    });

    const row = await taskState.get(input.userId);
    if (row.state === "Running" && row.agentConnectionId) {
      const delivered = await pushTo(
        this.deps,
        row.agentConnectionId,
        { type: "agent.deliver", message: enqueued.message },
        this.deps.agentPush,
      );
      logger.info("chat.send", { ...log, ack: delivered ? "delivered" : "queued", agentState: row.state });
      // A gone agent connection leaves the message pending: the agent drains the queue when it reconnects.
      return { ack: delivered ? "delivered" : "queued", agentState: row.state };
    }
    if (row.state === "Idle" || row.state === "Stopping") {
      // No task is up to answer, and one started now could only say that no LLM is set up: say it
      // here, at once, instead of after a boot (and without its cost).
      const problem = await this.llmSetup?.(input.userId);
      if (problem) {
        await this.answerWithError(message, problem);
        logger.info("chat.send answered by the gateway", { ...log, code: problem.code });
        return { ack: "queued", agentState: row.state, answered: problem };
      }
    }
    const agentState = row.state === "Running" ? row.state : await this.lifecycle.wake(input.userId);
    logger.info("chat.send", { ...log, ack: "queued", agentState });
    return { ack: "queued", agentState };
  }

  /** Stores the turn as the agent would (same message ids), then takes the message off the queue. */
  private async answerWithError(message: PendingMessage, problem: LlmSetupProblem): Promise<void> {
    const base = {
      conversationId: message.conversationId,
      clientMessageId: message.clientMessageId,
      channel: message.channel,
    };
    const user: StoredMessage = {
      ...base,
      messageId: `${message.clientMessageId}-user`,
      role: "user",
      text: message.text,
      createdAt: message.receivedAt,
    };
    const reply: StoredMessage = {
      ...base,
      messageId: `${message.clientMessageId}-reply`,
      role: "assistant",
      text: problem.message,
      createdAt: new Date(Date.parse(message.receivedAt) + 1).toISOString(),
      error: { code: problem.code, message: problem.message, retryable: problem.retryable },
    };
    await this.deps.conversations.putTurn(message.userId, user, reply);
    await this.deps.pending.delete(message.userId, message.id);
  }

  /**
   * Cancels a message: drops it from the queue if the agent has not taken it yet, and tells a running
   * agent to abort the turn. Returns the messages taken off the queue (the caller tells the user).
   */
  /**
   * Stop. A running agent decides (it alone knows whether it has started on the message): it aborts
   * the turn, or skips the message when it reaches it, and answers CANCELLED itself. Otherwise the
   * message is taken out of the queue here and returned, for the caller to answer.
   */
  async cancel(userId: string, clientMessageId: string): Promise<PendingMessage[]> {
    const { pending, taskState, logger } = this.deps;
    const row = await taskState.get(userId);
    if (row.state === "Running" && row.agentConnectionId) {
      try {
        const reached = await this.deps.agentPush.send(row.agentConnectionId, {
          type: "agent.cancel",
          clientMessageId,
        });
        if (reached) {
          logger.info("chat.cancel", { userId, correlationId: clientMessageId, handedTo: "agent" });
          return [];
        }
      } catch (error) {
        logger.warn("agent.cancel push failed; dropping the message from the queue instead", {
          userId,
          correlationId: clientMessageId,
          ...errorSummary(error),
        });
      }
    }
    const queued = (await pending.list(userId)).filter((m) => m.clientMessageId === clientMessageId);
    for (const m of queued) await pending.delete(userId, m.id);
    logger.info("chat.cancel", { userId, correlationId: clientMessageId, dequeued: queued.length });
    return queued;
  }
}
