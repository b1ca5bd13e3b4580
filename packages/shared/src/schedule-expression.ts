import { Cron } from "croner";

/**
 * Schedule expressions in EventBridge Scheduler syntax, so the same string works on AWS (where
 * EventBridge runs it) and locally (where croner runs it):
 *   cron(minutes hours day-of-month month day-of-week year)  — one of day-of-month / day-of-week is `?`,
 *                                                             day-of-week 1-7 is SUN-SAT, L W # allowed
 *   rate(value minute|minutes|hour|hours|day|days)           — counted from when the schedule was saved
 *   at(yyyy-mm-ddThh:mm:ss)                                  — once, in the schedule's time zone
 */
export type ParsedExpression =
  | { kind: "cron"; fields: string[] }
  | { kind: "rate"; everyMs: number }
  | { kind: "at"; localTime: string };

export class ScheduleExpressionError extends Error {}

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

export function parseScheduleExpression(expression: string): ParsedExpression {
  const text = expression.trim();
  const cron = /^cron\((.+)\)$/.exec(text);
  if (cron?.[1]) {
    const fields = cron[1].trim().split(/\s+/);
    if (fields.length !== 6) {
      throw new ScheduleExpressionError(
        "cron(...) needs 6 fields: minutes hours day-of-month month day-of-week year, e.g. cron(0 9 ? * MON-FRI *)",
      );
    }
    const [, , dom, , dow] = fields;
    if ((dom === "?") === (dow === "?")) {
      throw new ScheduleExpressionError(
        "in cron(...) exactly one of day-of-month and day-of-week must be '?', e.g. cron(0 9 * * ? *) or cron(0 9 ? * MON *)",
      );
    }
    toCron(fields, "UTC"); // throws on a bad field
    return { kind: "cron", fields };
  }
  const rate = /^rate\((\d{1,6}) (minute|minutes|hour|hours|day|days)\)$/.exec(text);
  if (rate?.[1] && rate[2]) {
    const value = Number(rate[1]);
    const unit = rate[2].replace(/s$/, "") as keyof typeof UNIT_MS;
    if (value < 1) throw new ScheduleExpressionError("rate(...) needs a value of at least 1");
    if ((value === 1) !== (rate[2] === unit)) {
      throw new ScheduleExpressionError(`write rate(1 ${unit}) for one, rate(N ${unit}s) for more`);
    }
    return { kind: "rate", everyMs: value * UNIT_MS[unit] };
  }
  const at = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(text);
  if (at?.[1]) return { kind: "at", localTime: at[1] };
  throw new ScheduleExpressionError(
    "expression must be cron(...), rate(...) or at(...), e.g. cron(0 9 ? * MON-FRI *), rate(1 hour), at(2030-01-31T09:00:00)",
  );
}

function toCron(fields: string[], timezone: string, startAt?: Date): Cron {
  // croner's `?` means "the current value"; EventBridge's means "any", which is `*`.
  const pattern = ["0", ...fields.map((f) => (f === "?" ? "*" : f))].join(" ");
  try {
    return new Cron(pattern, {
      timezone,
      mode: "7-part",
      alternativeWeekdays: true, // EventBridge numbers weekdays 1-7 from Sunday (Quartz style)
      sloppyRanges: true, // EventBridge writes steps as 0/15
      domAndDow: true,
      paused: true,
      ...(startAt ? { startAt } : {}),
    });
  } catch (error) {
    throw new ScheduleExpressionError(
      `invalid cron(...): ${(error as Error).message.replace(/^CronPattern: /, "")}`,
    );
  }
}

export function isValidTimezone(timezone: string): boolean {
  if (!/^[A-Za-z0-9_+\-/]{1,64}$/.test(timezone)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The next `count` run times strictly after `after`. `anchor` is when a rate schedule was saved (its
 * runs are anchor + k × period, like EventBridge Scheduler's).
 */
export function nextRunTimes(
  parsed: ParsedExpression,
  timezone: string,
  after: Date,
  count: number,
  anchor: Date = after,
): Date[] {
  switch (parsed.kind) {
    case "cron":
      return toCron(parsed.fields, timezone).nextRuns(count, after);
    case "rate": {
      const k = Math.max(1, Math.floor((after.getTime() - anchor.getTime()) / parsed.everyMs) + 1);
      return Array.from({ length: count }, (_, i) => new Date(anchor.getTime() + (k + i) * parsed.everyMs));
    }
    case "at": {
      const when = atInstant(parsed.localTime, timezone);
      return when.getTime() > after.getTime() ? [when] : [];
    }
  }
}

/** The instant of an at(...) local time in a time zone. */
export function atInstant(localTime: string, timezone: string): Date {
  const next = new Cron(localTime, { timezone, paused: true }).nextRun(new Date(0));
  if (!next) throw new ScheduleExpressionError(`at(${localTime}) is not a valid date and time`);
  return next;
}

/**
 * The shortest gap between consecutive runs among the next few, in ms (Infinity for a one-shot).
 * Enough runs are sampled to catch "every minute between 9 and 10" style expressions.
 */
export function shortestInterval(parsed: ParsedExpression, timezone: string, from: Date): number {
  if (parsed.kind === "rate") return parsed.everyMs;
  if (parsed.kind === "at") return Number.POSITIVE_INFINITY;
  const runs = nextRunTimes(parsed, timezone, from, 60);
  let shortest = Number.POSITIVE_INFINITY;
  for (let i = 1; i < runs.length; i++) {
    shortest = Math.min(shortest, (runs[i]?.getTime() ?? 0) - (runs[i - 1]?.getTime() ?? 0));
  }
  return shortest;
}
