import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  describeKeepWarmCost,
  type KeepWarm,
  KeepWarmSchema,
  keepWarmActive,
  keepWarmCron,
  keepWarmHoursPerMonth,
  keepWarmMonthlyUsd,
} from "../src/keep-warm";
import { parseScheduleExpression } from "../src/schedule-expression";
import { nextRunOf } from "../src/schedules";
import { SettingsUpdateSchema } from "../src/settings";
import { agentHourUsd } from "../src/usage";

const WORKDAYS: KeepWarm = {
  days: ["MON", "TUE", "WED", "THU", "FRI"],
  start: "09:00",
  end: "17:00",
  timezone: "Europe/Berlin",
};

describe("keep-warm hours", () => {
  it("are an optional setting that null switches off", () => {
    expect(SettingsUpdateSchema.parse({ keepWarm: WORKDAYS })).toEqual({ keepWarm: WORKDAYS });
    expect(SettingsUpdateSchema.parse({ keepWarm: null })).toEqual({ keepWarm: null });
  });

  it("refuse a window that is empty, inverted, shorter than 30 minutes or in an unknown zone, saying why", () => {
    const bad: Array<[Partial<KeepWarm>, string]> = [
      [{ days: [] }, "pick at least one day"],
      [{ days: ["MON", "MON"] }, "each day at most once"],
      [
        { start: "17:00", end: "09:00" },
        "the window must end at least 30 minutes after it starts, on the same day",
      ],
      [
        { start: "09:00", end: "09:20" },
        "the window must end at least 30 minutes after it starts, on the same day",
      ],
      [{ start: "9:00" }, "time must be HH:MM (00:00–23:59)"],
      [{ timezone: "Mars/Olympus" }, "timezone must be an IANA time zone such as Europe/Berlin"],
    ];
    for (const [patch, message] of bad) {
      const r = KeepWarmSchema.safeParse({ ...WORKDAYS, ...patch });
      expect(r.success, JSON.stringify(patch)).toBe(false);
      expect(r.error?.issues[0]?.message).toBe(message);
    }
  });

  it("cost what the task costs for those hours in an average month", () => {
    // 5 days × 8 h × 52.18 weeks / 12 months ≈ 173.9 h.
    expect(keepWarmHoursPerMonth(WORKDAYS)).toBeCloseTo(173.9, 1);
    expect(keepWarmMonthlyUsd(WORKDAYS)).toBeCloseTo(173.9 * agentHourUsd(), 1);
    expect(keepWarmMonthlyUsd(WORKDAYS, undefined, "on-demand")).toBeGreaterThan(
      keepWarmMonthlyUsd(WORKDAYS),
    );
    const text = describeKeepWarmCost(WORKDAYS);
    expect(text).toContain("About 174 agent-hours a month");
    expect(text).toContain(`$${keepWarmMonthlyUsd(WORKDAYS).toFixed(2)} a month on Fargate Spot`);
  });

  it("are open from start (inclusive) to end (exclusive) on the chosen days, in the window's time zone", () => {
    // Monday 2026-12-07: Berlin is UTC+1 in winter.
    expect(keepWarmActive(WORKDAYS, new Date("2026-12-07T08:00:00Z"))).toBe(true); // 09:00 Berlin
    expect(keepWarmActive(WORKDAYS, new Date("2026-12-07T07:59:00Z"))).toBe(false);
    expect(keepWarmActive(WORKDAYS, new Date("2026-12-07T15:59:00Z"))).toBe(true);
    expect(keepWarmActive(WORKDAYS, new Date("2026-12-07T16:00:00Z"))).toBe(false); // 17:00 Berlin
    // Saturday.
    expect(keepWarmActive(WORKDAYS, new Date("2026-12-05T10:00:00Z"))).toBe(false);
    // Summer time: 09:00 Berlin is 07:00 UTC.
    expect(keepWarmActive(WORKDAYS, new Date("2026-07-06T07:00:00Z"))).toBe(true);
    expect(keepWarmActive(null, new Date())).toBe(false);
  });

  it("start on the scheduler at the window's start: the cron expression's next run opens the window", () => {
    const cron = keepWarmCron(WORKDAYS);
    expect(cron).toBe("cron(0 9 ? * MON,TUE,WED,THU,FRI *)");
    fc.assert(
      fc.property(
        fc.subarray(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const, { minLength: 1 }),
        fc.integer({ min: 0, max: 22 }),
        fc.integer({ min: 0, max: 59 }),
        fc.constantFrom("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"),
        fc.date({
          min: new Date("2026-01-01T00:00:00Z"),
          max: new Date("2027-12-31T00:00:00Z"),
          noInvalidDate: true,
        }),
        (days, hour, minute, timezone, from) => {
          const start = `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
          const window = KeepWarmSchema.parse({ days, start, end: "23:59", timezone });
          const expression = keepWarmCron(window);
          expect(parseScheduleExpression(expression).kind).toBe("cron");
          const at = nextRunOf(
            { expression, timezone, updatedAt: from.toISOString(), enabled: true, completed: false },
            from,
          );
          expect(at).toBeDefined();
          if (!at) return;
          // The wake-up lands inside the window (except where a DST jump skips that minute).
          if (!keepWarmActive(window, at)) {
            expect(keepWarmActive(window, new Date(at.getTime() + 60 * 60_000))).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
