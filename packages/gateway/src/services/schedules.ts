import { randomBytes } from "node:crypto";
import {
  type CreateSchedule,
  checkScheduleTiming,
  KEEP_WARM_SCHEDULE_ID,
  KEYS,
  keepWarmActive,
  LIMITS,
  nextRunOf,
  parseScheduleExpression,
  type ReplyTarget,
  readSettings,
  SCHEDULE_KEYS,
  SCHEDULE_LIMITS,
  type Schedule,
  type ScheduleFireEvent,
  ScheduleSchema,
  stripUndefined,
  type UpdateSchedule,
} from "@serverless-openclaw/shared";
import type { GatewayDeps } from "../deps";
import { ConflictError, errorSummary, NotFoundError, ValidationError } from "../errors";
import type { Scheduler } from "../ports";
import type { ChatService } from "./chat";
import type { LifecycleService } from "./lifecycle";

export type ScheduleDeps = Pick<
  GatewayDeps,
  "settings" | "conversations" | "pending" | "taskState" | "clock" | "logger" | "metrics" | "scheduler"
>;

export type FireOutcome =
  | "sent"
  | "duplicate"
  | "paused"
  | "gone"
  | { missed: { code: string; message: string } };

/** Fired-run markers outlive any retry of the same run. */
const RUN_MARKER_TTL_SECONDS = 2 * 24 * 60 * 60;

const PREVIOUS_RUN_PENDING = {
  code: "PREVIOUS_RUN_PENDING",
  message:
    "The previous run is still waiting for the agent (it may be failing to start), so this run was skipped.",
};
const NOT_STARTED = {
  code: "AGENT_NOT_STARTED",
  message: "The agent could not be started for this run.",
};

/**
 * Scheduled prompts: stored in the Settings table, timed by the Scheduler port (EventBridge Scheduler
 * on AWS, an in-process scheduler locally). A run enqueues the prompt through ChatService into the
 * schedule's conversation, so the reply is kept in history and pushed to open tabs (and to Telegram when
 * asked). A run that cannot reach the agent is counted in `missedRuns` with the reason, never dropped
 * silently.
 */
export class ScheduleService {
  constructor(
    private readonly deps: ScheduleDeps,
    private readonly chat: ChatService,
    private readonly lifecycle: LifecycleService,
  ) {}

