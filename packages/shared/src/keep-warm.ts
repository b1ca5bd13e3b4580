import * as z from "zod";
import { agentHourUsd, DEFAULT_TASK_SIZE, type TaskSize } from "./usage";

/**
 * "Keep my agent warm during these hours": on the chosen weekdays, from `start` to `end` in the user's
 * time zone, the agent is started at the window's start and does not stop for inactivity before its
 * end, so a message then gets a warm answer (no cold start). It runs, and is billed, for the whole
 * window: the Settings page shows the monthly cost (keepWarmMonthlyUsd) before the user saves.
 */

/** Its wake-up rides on the scheduler of scheduled prompts under this reserved id (docs/schedules.md). */
export const KEEP_WARM_SCHEDULE_ID = "keep-warm";

export const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Average weeks in a month (52.18 / 12): what a weekly window costs per month. */
export const WEEKS_PER_MONTH = 365.25 / 7 / 12;

const TimeSchema = z
  .string({ error: "time must be HH:MM" })
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "time must be HH:MM (00:00–23:59)");

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export const KeepWarmSchema = z
  .object({
    days: z
      .array(z.enum(WEEKDAYS, { error: `days must be among ${WEEKDAYS.join(", ")}` }))
      .min(1, "pick at least one day")
      .max(7)
      .refine((d) => new Set(d).size === d.length, "each day at most once"),
    /** Start of the window, local time in `timezone`. */
    start: TimeSchema,
    /** End of the window, the same day (windows do not cross midnight). */
    end: TimeSchema,
    timezone: z
      .string({ error: "timezone must be an IANA time zone such as Europe/Berlin" })
      .min(1)
      .max(64)
      .refine(isTimeZone, "timezone must be an IANA time zone such as Europe/Berlin"),
  })
  .refine((w) => minutesOf(w.end) - minutesOf(w.start) >= 30, {
    message: "the window must end at least 30 minutes after it starts, on the same day",
    path: ["end"],
  });
export type KeepWarm = z.infer<typeof KeepWarmSchema>;

/** Hours the agent runs for the window in an average month. */
export function keepWarmHoursPerMonth(w: KeepWarm): number {
  return (w.days.length * (minutesOf(w.end) - minutesOf(w.start)) * WEEKS_PER_MONTH) / 60;
}

/** What the window costs a month (the agent task running for it), in USD. */
export function keepWarmMonthlyUsd(
  w: KeepWarm,
  size: TaskSize = DEFAULT_TASK_SIZE,
  capacity: "spot" | "on-demand" = "spot",
): number {
  return keepWarmHoursPerMonth(w) * agentHourUsd(size, capacity);
}

/** Weekday and minute of the day at `at` in `timezone`. */
function localTime(at: Date, timezone: string): { day: Weekday; minute: number } {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: timezone,
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const day = get("weekday").toUpperCase() as Weekday;
  return { day, minute: Number(get("hour")) * 60 + Number(get("minute")) };
}

/** Whether `at` falls inside the window (start inclusive, end exclusive). */
export function keepWarmActive(w: KeepWarm | null | undefined, at: Date): boolean {
  if (!w) return false;
  const { day, minute } = localTime(at, w.timezone);
  return w.days.includes(day) && minute >= minutesOf(w.start) && minute < minutesOf(w.end);
}

/**
 * The window's start as an EventBridge Scheduler cron expression, read in `timezone` (the same syntax
 * scheduled prompts use, so both schedulers run it): `cron(0 9 ? * MON,TUE *)`.
 */
export function keepWarmCron(w: KeepWarm): string {
  const [hour, minute] = [Number(w.start.slice(0, 2)), Number(w.start.slice(3, 5))];
  const days = WEEKDAYS.filter((d) => w.days.includes(d)).join(",");
  return `cron(${minute} ${hour} ? * ${days} *)`;
}

/** One line for the Settings page and docs: hours and cost a month. */
export function describeKeepWarmCost(w: KeepWarm, size: TaskSize = DEFAULT_TASK_SIZE): string {
  const hours = keepWarmHoursPerMonth(w);
  return (
    `About ${hours.toFixed(0)} agent-hours a month: ≈ $${keepWarmMonthlyUsd(w, size).toFixed(2)} a month ` +
    `on Fargate Spot ($${keepWarmMonthlyUsd(w, size, "on-demand").toFixed(2)} if it has to run on on-demand Fargate), ` +
    `on top of your other use (at ${size.vcpu} vCPU / ${size.memoryGb} GB${size === DEFAULT_TASK_SIZE ? ", the default task size" : ""}).`
  );
}
