import type { KeepWarm } from "@serverless-openclaw/shared";
import { describe, expect, it } from "vitest";
import { KeepWarmGuard } from "../../src/keep-warm-guard";

// Wednesday 2026-11-25.
const at = (hhmm: string) => new Date(`2026-11-25T${hhmm}:00.000Z`);
const WINDOW: KeepWarm = { days: ["WED"], start: "09:00", end: "17:00", timezone: "UTC" };

describe("KeepWarmGuard: an idle task inside the user's keep-warm hours stays up", () => {
  it("holds inside the window and lets go outside it", async () => {
    const guard = new KeepWarmGuard(async () => WINDOW, 60_000);
    guard.set(WINDOW, at("10:00"));
    expect(await guard.holds(at("10:00"))).toBe(true);
    expect(await guard.holds(at("16:59"))).toBe(true);
    expect(await guard.holds(at("17:00"))).toBe(false);
    expect(await new KeepWarmGuard(async () => null).holds(at("10:00"))).toBe(false);
  });

  it("re-reads the window at most once per refresh, so a change made while the task runs applies", async () => {
    let stored: KeepWarm | null = WINDOW;
    let reads = 0;
    const guard = new KeepWarmGuard(async () => {
      reads++;
      return stored;
    }, 60_000);
    guard.set(WINDOW, at("10:00"));
    expect(await guard.holds(at("10:00"))).toBe(true);
    expect(reads).toBe(0);
    stored = null; // switched off in Settings
    expect(await guard.holds(at("10:00"))).toBe(true); // not re-read yet
    const later = new Date(at("10:01").getTime());
    expect(await guard.holds(later)).toBe(false);
    expect(reads).toBe(1);
    stored = { ...WINDOW, end: "23:00" }; // switched on again, later
    expect(await guard.holds(at("18:00"))).toBe(true);
    expect(reads).toBe(2);
  });

  it("keeps the last known window when the read fails, and tries again at the next check", async () => {
    let fail = true;
    const guard = new KeepWarmGuard(async () => {
      if (fail) throw new Error("store down");
      return null;
    }, 60_000);
    guard.set(WINDOW, at("09:00"));
    expect(await guard.holds(at("10:00"))).toBe(true);
    fail = false;
    expect(await guard.holds(at("10:00"))).toBe(false);
  });
});
