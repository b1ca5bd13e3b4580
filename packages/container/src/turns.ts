import type { ConversationStore, PendingQueue } from "@serverless-openclaw/gateway/agent";
import type { Logger } from "@serverless-openclaw/shared";
import {
  LIMITS,
  type PendingMessage,
  type StoredMessage,
  type ToolActivity,
} from "@serverless-openclaw/shared";
import { activityFromToolEvent, settleActivity } from "./activity";
import type { ChatEvent, TurnFailure } from "./openclaw-chat";
import { classifyLlmError, isOpenClawFailure } from "./openclaw-chat";
import type { OpenClawToolEvent } from "./openclaw-events";
import { DeltaBatcher, each, sendReply } from "./reply-stream";
import type { ReplySink } from "./sinks/reply-sink";

export type ChatFn = (request: {
  sessionKey: string;
  text: string;
  signal: AbortSignal;
}) => AsyncIterable<ChatEvent>;

export interface TurnRunnerDeps {
  userId: string;
  pending: PendingQueue;
  conversations: ConversationStore;
  sinksFor: (message: PendingMessage) => ReplySink[];
  chat: ChatFn;
  /** Set when no LLM is usable (no provider, no key): every turn answers with this instead. */
  llmProblem: () => TurnFailure | undefined;
  logger: Logger;
  now?: () => Date;
  turnTimeoutMs?: number;
  /** Added to the first turn's timeout only (OpenClaw's embedded agent sets itself up in its first turn). */
  firstTurnExtraMs?: number;
  /** Deltas are batched this long so a fast stream does not become hundreds of tiny frames. */
  coalesceMs?: number;
  /** Flush at once when this much text has gathered. */
  coalesceChars?: number;
  /**
   * Asked when the stream breaks without an LLM error: false means OpenClaw itself died, so the
   * turn is left pending for the next task instead of being answered with an error.
   */
  agentAlive?: () => Promise<boolean>;
  /**
   * Called after every turn that reached OpenClaw, before the next turn starts and before the turn's
   * reply is stored and sent as final. It resolves once what the turn changed is frozen for its
   * checkpoint (the next turn may then change it again), with `saved`, which settles once that
   * checkpoint is durable: the reply becomes final only then, so a crash at any moment either finds
   * the turn saved and answered or leaves its message pending for the next task to answer again. A
   * failure is logged.
   */
  afterTurn?: (
    message: PendingMessage,
    outcome: { stopped: boolean; reply?: StoredMessage },
  ) => Promise<{ saved: Promise<unknown> }>;
  /**
   * The reply to a message that the restored agent state already holds an answer to (its turn was
   * checkpointed, then the task died before storing it). That reply is stored and sent; the agent
   * does not run on the message a second time.
   */
  replyInState?: (message: PendingMessage) => StoredMessage | undefined;
  /** A message's turn is stored and it left the queue. */
  answered?: (message: PendingMessage) => void;
  /** Tool events of one OpenClaw session while its turn runs (OpenClawEvents.onTool); returns the unsubscribe. */
  toolEvents?: (sessionKey: string, listener: (event: OpenClawToolEvent) => void) => () => void;
}

type AbortReason = "timeout" | "cancel" | "shutdown";
/** Stores a turn's reply, sends it, deletes the pending item; true when the message is answered. */
type Finish = () => Promise<boolean>;

/** Deterministic ids of the two stored messages of a turn, derived from its pending item. */
export function turnMessageIds(message: PendingMessage): { user: string; reply: string } {
  return { user: `${message.clientMessageId}-user`, reply: `${message.clientMessageId}-reply` };
}

/**
 * Answers the user's messages one at a time, in arrival order. A message is deleted from
 * PendingMessages only after its turn is stored in Conversations; a message whose turn is already
 * stored gets its stored reply re-sent instead of a second answer. On shutdown the running turn is
 * abandoned without deleting it, so the next task answers it.
 *
 * A turn's reply is made final only once the turn's checkpoint is saved (`afterTurn`), and that
 * happens in the background: the next turn starts as soon as the turn's state is frozen for its
 * checkpoint, while the checkpoints finish and the replies are finalised one after the other, in order.
 */
