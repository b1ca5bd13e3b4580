import { KEEP_WARM_SCHEDULE_ID, KEYS, type KeepWarm } from "@serverless-openclaw/shared";
import { describe, expect, it } from "vitest";
import { createHttpApiHandler, createScheduleFireHandler } from "../../src/handlers";
import type { Scheduler } from "../../src/ports";
import { createServices } from "../../src/services";
import { httpEvent } from "../handlers/events";
import { makeDeps, RecordingScheduler } from "./fakes";

const ALICE = "alice";
const TOKEN = `valid:${ALICE}`;
// The fake clock starts on Wednesday 2026-11-25 at 10:00 UTC.
const OPEN_NOW: KeepWarm = {
  days: ["MON", "TUE", "WED", "THU", "FRI"],
  start: "09:00",
  end: "17:00",
  timezone: "UTC",
};
const CLOSED_NOW: KeepWarm = { ...OPEN_NOW, start: "13:00" };

function setup(scheduler: Scheduler | null = new RecordingScheduler()) {
  const deps = { ...makeDeps(), ...(scheduler ? { scheduler } : {}) };
  const services = createServices(deps);
  const api = createHttpApiHandler(deps, services);
  const fire = createScheduleFireHandler(deps, services);
  const put = async (body: Record<string, unknown>) => {
    const result = await api(httpEvent("PUT", "/settings", { token: TOKEN, body }));
    return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
  };
  return { deps, services, put, fire };
}

describe("keep-warm hours (Settings.keepWarm)", () => {
  it("saving a window registers its start with the scheduler and wakes an idle agent when it is open now", async () => {
    const scheduler = new RecordingScheduler();
    const { deps, put } = setup(scheduler);
    const res = await put({ keepWarm: OPEN_NOW });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json.keepWarm).toEqual(OPEN_NOW);
    expect(scheduler.calls).toEqual([
      {
        op: "update",
        registration: expect.objectContaining({
          userId: ALICE,
          scheduleId: KEEP_WARM_SCHEDULE_ID,
          expression: "cron(0 9 ? * MON,TUE,WED,THU,FRI *)",
          timezone: "UTC",
          enabled: true,
        }),
      },
    ]);
    expect(deps.taskRunner.starts).toHaveLength(1);
    expect((await deps.taskState.get(ALICE)).state).toBe("Starting");
    // What the agent task reads at start and before an idle stop.
    expect(await deps.settings.get(ALICE, KEYS.settings.settings)).toMatchObject({ keepWarm: OPEN_NOW });
  });

  it("a window that opens later wakes nothing now; switching it off removes the scheduler entry", async () => {
    const scheduler = new RecordingScheduler();
    const { deps, put } = setup(scheduler);
    expect((await put({ keepWarm: CLOSED_NOW })).statusCode).toBe(200);
    expect(deps.taskRunner.starts).toHaveLength(0);
    const off = await put({ keepWarm: null });
    expect(off.statusCode).toBe(200);
    expect(off.json.keepWarm).toBeNull();
    expect(scheduler.calls.map((c) => c.op)).toEqual(["update", "delete"]);
    expect(scheduler.calls[1]?.scheduleId).toBe(KEEP_WARM_SCHEDULE_ID);
  });

  it("a keep-warm change alone does not restart a running agent (nothing OpenClaw reads changed)", async () => {
    const { deps, services, put } = setup();
    await services.lifecycle.wake(ALICE);
    await deps.taskState.transition({
      userId: ALICE,
      expectState: "Starting",
      set: { state: "Running", agentConnectionId: "agent-conn" },
    });
    expect((await put({ keepWarm: CLOSED_NOW })).statusCode).toBe(200);
    expect(deps.agentPush.sent).toEqual([]);
    expect((await put({ inactivityMinutes: 20 })).statusCode).toBe(200);
    expect(deps.agentPush.sent.map((s) => s.event)).toEqual([{ type: "agent.settings-changed" }]);
  });

  it("is refused with a clear error, changing nothing, where no scheduler is set up or the window is invalid", async () => {
    const { deps, put } = setup(null);
    const res = await put({ keepWarm: OPEN_NOW });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain("SCHEDULER_UNAVAILABLE");
    expect(await deps.settings.get(ALICE, KEYS.settings.settings)).toBeUndefined();
    expect(deps.taskRunner.starts).toHaveLength(0);
    const bad = await setup().put({ keepWarm: { ...OPEN_NOW, end: "08:00" } });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain("the window must end at least 30 minutes after it starts");
  });

  it("the scheduler's call at the window's start wakes the agent once; late, retried or stale calls do nothing", async () => {
    const scheduler = new RecordingScheduler();
    const { deps, fire, services } = setup(scheduler);
    // Saved while the window was closed (no wake at save time).
    await services.settings.put(ALICE, { keepWarm: CLOSED_NOW });
    const event = { userId: ALICE, scheduleId: KEEP_WARM_SCHEDULE_ID, scheduledTime: "2026-11-25T13:00:00Z" };
    expect((await fire(event)).outcome).toBe("paused"); // 10:00: before the window
    expect(deps.taskRunner.starts).toHaveLength(0);
    deps.clock.advance(3 * 60 * 60_000 - 2_000); // 12:59:58, a timer firing a moment early
    expect((await fire(event)).outcome).toBe("sent");
    expect(deps.taskRunner.starts).toHaveLength(1);
    expect((await fire(event)).outcome).toBe("sent"); // a retry: the agent is already starting
    expect(deps.taskRunner.starts).toHaveLength(1);
    // Switched off behind the scheduler's back (or a save that failed after registering): the entry goes.
    await deps.settings.put(ALICE, KEYS.settings.settings, {
      ...(await services.settings.get(ALICE)),
      keepWarm: null,
    });
    expect((await fire(event)).outcome).toBe("gone");
    expect(scheduler.calls.at(-1)).toEqual({ op: "delete", scheduleId: KEEP_WARM_SCHEDULE_ID });
  });
});
