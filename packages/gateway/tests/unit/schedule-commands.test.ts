import { describe, expect, it } from "vitest";
import { ChannelCore } from "../../src/channels/core";
import { ChannelPairingService } from "../../src/channels/pairing";
import { CHANNEL_SPECS } from "../../src/channels/spec";
import type { ScheduleRegistration, Scheduler } from "../../src/ports";
import { createServices } from "../../src/services";
import { makeDeps } from "./fakes";

const ALICE = "alice";
const TG = { id: "4242", username: "alice_tg" };

class RecordingScheduler implements Scheduler {
  readonly registrations = new Map<string, ScheduleRegistration>();
  async create(r: ScheduleRegistration) {
    this.registrations.set(r.scheduleId, r);
  }
  async update(r: ScheduleRegistration) {
    this.registrations.set(r.scheduleId, r);
  }
  async delete(_userId: string, scheduleId: string) {
    this.registrations.delete(scheduleId);
  }
}

/** A Telegram channel core over the real services, with Alice's Telegram account paired. */
async function setup(withSchedules = true) {
  const scheduler = new RecordingScheduler();
  const deps = { ...makeDeps(), scheduler };
  const services = createServices(deps);
  const pairing = new ChannelPairingService({
    channel: "telegram",
    settings: deps.settings,
    clock: deps.clock,
  });
  const core = new ChannelCore({
    spec: CHANNEL_SPECS.telegram,
    settings: deps.settings,
    clock: deps.clock,
    logger: deps.logger,
    chat: services.chat,
    lifecycle: services.lifecycle,
    pairing,
    ...(withSchedules ? { schedules: services.schedules } : {}),
  });
  const { code } = await pairing.createCode(ALICE);
  await core.pair(TG, code);
  const say = (name: string, args = "") => core.command(name, TG, args);
  return { deps, services, scheduler, say, core };
}

describe("/schedule and /schedules on a chat channel", () => {
  it("creates a schedule that answers in this Telegram chat, lists it, pauses, resumes and deletes it", async () => {
    const { say, services, scheduler } = await setup();
    expect(await say("schedules")).toMatch(/No scheduled prompts yet/);

    const created = await say("schedule", "cron(0 8 ? * MON-FRI *) Europe/Berlin Summarise the news");
    expect(created).toMatch(
      /^Scheduled "Summarise the news" \(cron\(0 8 \? \* MON-FRI \*\), Europe\/Berlin\)\. Next run: 2026-11-26 07:00 UTC\.$/,
    );
    const [schedule] = await services.schedules.list(ALICE);
    expect(schedule).toMatchObject({
      deliverTo: "telegram",
      timezone: "Europe/Berlin",
      prompt: "Summarise the news",
    });
    expect(scheduler.registrations.get(schedule?.scheduleId ?? "")?.enabled).toBe(true);

    expect(await say("schedules")).toMatch(
      /^1\. Summarise the news — cron\(0 8 \? \* MON-FRI \*\) Europe\/Berlin — next 2026-11-26 07:00 UTC$/,
    );
    expect(await say("schedule", "pause 1")).toBe('Paused "Summarise the news".');
    expect(await say("schedules")).toMatch(/— paused$/);
    expect(await say("schedule", "resume 1")).toBe('Resumed "Summarise the news".');
    expect(await say("schedule", "delete 1")).toBe('Deleted "Summarise the news".');
    expect(await services.schedules.list(ALICE)).toEqual([]);
    expect(scheduler.registrations.size).toBe(0);
  });

  it("answers with what to fix: too frequent, bad syntax, unknown number; a prompt may start with a non-zone word", async () => {
    const { say } = await setup();
    expect(await say("schedule", "rate(1 minute) spam me")).toMatch(
      /^That did not work: .*at least 5 minutes apart/,
    );
    expect(await say("schedule", "every day at 9")).toMatch(/^Usage:/);
    expect(await say("schedule", "pause 7")).toBe("No schedule 7; /schedules lists them.");
    expect(await say("schedule", "rate(1 day) Tell me a joke")).toMatch(
      /^Scheduled "Tell me a joke" \(rate\(1 day\), UTC\)/,
    );
  });

  it("points to the web app where the channel has no schedule service, and refuses unpaired accounts", async () => {
    const { say } = await setup(false);
    // Not "Create one with /schedule": there /schedule only points to the web app.
    expect(await say("schedules")).toBe(
      "No scheduled prompts yet. Create one on the web app's Schedules page.",
    );
    expect(await say("schedule", "rate(1 day) hi")).toBe(
      "Create and change schedules on the web app's Schedules page.",
    );
    const { core } = await setup();
    expect(await core.command("schedule", { id: "999" }, "rate(1 day) hi")).toBe(core.texts.notPaired);
  });
});