export class TurnRunner {
  private readonly queue: PendingMessage[] = [];
  /** Ids queued or running; ids finished. Both dedupe redeliveries. */
  private readonly known = new Set<string>();
  private readonly done = new Set<string>();
  private readonly cancelled = new Set<string>();
  private current: { message: PendingMessage; controller: AbortController } | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private lastActivity: number;
  private turnsStarted = 0;
  private idleWaiters: Array<() => void> = [];
  /** While the pending list is read, pushed messages wait, so a newer one cannot overtake older ones. */
  private draining = 0;
  /** The running turn was sent to OpenClaw (so its state may have changed). */
  private reachedAgent = false;
  /** The running turn was aborted by the user's Stop. */
  private stoppedByUser = false;
  /** The reply the running turn produced (undefined: abandoned), handed to afterTurn. */
  private turnReply: StoredMessage | undefined;
  /** Replies waiting for their turn's checkpoint to be saved, finalised in order. */
  private finishing: Promise<void> = Promise.resolve();
  private unfinished = 0;

  constructor(private readonly deps: TurnRunnerDeps) {
    this.lastActivity = this.now().getTime();
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** True while a turn runs, messages wait, or a reply waits to be made final. */
  get busy(): boolean {
    return this.current !== undefined || this.queue.length > 0 || this.unfinished > 0;
  }

  get lastActivityAt(): number {
    return this.lastActivity;
  }

  /** Adds a message (pushed by the gateway or found pending). Duplicates are ignored. */
  enqueue(message: PendingMessage): void {
    if (this.stopped || message.userId !== this.deps.userId) return;
    if (this.known.has(message.id) || this.done.has(message.id)) return;
    this.known.add(message.id);
    // Pending ids start with the arrival time, so sorting by id restores arrival order even when
    // a pushed message overtakes the drain of older ones.
    const at = this.queue.findIndex((m) => m.id > message.id);
    if (at < 0) this.queue.push(message);
    else this.queue.splice(at, 0, message);
    this.lastActivity = this.now().getTime();
    this.kick();
  }

  /** Queues everything pending for the user (on connect, and periodically as a safety net). */
  async drain(): Promise<number> {
    this.draining += 1;
    try {
      const items = await this.deps.pending.list(this.deps.userId);
      for (const item of items) this.enqueue(item);
      return items.length;
    } finally {
      this.draining -= 1;
      this.kick();
    }
  }

  /** agent.cancel: aborts the running turn for that message, or skips it when it is still queued. */
  cancel(clientMessageId: string): void {
    this.cancelled.add(clientMessageId);
    if (this.current?.message.clientMessageId === clientMessageId) this.current.controller.abort("cancel");
  }

  /**
   * Stops taking turns. Waits up to `graceMs` for the running turn to finish, then aborts it
   * without storing or deleting anything (it stays pending for the next task). Replies already
   * answered are made final (after their checkpoint) before it resolves.
   */
  async shutdown(graceMs: number): Promise<"finished" | "abandoned" | "idle"> {
    this.stopped = true;
    this.queue.length = 0;
    const running = this.running;
    if (!this.current || !running) {
      await running;
      await this.finishing;
      return "idle";
    }
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      running.then(() => "finished" as const),
      new Promise<"abandoned">((r) => {
        timer = setTimeout(() => r("abandoned"), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome === "abandoned") {
      this.current?.controller.abort("shutdown");
      await running;
    }
    await this.finishing;
    return outcome;
  }

  /** Resolves when nothing is queued or running. */
  whenIdle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private kick(): void {
    if (this.running || this.draining > 0 || this.queue.length === 0) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
      this.settleIdle();
    });
  }

  private settleIdle(): void {
    if (!this.busy) for (const r of this.idleWaiters.splice(0)) r();
  }

  private async loop(): Promise<void> {
    for (;;) {
      const message = this.queue.shift();
      if (!message || this.stopped) return;
      const controller = new AbortController();
      this.current = { message, controller };
      this.reachedAgent = false;
      this.stoppedByUser = false;
      this.turnReply = undefined;
      let finish: Finish | undefined;
      let saved: Promise<unknown> = Promise.resolve();
      try {
        finish = await this.runTurn(message, controller);
      } catch (err) {
        this.failed(message, err);
      } finally {
        if (this.reachedAgent && this.deps.afterTurn) {
          try {
            // Held in an object: returning the promise itself from an await would wait for it.
            ({ saved } = await this.deps.afterTurn(message, {
              stopped: this.stoppedByUser,
              ...(this.turnReply ? { reply: this.turnReply } : {}),
            }));
          } catch (err) {
            this.deps.logger.warn("after-turn step failed", { pendingId: message.id, error: err });
          }
        }
        this.current = undefined;
        this.finishAfter(message, saved, finish);
      }
    }
  }

  /** Makes the reply final once `saved` settles (saved or failed: the answer must go out either way). */
  private finishAfter(message: PendingMessage, saved: Promise<unknown>, finish: Finish | undefined): void {
    this.unfinished += 1;
    const settled = saved.then(
      () => undefined,
      () => undefined,
    );
    this.finishing = this.finishing
      .then(() => settled)
      .then(async () => {
        if (finish && (await finish())) {
          this.done.add(message.id);
          this.deps.answered?.(message);
        }
      })
      .catch((err: unknown) => this.failed(message, err))
      .finally(() => {
        this.known.delete(message.id);
        this.unfinished -= 1;
        this.lastActivity = this.now().getTime();
        this.settleIdle();
      });
  }

  /** A store or push failure: the message stays pending and the periodic drain retries it. */
  private failed(message: PendingMessage, err: unknown): void {
    this.deps.logger.error("turn failed; the message stays pending", { pendingId: message.id, error: err });
  }

  /**
   * Runs the turn up to its reply; returns the step that stores and sends it (undefined: abandoned,
   * the message stays pending).
   */
  private async runTurn(message: PendingMessage, controller: AbortController): Promise<Finish | undefined> {
    const { deps } = this;
    const sinks = deps.sinksFor(message);
    const existing = await deps.conversations.findReply(
      deps.userId,
      message.conversationId,
      message.clientMessageId,
    );
    if (existing) {
      deps.logger.info("turn already answered; re-sending the stored reply", { pendingId: message.id });
      return () => this.resendExisting(message, sinks, existing);
    }
    const inState = deps.replyInState?.(message);
    if (inState) {
      deps.logger.info("turn already in the restored state; sending its reply without running it again", {
        pendingId: message.id,
      });
      return () => this.storeAndSend(message, sinks, inState, (s) => sendReply(s, message, inState));
    }
    if (this.cancelled.has(message.clientMessageId)) {
      return () =>
        this.finishWithError(message, sinks, "", {
          code: "CANCELLED",
          message: "Cancelled before the agent started on it.",
          retryable: true,
        });
    }
    const problem = deps.llmProblem();
    if (problem) return () => this.finishWithError(message, sinks, "", problem);
    return this.answer(message, controller, sinks);
  }

  private async resendExisting(
    message: PendingMessage,
    sinks: ReplySink[],
    existing: StoredMessage,
  ): Promise<boolean> {
    const { deps } = this;
    if (existing.error)
      await each(sinks, (s) =>
        s.error(message, existing.error?.code ?? "", existing.text, false, existing.activity),
      );
    else
      await each(sinks, (s) =>
        s.final(message, existing.text, existing.messageId, existing.createdAt, existing.activity),
      );
    await deps.pending.delete(deps.userId, message.id);
    return true;
  }

  private async answer(
    message: PendingMessage,
    controller: AbortController,
    sinks: ReplySink[],
  ): Promise<Finish | undefined> {
    const { deps } = this;
    await each(sinks, (s) => s.started(message));
    this.reachedAgent = true;
    const timeoutMs =
      (deps.turnTimeoutMs ?? LIMITS.turnTimeoutMs) +
      (this.turnsStarted++ === 0 ? (deps.firstTurnExtraMs ?? 0) : 0);
    const timer = setTimeout(() => controller.abort("timeout"), timeoutMs);
    const stream = new DeltaBatcher(sinks, message, deps.coalesceMs ?? 60, deps.coalesceChars ?? 1_000);
    const starts: Parameters<typeof activityFromToolEvent>[1] = new Map();
    const unsubscribe = deps.toolEvents?.(message.conversationId, (event) => {
      const item = activityFromToolEvent(event, starts, stream.text.length);
      if (item) stream.activity(item);
    });
    let failure: TurnFailure | undefined;
    try {
      for await (const event of deps.chat({
        sessionKey: message.conversationId,
        text: message.text,
        signal: controller.signal,
      })) {
        if (event.type === "error") {
          failure = classifyLlmError(event.message, event.errorType);
          break;
        }
        stream.add(event.text);
      }
    } catch (err) {
      const reason = controller.signal.aborted ? (controller.signal.reason as AbortReason) : undefined;
      const agentDied = reason === undefined && deps.agentAlive !== undefined && !(await deps.agentAlive());
      if (reason === "shutdown" || agentDied || this.stopped) {
        controller.abort("shutdown");
        await stream.close();
        deps.logger.info("turn abandoned at shutdown; it stays pending", { pendingId: message.id });
        return undefined;
      }
      failure =
        reason === "timeout"
          ? {
              code: "TURN_TIMEOUT",
              message: `The agent did not finish within ${Math.round(timeoutMs / 1000)} s. Send your message again, or ask for something shorter.`,
              retryable: true,
            }
          : reason === "cancel"
            ? { code: "CANCELLED", message: "You stopped this reply.", retryable: true }
            : {
                code: "AGENT_ERROR",
                message: `The agent could not answer: ${err instanceof Error ? err.message : String(err)}`,
                retryable: true,
              };
    } finally {
      clearTimeout(timer);
      unsubscribe?.();
    }
    await stream.close();
    if (controller.signal.reason === "shutdown") return undefined;
    if (controller.signal.reason === "cancel") this.stoppedByUser = true;
    if (failure && isOpenClawFailure(failure) && stream.text.trim()) {
      // OpenClaw refused its own output after the user had read it (its final text differed from
      // what it streamed): the reply they saw is the answer, not an error.
      deps.logger.warn("OpenClaw failed after streaming the reply; keeping the streamed text", {
        pendingId: message.id,
        detail: failure.message,
      });
      failure = undefined;
    }
    const activity = settleActivity(stream.activities, failure ? "failed" : "done");
    if (failure) {
      const reply = this.errorReply(message, stream.text, failure, activity);
      this.turnReply = reply;
      return () => this.storeAndSend(message, sinks, reply, (s) => sendReply(s, message, reply));
    }

    const reply = this.reply(message, stream.text, activity);
    this.turnReply = reply;
    return () =>
      this.storeAndSend(message, sinks, reply, (s) =>
        s.final(message, reply.text, reply.messageId, reply.createdAt, reply.activity),
      );
  }

  private async finishWithError(
    message: PendingMessage,
    sinks: ReplySink[],
    partial: string,
    failure: TurnFailure,
    activity: ToolActivity[] = [],
  ): Promise<boolean> {
    const reply = this.errorReply(message, partial, failure, activity);
    return this.storeAndSend(message, sinks, reply, (s) => sendReply(s, message, reply));
  }

  /** The stored reply of a turn that ended with an error (after what had streamed, if anything). */
  private errorReply(
    message: PendingMessage,
    partial: string,
    failure: TurnFailure,
    activity: ToolActivity[] = [],
  ): StoredMessage {
    this.deps.logger.warn("turn ended with an error", { pendingId: message.id, code: failure.code });
    const text = partial ? `${partial}\n\n${failure.message}` : failure.message;
    return {
      ...this.reply(message, text, activity),
      error: { code: failure.code, message: failure.message, retryable: failure.retryable },
    };
  }

  /**
   * The one way a turn ends, with a reply or an error: the turn is stored, then sent, then the message
   * leaves the queue. If another task stored this turn first (putTurn answers false), that reply is
   * sent instead, so the user never gets two answers to one message.
   */
  private async storeAndSend(
    message: PendingMessage,
    sinks: ReplySink[],
    reply: StoredMessage,
    send: (sink: ReplySink) => Promise<void>,
  ): Promise<boolean> {
    const { deps } = this;
    const stored = await deps.conversations.putTurn(deps.userId, this.userMessage(message), reply);
    if (!stored) return this.resendStored(message, sinks);
    await each(sinks, send);
    await deps.pending.delete(deps.userId, message.id);
    return true;
  }

  private async resendStored(message: PendingMessage, sinks: ReplySink[]): Promise<boolean> {
    const { deps } = this;
    const existing = await deps.conversations.findReply(
      deps.userId,
      message.conversationId,
      message.clientMessageId,
    );
    if (existing && !existing.error) {
      await each(sinks, (s) =>
        s.final(message, existing.text, existing.messageId, existing.createdAt, existing.activity),
      );
    }
    await deps.pending.delete(deps.userId, message.id);
    return true;
  }

  /** The assistant's message of the turn, with the turn's tool calls when it made any. */
  private reply(message: PendingMessage, text: string, activity: ToolActivity[]): StoredMessage {
    const ids = turnMessageIds(message);
    return {
      ...this.stored(message, ids.reply, "assistant", text, this.replyTime(message)),
      ...(activity.length > 0 ? { activity } : {}),
    };
  }

  private userMessage(message: PendingMessage): StoredMessage {
    return this.stored(message, turnMessageIds(message).user, "user", message.text, message.receivedAt);
  }

  /** The reply sorts after the user message even if the clock of this task lags the gateway's. */
  private replyTime(message: PendingMessage): string {
    const now = this.now().getTime();
    const received = Date.parse(message.receivedAt);
    return new Date(Math.max(now, received + 1)).toISOString();
  }

  private stored(
    message: PendingMessage,
    messageId: string,
    role: StoredMessage["role"],
    text: string,
    createdAt: string,
  ): StoredMessage {
    return {
      conversationId: message.conversationId,
      messageId,
      clientMessageId: message.clientMessageId,
      role,
      text,
      channel: message.channel,
      createdAt,
    };
  }
}