  async list(userId: string): Promise<Schedule[]> {
    const items = await this.deps.settings.list(userId, SCHEDULE_KEYS.prefix);
    const now = this.deps.clock.now();
    return items
      .map((item) => ScheduleSchema.safeParse(item.value))
      .flatMap((parsed) => (parsed.success ? [this.withNextRun(parsed.data, now)] : []))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async get(userId: string, scheduleId: string): Promise<Schedule> {
    const found = await this.load(userId, scheduleId);
    if (!found) throw new NotFoundError(`no schedule ${scheduleId}`);
    return this.withNextRun(found, this.deps.clock.now());
  }

  async create(userId: string, input: CreateSchedule): Promise<Schedule> {
    const scheduler = this.scheduler();
    const now = this.deps.clock.now();
    this.checkTiming(input.expression, input.timezone, now);
    const existing = await this.deps.settings.list(userId, SCHEDULE_KEYS.prefix);
    if (existing.length >= SCHEDULE_LIMITS.maxPerUser) {
      throw new ConflictError(
        "SCHEDULE_LIMIT",
        `you have the maximum of ${SCHEDULE_LIMITS.maxPerUser} schedules; delete one first`,
      );
    }
    if (input.deliverTo === "telegram") await this.telegramTarget(userId);
    const scheduleId = `s${randomBytes(9).toString("base64url").replace(/[-_]/g, "x")}`;
    const conversationId = input.conversationId ?? `schedule-${scheduleId}`;
    const iso = now.toISOString();
    const schedule: Schedule = {
      scheduleId,
      name: input.name,
      prompt: input.prompt,
      expression: input.expression,
      timezone: input.timezone,
      deliverTo: input.deliverTo,
      conversationId,
      enabled: input.enabled,
      createdAt: iso,
      updatedAt: iso,
      missedRuns: 0,
      runs: 0,
    };
    if (!(await this.deps.conversations.getMeta(userId, conversationId))) {
      await this.deps.conversations.upsertMeta(userId, {
        conversationId,
        title: `⏰ ${input.name}`.slice(0, LIMITS.maxTitleChars),
        channel: "schedule",
        createdAt: iso,
        updatedAt: iso,
      });
    }
    await this.save(userId, schedule);
    try {
      await scheduler.create(this.registration(userId, schedule));
    } catch (error) {
      await this.deps.settings.delete(userId, SCHEDULE_KEYS.schedule(scheduleId));
      throw error;
    }
    this.deps.logger.info("schedule created", { userId, scheduleId, expression: input.expression });
    return this.withNextRun(schedule, now);
  }

  /** Edit, pause (`enabled: false`) or resume a schedule. */
  async update(userId: string, scheduleId: string, patch: UpdateSchedule): Promise<Schedule> {
    const scheduler = this.scheduler();
    const current = await this.load(userId, scheduleId);
    if (!current) throw new NotFoundError(`no schedule ${scheduleId}`);
    const now = this.deps.clock.now();
    const next: Schedule = { ...current, ...stripUndefined(patch) };
    const retimed =
      next.expression !== current.expression ||
      next.timezone !== current.timezone ||
      (next.enabled && !current.enabled);
    if (retimed) {
      this.checkTiming(next.expression, next.timezone, now);
      delete next.completed;
    }
    // Saving a rate(...) schedule restarts its period (EventBridge counts from the update), so re-anchor.
    if (retimed || parseScheduleExpression(next.expression).kind === "rate")
      next.updatedAt = now.toISOString();
    if (next.deliverTo === "telegram" && current.deliverTo !== "telegram") await this.telegramTarget(userId);
    await scheduler.update(this.registration(userId, next));
    await this.save(userId, next);
    this.deps.logger.info("schedule updated", { userId, scheduleId, fields: Object.keys(patch) });
    return this.withNextRun(next, now);
  }

  async delete(userId: string, scheduleId: string): Promise<void> {
    const scheduler = this.scheduler();
    const current = await this.load(userId, scheduleId);
    if (!current) throw new NotFoundError(`no schedule ${scheduleId}`);
    await scheduler.delete(userId, scheduleId);
    await this.deps.settings.delete(userId, SCHEDULE_KEYS.schedule(scheduleId));
    this.deps.logger.info("schedule deleted", { userId, scheduleId });
  }

  /**
   * One run, called by the scheduler. Idempotent per (scheduleId, scheduledTime): a retried invocation
   * of the same run finds its marker and does nothing. Throws only on a failure worth a retry (the
   * marker is released first).
   */
  async fire(event: ScheduleFireEvent): Promise<FireOutcome> {
    const { settings, logger, metrics } = this.deps;
    const { userId, scheduleId } = event;
    const now = this.deps.clock.now();
    if (scheduleId === KEEP_WARM_SCHEDULE_ID) {
      // A timer that fires a moment before the window's first minute still opens it.
      const early = event.scheduledTime ? Date.parse(event.scheduledTime) - now.getTime() : 0;
      return this.keepWarm(userId, early > 0 && early <= 60_000 ? new Date(now.getTime() + early) : now);
    }
    const schedule = await this.load(userId, scheduleId);
    if (!schedule) {
      // Deleted between the timer and this run (or left behind): make sure it stops calling.
      logger.warn("schedule fired but is gone", { userId, scheduleId });
      await this.deps.scheduler?.delete(userId, scheduleId).catch(() => {});
      return "gone";
    }
    if (!schedule.enabled || schedule.completed) return "paused";

    const scheduledTime = new Date(event.scheduledTime ?? now.toISOString());
    const runKey = SCHEDULE_KEYS.run(scheduleId, scheduledTime.toISOString());
    const claimed = await settings.putIfAbsent(
      userId,
      runKey,
      { firedAt: now.toISOString() },
      { expiresAt: Math.floor(now.getTime() / 1000) + RUN_MARKER_TTL_SECONDS },
    );
    if (!claimed) {
      logger.info("schedule run already handled", { userId, scheduleId, scheduledTime });
      return "duplicate";
    }
    metrics?.count("ScheduleFired");

    try {
      const prefix = `sched-${scheduleId}-`;
      const waiting = (await this.deps.pending.list(userId)).some((m) =>
        m.clientMessageId.startsWith(prefix),
      );
      if (waiting) {
        const row = await this.deps.taskState.get(userId);
        return await this.missed(userId, schedule, scheduledTime, row.lastError ?? PREVIOUS_RUN_PENDING);
      }
      const replyTo = await this.replyTarget(userId, schedule);
      const clientMessageId = `${prefix}${Math.floor(scheduledTime.getTime() / 1000).toString(36)}`;
      const result = await this.chat.send({
        userId,
        conversationId: schedule.conversationId,
        clientMessageId,
        text: schedule.prompt,
        channel: "schedule",
        replyTo,
      });
      // A prompt that lands while the agent is Stopping has waited for a new start (ChatService.send).
      const { agentState } = result;
      if (agentState === "Idle") {
        // The start was refused or failed at once: take the prompt back so it does not run at some
        // random later time, and say why on the schedule.
        const row = await this.deps.taskState.get(userId);
        await this.chat.cancel(userId, clientMessageId);
        return await this.missed(
          userId,
          schedule,
          scheduledTime,
          result.answered ?? row.lastError ?? NOT_STARTED,
        );
      }
      await this.patch(userId, scheduleId, (s) => ({
        ...s,
        lastRunAt: scheduledTime.toISOString(),
        runs: s.runs + 1,
        lastError: undefined,
        ...(parseScheduleExpression(s.expression).kind === "at" ? { completed: true, enabled: false } : {}),
      }));
      logger.info("schedule run sent", { userId, scheduleId, ack: result.ack, agentState });
      return "sent";
    } catch (error) {
      logger.error("schedule run failed", { userId, scheduleId, ...errorSummary(error) });
      await settings.delete(userId, runKey).catch(() => {});
      throw error;
    }
  }

  /**
   * The start of the user's keep-warm window (Settings.keepWarm): wake the agent, with no prompt. A
   * retried or late invocation is harmless (a running agent is left alone) and one that finds the
   * window switched off or already over does nothing. The budget cap and a missing AI provider refuse
   * this start like any other (the reason shows on the agent's status).
   */
  private async keepWarm(userId: string, now: Date): Promise<FireOutcome> {
    const raw = await this.deps.settings.get(userId, KEYS.settings.settings);
    const window = readSettings(raw).keepWarm;
    if (!window) {
      await this.deps.scheduler?.delete(userId, KEEP_WARM_SCHEDULE_ID).catch(() => {});
      return "gone";
    }
    if (!keepWarmActive(window, now)) return "paused";
    let state = await this.lifecycle.wake(userId);
    // A task on its way down (its idle timeout just before the window) is replaced once it is down.
    if (state === "Stopping") state = await this.lifecycle.wakeAfterStopping(userId);
    this.deps.logger.info("keep-warm window started", { userId, agentState: state });
    this.deps.metrics?.count("KeepWarmWake");
    return state === "Idle" ? { missed: { ...NOT_STARTED } } : "sent";
  }

  private async missed(
    userId: string,
    schedule: Schedule,
    scheduledTime: Date,
    reason: { code: string; message: string },
  ): Promise<FireOutcome> {
    this.deps.metrics?.count("ScheduleMissed");
    this.deps.logger.warn("schedule run missed", {
      userId,
      scheduleId: schedule.scheduleId,
      code: reason.code,
    });
    await this.patch(userId, schedule.scheduleId, (s) => ({
      ...s,
      missedRuns: s.missedRuns + 1,
      lastError: { code: reason.code, message: reason.message, at: scheduledTime.toISOString() },
      ...(parseScheduleExpression(s.expression).kind === "at" ? { completed: true, enabled: false } : {}),
    }));
    return { missed: { code: reason.code, message: reason.message } };
  }

  private async replyTarget(userId: string, schedule: Schedule): Promise<ReplyTarget> {
    if (schedule.deliverTo === "telegram") return this.telegramTarget(userId);
    return { channel: "schedule", scheduleId: schedule.scheduleId };
  }

  /** The private chat of the user's (first) paired Telegram account: its chat id is the user id. */
  private async telegramTarget(userId: string): Promise<ReplyTarget> {
    const pairings = await this.deps.settings.list(userId, "telegram#");
    const chatId = pairings
      .map((p) => Number(p.settingKey.slice("telegram#".length)))
      .find((id) => Number.isSafeInteger(id) && id > 0);
    if (chatId === undefined) {
      throw new ConflictError(
        "TELEGRAM_NOT_PAIRED",
        "pair a Telegram account first (Settings → Telegram), or deliver this schedule to the web",
      );
    }
    return { channel: "telegram", chatId };
  }

  private checkTiming(expression: string, timezone: string, now: Date): void {
    const problem = checkScheduleTiming(expression, timezone, now);
    if (problem) throw new ValidationError(problem);
  }

  private scheduler(): Scheduler {
    if (!this.deps.scheduler) {
      throw new ConflictError("SCHEDULER_UNAVAILABLE", "scheduled prompts are not set up in this deployment");
    }
    return this.deps.scheduler;
  }

  private registration(userId: string, s: Schedule) {
    return {
      userId,
      scheduleId: s.scheduleId,
      expression: s.expression,
      timezone: s.timezone,
      enabled: s.enabled && !s.completed,
      anchor: new Date(s.updatedAt),
    };
  }

  private async load(userId: string, scheduleId: string): Promise<Schedule | undefined> {
    const raw = await this.deps.settings.get(userId, SCHEDULE_KEYS.schedule(scheduleId));
    const parsed = ScheduleSchema.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  }

  private async save(userId: string, schedule: Schedule): Promise<void> {
    const { nextRunAt: _computed, ...stored } = schedule;
    await this.deps.settings.put(userId, SCHEDULE_KEYS.schedule(schedule.scheduleId), stripUndefined(stored));
  }

  private async patch(userId: string, scheduleId: string, fn: (s: Schedule) => Schedule): Promise<void> {
    const current = await this.load(userId, scheduleId);
    if (current) await this.save(userId, fn(current));
  }

  private withNextRun(schedule: Schedule, now: Date): Schedule {
    const next = nextRunOf(schedule, now);
    return next ? { ...schedule, nextRunAt: next.toISOString() } : schedule;
  }
}
