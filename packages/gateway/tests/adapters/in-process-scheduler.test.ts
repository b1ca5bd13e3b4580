import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ScheduleFireEvent } from "@serverless-openclaw/shared";
import { until } from "@serverless-openclaw/testkit/until";
import { afterEach, describe, expect, it } from "vitest";
import { InProcessScheduler } from "../../src/adapters/local/in-process-scheduler";
import { silentLogger } from "../../src/deps";

const dirs: string[] = [];
const schedulers: InProcessScheduler[] = [];
afterEach(async () => {
  for (const s of schedulers.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), "scheduler-"));
  dirs.push(dir);
  const fired: ScheduleFireEvent[] = [];
  const make = () => {
    const s = new InProcessScheduler({
      fire: async (e) => {
        fired.push(e);
      },
      file: join(dir, "schedules.json"),
      logger: silentLogger,
    });
    schedulers.push(s);
    return s;
  };
  return { dir, fired, make };
}

const at = (d: Date) => `at(${d.toISOString().slice(0, 19)})`;

describe("InProcessScheduler (local mode's EventBridge Scheduler)", () => {
  it("fires an at(...) once at its time with the nominal scheduledTime, then forgets it", async () => {
    const { fired, make, dir } = await setup();
    const scheduler = make();
    await scheduler.start();
    // At least 2 s ahead: the at(...) must still lie ahead after the start and the two creates on a busy machine.
    const due = new Date(Math.ceil((Date.now() + 2_000) / 1000) * 1000);
    await scheduler.create({
      userId: "u1",
      scheduleId: "s1",
      expression: at(due),
      timezone: "UTC",
      enabled: true,
      anchor: new Date(),
    });
    await scheduler.create({
      userId: "u1",
      scheduleId: "paused",
      expression: at(due),
      timezone: "UTC",
      enabled: false,
      anchor: new Date(),
    });
    await until("the at(...) to fire", () => fired.length > 0);
    expect(fired).toEqual([{ userId: "u1", scheduleId: "s1", scheduledTime: due.toISOString() }]);
    expect(scheduler.nextRuns().map((r) => r.scheduleId)).toEqual(["paused"]);
    await scheduler.stop();
    const saved = JSON.parse(await readFile(join(dir, "schedules.json"), "utf8")) as Array<{
      scheduleId: string;
    }>;
    expect(saved.map((s) => s.scheduleId)).toEqual(["paused"]);
    expect(fired).toHaveLength(1);
  });

  it("keeps registrations across a restart and computes cron runs in the schedule's time zone", async () => {
    const { make } = await setup();
    const first = make();
    await first.start();
    await first.create({
      userId: "u1",
      scheduleId: "daily",
      expression: "cron(0 9 * * ? *)",
      timezone: "Asia/Tokyo",
      enabled: true,
      anchor: new Date(),
    });
    await first.create({
      userId: "u1",
      scheduleId: "gone",
      expression: "rate(1 hour)",
      timezone: "UTC",
      enabled: true,
      anchor: new Date(),
    });
    await first.delete("u1", "gone");
    await first.stop();

    const second = make();
    await second.start();
    const [run] = second.nextRuns();
    expect(run?.scheduleId).toBe("daily");
    // 09:00 in Tokyo is 00:00 UTC.
    expect(run?.next?.toISOString()).toMatch(/T00:00:00\.000Z$/);
  });
});
