import * as z from "zod";
import { ConversationIdSchema } from "./ids";
import {
  isValidTimezone,
  nextRunTimes,
  parseScheduleExpression,
  ScheduleExpressionError,
  shortestInterval,
} from "./schedule-expression";

export * from "./schedule-expression";

/** Limits that keep scheduled prompts from burning money. */
export const SCHEDULE_LIMITS = {
  maxPerUser: 20,
  /** The shortest allowed gap between two runs of one schedule. */
  minIntervalMinutes: 5,
  maxNameChars: 80,
  maxPromptChars: 4000,
  maxExpressionChars: 128,
} as const;

export const SCHEDULE_DELIVERY = ["web", "telegram"] as const;
export const ScheduleDeliverySchema = z.enum(SCHEDULE_DELIVERY, {
  error: "deliverTo must be 'web' or 'telegram'",
});

export const ScheduleIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "scheduleId may contain only letters, digits, '-' and '_' (1-64)");

const NameSchema = z
  .string({ error: "name must be a string" })
  .trim()
  .min(1, "name must not be empty")
  .max(SCHEDULE_LIMITS.maxNameChars, `name must be at most ${SCHEDULE_LIMITS.maxNameChars} characters`);
const PromptSchema = z
  .string({ error: "prompt must be a string" })
  .trim()
  .min(1, "prompt must not be empty")
  .max(SCHEDULE_LIMITS.maxPromptChars, `prompt must be at most ${SCHEDULE_LIMITS.maxPromptChars} characters`);
const ExpressionSchema = z
  .string({ error: "expression must be a string" })
  .trim()
  .max(SCHEDULE_LIMITS.maxExpressionChars)
  .superRefine((value, ctx) => {
    try {
      parseScheduleExpression(value);
    } catch (error) {
      if (!(error instanceof ScheduleExpressionError)) throw error;
      ctx.addIssue({ code: "custom", message: error.message });
    }
  });
const TimezoneSchema = z
  .string({ error: "timezone must be a string" })
  .refine(isValidTimezone, "timezone must be an IANA time zone such as Europe/Berlin or UTC");

const RunErrorSchema = z.object({ code: z.string(), message: z.string(), at: z.iso.datetime() });

/** A scheduled prompt (Settings table item `schedule#<scheduleId>`). */
export const ScheduleSchema = z.object({
  scheduleId: ScheduleIdSchema,
  name: z.string(),
  prompt: z.string(),
  expression: z.string(),
  timezone: z.string(),
  deliverTo: ScheduleDeliverySchema,
  /** The conversation the prompt and its replies are kept in. */
  conversationId: ConversationIdSchema,
  enabled: z.boolean(),
  createdAt: z.iso.datetime(),
  /** When the timing last changed (rate(...) runs count from here). */
  updatedAt: z.iso.datetime(),
  lastRunAt: z.iso.datetime().optional(),
  /** Why the last run did not happen or failed; cleared by the next successful run. */
  lastError: RunErrorSchema.optional(),
  /** Runs that could not be handed to the agent (it failed to start, the budget was used up, …). */
  missedRuns: z.number().int().nonnegative(),
  runs: z.number().int().nonnegative(),
  /** An at(...) schedule that has run. */
  completed: z.boolean().optional(),
  /** Computed on read: the next run, when enabled. */
  nextRunAt: z.iso.datetime().optional(),
});
export type Schedule = z.infer<typeof ScheduleSchema>;

export const CreateScheduleSchema = z.strictObject({
  name: NameSchema,
  prompt: PromptSchema,
  expression: ExpressionSchema,
  timezone: TimezoneSchema.default("UTC"),
  deliverTo: ScheduleDeliverySchema.default("web"),
  /** Defaults to a new conversation named after the schedule. */
  conversationId: ConversationIdSchema.optional(),
  enabled: z.boolean().default(true),
});
export type CreateSchedule = z.infer<typeof CreateScheduleSchema>;

/** PATCH /schedules/{scheduleId}: pause/resume (`enabled`) or edit. */
export const UpdateScheduleSchema = z.strictObject({
  name: NameSchema.optional(),
  prompt: PromptSchema.optional(),
  expression: ExpressionSchema.optional(),
  timezone: TimezoneSchema.optional(),
  deliverTo: ScheduleDeliverySchema.optional(),
  enabled: z.boolean().optional(),
});
export type UpdateSchedule = z.infer<typeof UpdateScheduleSchema>;

export const ScheduleListSchema = z.object({ schedules: z.array(ScheduleSchema) });

/** What the scheduler (EventBridge Scheduler or the local one) passes to the schedule-fire handler. */
export const ScheduleFireEventSchema = z.object({
  userId: z.string().min(1).max(128),
  scheduleId: ScheduleIdSchema,
  /** The run's nominal time (EventBridge's `<aws.scheduler.scheduled-time>`); the idempotency key. */
  scheduledTime: z.iso.datetime({ offset: true }).optional(),
});
export type ScheduleFireEvent = z.infer<typeof ScheduleFireEventSchema>;

/**
 * Whole-schedule timing check: a known time zone, and runs no closer together than the minimum
 * interval; an at(...) must lie in the future. Returns a message a user can act on, or undefined.
 */
export function checkScheduleTiming(expression: string, timezone: string, now: Date): string | undefined {
  if (!isValidTimezone(timezone)) return "timezone must be an IANA time zone such as Europe/Berlin or UTC";
  try {
    const parsed = parseScheduleExpression(expression);
    const min = SCHEDULE_LIMITS.minIntervalMinutes;
    if (shortestInterval(parsed, timezone, now) < min * 60_000) {
      return `runs must be at least ${min} minutes apart (each run may wake the agent, which costs money)`;
    }
    if (nextRunTimes(parsed, timezone, now, 1).length === 0) {
      return parsed.kind === "at"
        ? "at(...) is in the past in that time zone"
        : "this expression never runs again";
    }
    return undefined;
  } catch (error) {
    if (error instanceof ScheduleExpressionError) return error.message;
    throw error;
  }
}

/** The next run of a schedule after `now`, if any. */
export function nextRunOf(
  schedule: Pick<Schedule, "expression" | "timezone" | "updatedAt" | "enabled" | "completed">,
  now: Date,
): Date | undefined {
  if (!schedule.enabled || schedule.completed) return undefined;
  try {
    const parsed = parseScheduleExpression(schedule.expression);
    return nextRunTimes(parsed, schedule.timezone, now, 1, new Date(schedule.updatedAt))[0];
  } catch {
    return undefined;
  }
}

/**
 * Settings-table items of schedules (in the user's partition):
 * `schedule#<scheduleId>` → Schedule; `schedule-run#<scheduleId>#<scheduledTime>` → a fired run (TTL),
 * so a retried invocation of the same run does nothing.
 */
export const SCHEDULE_KEYS = {
  schedule: (scheduleId: string) => `schedule#${scheduleId}`,
  prefix: "schedule#",
  run: (scheduleId: string, scheduledTime: string) => `schedule-run#${scheduleId}#${scheduledTime}`,
} as const;
