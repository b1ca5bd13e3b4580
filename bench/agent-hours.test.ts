import { describe, expect, it } from "vitest";
import { agentHoursPerDay, TYPICAL_DAY } from "./agent-hours";

const o = { timeoutMinutes: 15, bootMinutes: 1, stopMinutes: 0 };

describe("agent-hours model", () => {
  it("bills boot, the conversation and the idle tail of each separate session", () => {
    const r = agentHoursPerDay(
      [
        { startMinute: 0, activeMinutes: 10 },
        { startMinute: 120, activeMinutes: 20 },
      ],
      o,
    );
    expect(r).toEqual({ hours: (1 + 10 + 15 + 1 + 20 + 15) / 60, starts: 2, idleTailHours: 0.5 });
  });

  it("a session starting before the timeout reuses the task: no boot, one tail", () => {
    const r = agentHoursPerDay(
      [
        { startMinute: 0, activeMinutes: 10 },
        { startMinute: 20, activeMinutes: 10 },
      ],
      o,
    );
    expect(r.starts).toBe(1);
    expect(r.hours * 60).toBeCloseTo(1 + 30 + 15);
  });

  it("a longer timeout never bills less", () => {
    const hours = [1, 5, 15, 30, 60].map(
      (t) => agentHoursPerDay(TYPICAL_DAY, { ...o, timeoutMinutes: t }).hours,
    );
    expect(hours).toEqual([...hours].sort((a, b) => a - b));
  });
});
