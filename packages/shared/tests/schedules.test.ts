import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CreateScheduleSchema,
  checkScheduleTiming,
  nextRunTimes,
  parseScheduleExpression,
  ScheduleExpressionError,
} from "../src/schedules";

const NOW = new Date("2026-11-25T10:00:00.000Z");

describe("schedule expressions", () => {
  it("never throw anything but a ScheduleExpressionError, and the timing check never throws, on any input", () => {
    const pieces = fc.constantFrom(
      "cron(",
      "rate(",
      "at(",
      ")",
      " ",
      "?",
      "*",
      "/",
      "-",
      ",",
      "L",
      "W",
      "#",
      "MON",
      "1",
      "0",
      "59",
      "minutes",
      "hour",
      "2026-11-25T10:00:00",
    );
    const text = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.array(pieces, { maxLength: 14 }).map((p) => p.join("")),
    );
    fc.assert(
      fc.property(text, fc.constantFrom("UTC", "Europe/Berlin", "Nope/Nowhere", ""), (expression, tz) => {
        try {
          parseScheduleExpression(expression);
        } catch (error) {
          expect(error).toBeInstanceOf(ScheduleExpressionError);
        }
        const problem = checkScheduleTiming(expression, tz, NOW);
        expect(problem === undefined || typeof problem === "string").toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it("rate(...) runs count from the anchor, like EventBridge Scheduler", () => {
    const anchor = new Date("2026-11-25T09:58:00.000Z");
    const runs = nextRunTimes(parseScheduleExpression("rate(5 minutes)"), "UTC", NOW, 2, anchor);
    expect(runs.map((d) => d.toISOString())).toEqual([
      "2026-11-25T10:03:00.000Z",
      "2026-11-25T10:08:00.000Z",
    ]);
  });

  it("reads at(...) in the schedule's time zone, across daylight saving", () => {
    const summer = nextRunTimes(parseScheduleExpression("at(2027-07-01T09:00:00)"), "Europe/Berlin", NOW, 1);
    const winter = nextRunTimes(parseScheduleExpression("at(2027-01-01T09:00:00)"), "Europe/Berlin", NOW, 1);
    expect(summer[0]?.toISOString()).toBe("2027-07-01T07:00:00.000Z");
    expect(winter[0]?.toISOString()).toBe("2027-01-01T08:00:00.000Z");
  });

  it("fills defaults on create: UTC, web, enabled", () => {
    const parsed = CreateScheduleSchema.parse({ name: " n ", prompt: "p", expression: "rate(1 hour)" });
    expect(parsed).toEqual({
      name: "n",
      prompt: "p",
      expression: "rate(1 hour)",
      timezone: "UTC",
      deliverTo: "web",
      enabled: true,
    });
    expect(
      CreateScheduleSchema.safeParse({ name: "n", prompt: "p", expression: "rate(1 hour)", extra: 1 })
        .success,
    ).toBe(false);
  });
});
