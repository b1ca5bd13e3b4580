import { KEYS, type KeepWarm, type Settings } from "@serverless-openclaw/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TaskHarness, USER_ID, until } from "../support/harness";

// A real OpenClaw behind the agent task, with a 2 s inactivity timeout and keep-warm hours that span
// the whole day: the idle task must stay up, and must stop once the user switches the hours off.
const API_KEY = "sk-keepwarm-4b3c2d1e0f9a8b7c";
const ALL_DAY: KeepWarm = {
  days: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
  start: "00:00",
  end: "23:59",
  timezone: "UTC",
};
let h: TaskHarness;

beforeAll(async () => {
  h = new TaskHarness();
  await h.start();
  await h.useFakeLlm(API_KEY, { keepWarm: ALL_DAY });
});

afterAll(() => h?.stop());

describe("agent task: keep-warm hours", () => {
  it("stays up while idle inside the window, and stops once the window is switched off", async () => {
    // The one minute the all-day window leaves out (23:59 UTC) would make this test race the clock.
    const now = new Date();
    if (now.getUTCHours() === 23 && now.getUTCMinutes() >= 57) return;
    const tab = await h.addClient();
    await h.enqueue("hello while warm", "conv-w", "w-1");
    const run = await h.boot({ inactivityMs: 2_000, keepWarmRefreshMs: 1_000 });
    let exited = false;
    void run.exit.then(() => {
      exited = true;
    });
    await until(
      "w-1 answered",
      () => h.push.of("chat.final", tab).some((e) => e.clientMessageId === "w-1"),
      300_000,
    );
    // Well past the inactivity timeout (several idle checks and window re-reads): still running.
    const answeredAt = Date.now();
    await until("8 s idle", () => Date.now() - answeredAt > 8_000, 30_000);
    expect(exited).toBe(false);
    expect((await h.stores.taskState.get(USER_ID)).state).toBe("Running");
    // Switched off in Settings while the task runs: it stops by itself, no restart needed.
    const stored = (await h.stores.settings.get(USER_ID, KEYS.settings.settings)) as Settings;
    await h.stores.settings.put(USER_ID, KEYS.settings.settings, { ...stored, keepWarm: null });
    expect(await run.exit).toBe(0);
    expect(h.push.of("agent.status").at(-1)).toMatchObject({ state: "Idle" });
  }, 400_000);
});
