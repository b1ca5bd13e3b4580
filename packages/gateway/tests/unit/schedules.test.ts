import "aws-sdk-client-mock-vitest/extend";
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from "@aws-sdk/client-scheduler";
import { SCHEDULE_LIMITS, type Schedule } from "@serverless-openclaw/shared";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { EventBridgeScheduler, scheduleName } from "../../src/adapters/aws/event-bridge-scheduler";
import { TaskStartError } from "../../src/errors";
import { createHttpApiHandler, createScheduleFireHandler } from "../../src/handlers";
import type { Scheduler } from "../../src/ports";
import { createServices } from "../../src/services";
import { httpEvent } from "../handlers/events";
import { connectClient, makeDeps, RecordingScheduler } from "./fakes";

const ALICE = "alice";
const TOKEN = `valid:${ALICE}`;
const schedulerMock = mockClient(SchedulerClient);

function setup(scheduler: Scheduler = new RecordingScheduler()) {
  const deps = { ...makeDeps(), scheduler };
  const services = createServices(deps);
  const api = createHttpApiHandler(deps, services);
  const fire = createScheduleFireHandler(deps, services);
  const call = async (...args: Parameters<typeof httpEvent>) => {
    const result = await api(httpEvent(...args));
    return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
  };
  const create = async (body: Record<string, unknown>) => {
    const res = await call("POST", "/schedules", { token: TOKEN, body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json as Schedule;
  };
  return { deps, services, call, fire, create, scheduler };
}

const DAILY = { name: "Morning brief", prompt: "Summarise my day", expression: "cron(0 9 * * ? *)" };

describe("schedules over the HTTP API, with EventBridge Scheduler mocked at the SDK boundary", () => {
  beforeEach(() => schedulerMock.reset());
  const config = {
    groupName: "openclaw-prod",
    targetArn: "arn:aws:lambda:us-east-1:123456789012:function:schedule-fire",
    roleArn: "arn:aws:iam::123456789012:role/scheduler",
  };

  it("creates, lists, pauses, resumes and deletes one EventBridge schedule", async () => {
    const { call, create } = setup(new EventBridgeScheduler(config, new SchedulerClient({})));
    const created = await create({ ...DAILY, timezone: "Europe/Berlin" });
    expect(created).toMatchObject({ enabled: true, missedRuns: 0, runs: 0, deliverTo: "web" });
    expect(created.nextRunAt).toBe("2026-11-26T08:00:00.000Z"); // 09:00 Berlin, after the fake clock's 10:00 UTC
    const name = scheduleName(ALICE, created.scheduleId);
    expect(name).toMatch(/^[0-9A-Za-z_.-]{1,64}$/);
    expect(schedulerMock).toHaveReceivedCommandWith(CreateScheduleCommand, {
      Name: name,
      GroupName: "openclaw-prod",
      ScheduleExpression: "cron(0 9 * * ? *)",
      ScheduleExpressionTimezone: "Europe/Berlin",
      State: "ENABLED",
      FlexibleTimeWindow: { Mode: "OFF" },
      ActionAfterCompletion: "NONE",
    });
    const input = schedulerMock.commandCalls(CreateScheduleCommand)[0]?.args[0].input;
    expect(input?.Target?.Arn).toBe(config.targetArn);
    expect(input?.Target?.RoleArn).toBe(config.roleArn);
    expect(JSON.parse(input?.Target?.Input ?? "{}")).toEqual({
      userId: ALICE,
      scheduleId: created.scheduleId,
      scheduledTime: "<aws.scheduler.scheduled-time>",
    });

    const listed = await call("GET", "/schedules", { token: TOKEN });
    expect(listed.json.schedules.map((s: Schedule) => s.scheduleId)).toEqual([created.scheduleId]);
    expect((await call("GET", "/schedules", { token: "valid:bob" })).json.schedules).toEqual([]);

    const paused = await call("PATCH", `/schedules/${created.scheduleId}`, {
      token: TOKEN,
      body: { enabled: false },
    });
    expect(paused.statusCode).toBe(200);
    expect(paused.json.enabled).toBe(false);
    expect(paused.json.nextRunAt).toBeUndefined();
    expect(schedulerMock).toHaveReceivedCommandWith(UpdateScheduleCommand, { Name: name, State: "DISABLED" });

    const resumed = await call("PATCH", `/schedules/${created.scheduleId}`, {
      token: TOKEN,
      body: { enabled: true, expression: "rate(1 hour)" },
    });
    expect(resumed.json).toMatchObject({ enabled: true, expression: "rate(1 hour)" });
    expect(schedulerMock).toHaveReceivedCommandWith(UpdateScheduleCommand, {
      State: "ENABLED",
      ScheduleExpression: "rate(1 hour)",
    });

    expect((await call("DELETE", `/schedules/${created.scheduleId}`, { token: TOKEN })).statusCode).toBe(204);
    expect(schedulerMock).toHaveReceivedCommandWith(DeleteScheduleCommand, {
      Name: name,
      GroupName: "openclaw-prod",
    });
    expect((await call("GET", "/schedules", { token: TOKEN })).json.schedules).toEqual([]);
    expect((await call("DELETE", `/schedules/${created.scheduleId}`, { token: TOKEN })).statusCode).toBe(404);
  });

  it("a one-shot at(...) deletes itself after its run; editing it later recreates it", async () => {
    const scheduler = new EventBridgeScheduler(config, new SchedulerClient({}));
    const { create, call } = setup(scheduler);
    const s = await create({ ...DAILY, expression: "at(2026-12-01T08:00:00)" });
    expect(schedulerMock).toHaveReceivedCommandWith(CreateScheduleCommand, {
      ActionAfterCompletion: "DELETE",
    });
    schedulerMock
      .on(UpdateScheduleCommand)
      .rejects(new ResourceNotFoundException({ Message: "gone", message: "gone", $metadata: {} }));
    const edited = await call("PATCH", `/schedules/${s.scheduleId}`, {
      token: TOKEN,
      body: { expression: "at(2026-12-02T08:00:00)" },
    });
    expect(edited.statusCode).toBe(200);
    expect(schedulerMock).toHaveReceivedCommandTimes(CreateScheduleCommand, 2);
  });

  it("create falls back to update when the schedule already exists, and the record is not kept when AWS refuses", async () => {
    const scheduler = new EventBridgeScheduler(config, new SchedulerClient({}));
    schedulerMock
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ Message: "exists", message: "exists", $metadata: {} }));
    const { create, call } = setup(scheduler);
    await create(DAILY);
    expect(schedulerMock).toHaveReceivedCommandTimes(UpdateScheduleCommand, 1);

    schedulerMock.reset();
    schedulerMock.on(CreateScheduleCommand).rejects(new Error("AccessDenied"));
    const failed = await call("POST", "/schedules", { token: TOKEN, body: DAILY });
    expect(failed.statusCode).toBe(500);
    expect((await call("GET", "/schedules", { token: TOKEN })).json.schedules).toHaveLength(1);
  });
});

describe("schedule validation", () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ["a bad cron field", { expression: "cron(61 9 * * ? *)" }, /minute/],
    ["a cron without '?'", { expression: "cron(0 9 * * * *)" }, /exactly one of day-of-month/],
    ["five cron fields", { expression: "cron(0 9 * * ?)" }, /6 fields/],
    ["an unknown expression", { expression: "every day" }, /cron\(\.\.\.\), rate\(\.\.\.\) or at/],
    ["an unknown time zone", { timezone: "Mars/Olympus" }, /IANA time zone/],
    ["runs every minute", { expression: "rate(1 minute)" }, /at least 5 minutes apart/],
    ["runs every 2 minutes by cron", { expression: "cron(0/2 * * * ? *)" }, /at least 5 minutes apart/],
    ["a burst inside an hour", { expression: "cron(0,1 9 * * ? *)" }, /at least 5 minutes apart/],
    ["an at(...) in the past", { expression: "at(2020-01-01T00:00:00)" }, /in the past/],
    ["rate with a plural one", { expression: "rate(1 hours)" }, /rate\(1 hour\)/],
    ["an empty prompt", { prompt: "  " }, /prompt must not be empty/],
  ];
  for (const [what, patch, message] of cases) {
    it(`refuses ${what} with 422 and a message that says what to fix`, async () => {
      const { call, scheduler } = setup();
      const res = await call("POST", "/schedules", { token: TOKEN, body: { ...DAILY, ...patch } });
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json.error.message).toMatch(message);
      expect((scheduler as RecordingScheduler).calls).toEqual([]);
    });
  }

  it("accepts EventBridge-style weekdays, L and rate(5 minutes)", async () => {
    const { create } = setup();
    const weekdays = await create({
      ...DAILY,
      expression: "cron(30 7 ? * MON-FRI *)",
      timezone: "America/New_York",
    });
    expect(weekdays.nextRunAt).toBe("2026-11-25T12:30:00.000Z"); // Wednesday 07:30 EST, later today
    const sunday = await create({ ...DAILY, expression: "cron(0 12 ? * 1 *)" }); // 1 = SUN in EventBridge
    expect(new Date(sunday.nextRunAt ?? "").getUTCDay()).toBe(0);
    await create({ ...DAILY, expression: "cron(0 12 L * ? *)" });
    const rate = await create({ ...DAILY, expression: "rate(5 minutes)" });
    expect(rate.nextRunAt).toBe("2026-11-25T10:05:00.000Z");
  });

  it("refuses a PATCH that makes a schedule too frequent, and keeps the old one", async () => {
    const { call, create } = setup();
    const s = await create(DAILY);
    const res = await call("PATCH", `/schedules/${s.scheduleId}`, {
      token: TOKEN,
      body: { expression: "rate(2 minutes)" },
    });
    expect(res.statusCode).toBe(422);
    expect((await call("GET", "/schedules", { token: TOKEN })).json.schedules[0].expression).toBe(
      DAILY.expression,
    );
  });

  it(`allows at most ${SCHEDULE_LIMITS.maxPerUser} schedules per user`, async () => {
    const { call, create } = setup();
    for (let i = 0; i < SCHEDULE_LIMITS.maxPerUser; i++) await create(DAILY);
    const res = await call("POST", "/schedules", { token: TOKEN, body: DAILY });
    expect(res.statusCode).toBe(409);
    expect(res.json.error.code).toBe("SCHEDULE_LIMIT");
  });

  it("refuses Telegram delivery until a Telegram account is paired", async () => {
    const { call, deps, create } = setup();
    const res = await call("POST", "/schedules", { token: TOKEN, body: { ...DAILY, deliverTo: "telegram" } });
    expect(res.statusCode).toBe(409);
    expect(res.json.error.code).toBe("TELEGRAM_NOT_PAIRED");
    await deps.settings.put(ALICE, "telegram#4242", {
      telegramUserId: 4242,
      userId: ALICE,
      pairedAt: deps.clock.now().toISOString(),
    });
    expect((await create({ ...DAILY, deliverTo: "telegram" })).deliverTo).toBe("telegram");
  });

  it("answers 409 SCHEDULER_UNAVAILABLE where no scheduler is set up", async () => {
    const deps = makeDeps();
    const api = createHttpApiHandler(deps);
    const res = await api(httpEvent("POST", "/schedules", { token: TOKEN, body: DAILY }));
    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body ?? "{}").error.code).toBe("SCHEDULER_UNAVAILABLE");
  });
});

describe("a schedule run (schedule-fire)", () => {
  it("enqueues the prompt into the schedule's conversation and wakes the agent", async () => {
    const { create, fire, deps, call } = setup();
    const s = await create(DAILY);
    const out = await fire({
      userId: ALICE,
      scheduleId: s.scheduleId,
      scheduledTime: "2026-11-26T09:00:00Z",
    });
    expect(out.outcome).toBe("sent");
    const [message] = await deps.pending.list(ALICE);
    expect(message).toMatchObject({
      conversationId: s.conversationId,
      text: DAILY.prompt,
      channel: "schedule",
      replyTo: { channel: "schedule", scheduleId: s.scheduleId },
    });
    expect(deps.taskRunner.starts).toHaveLength(1);
    const conversations = (await call("GET", "/conversations", { token: TOKEN })).json.conversations;
    expect(conversations).toContainEqual(
      expect.objectContaining({ conversationId: s.conversationId, channel: "schedule" }),
    );
    const after = (await call("GET", "/schedules", { token: TOKEN })).json.schedules[0];
    expect(after).toMatchObject({ runs: 1, missedRuns: 0, lastRunAt: "2026-11-26T09:00:00.000Z" });
  });

  it("is idempotent per scheduled time: a retried invocation neither enqueues nor counts twice", async () => {
    const { create, fire, deps, services } = setup();
    const s = await create(DAILY);
    const event = { userId: ALICE, scheduleId: s.scheduleId, scheduledTime: "2026-11-26T09:00:00Z" };
    expect((await fire(event)).outcome).toBe("sent");
    expect((await fire(event)).outcome).toBe("duplicate");
    expect(await deps.pending.list(ALICE)).toHaveLength(1);
    expect((await services.schedules.get(ALICE, s.scheduleId)).runs).toBe(1);
  });

  it("records a missed run with the reason when the agent fails to start, and drops the stale prompt", async () => {
    const { create, fire, deps, services } = setup();
    const s = await create(DAILY);
    deps.taskRunner.failNext = new TaskStartError("NO_CAPACITY", "AWS has no Fargate capacity right now.");
    const out = await fire({
      userId: ALICE,
      scheduleId: s.scheduleId,
      scheduledTime: "2026-11-26T09:00:00Z",
    });
    expect(out.outcome).toEqual({
      missed: { code: "NO_CAPACITY", message: "AWS has no Fargate capacity right now." },
    });
    const after = await services.schedules.get(ALICE, s.scheduleId);
    expect(after).toMatchObject({ missedRuns: 1, runs: 0, lastError: { code: "NO_CAPACITY" } });
    expect(await deps.pending.list(ALICE)).toEqual([]);

    // The next run works and clears the error, keeping the count.
    const next = await fire({
      userId: ALICE,
      scheduleId: s.scheduleId,
      scheduledTime: "2026-11-27T09:00:00Z",
    });
    expect(next.outcome).toBe("sent");
    const healed = await services.schedules.get(ALICE, s.scheduleId);
    expect(healed).toMatchObject({ missedRuns: 1, runs: 1 });
    expect(healed.lastError).toBeUndefined();
  });

  it("counts a run as missed while the previous one still waits for an agent that never came up", async () => {
    const { create, fire, deps, services } = setup();
    const s = await create(DAILY);
    await fire({ userId: ALICE, scheduleId: s.scheduleId, scheduledTime: "2026-11-26T09:00:00Z" });
    const out = await fire({
      userId: ALICE,
      scheduleId: s.scheduleId,
      scheduledTime: "2026-11-27T09:00:00Z",
    });
    expect(out.outcome).toEqual({ missed: expect.objectContaining({ code: "PREVIOUS_RUN_PENDING" }) });
    expect(await deps.pending.list(ALICE)).toHaveLength(1);
    expect((await services.schedules.get(ALICE, s.scheduleId)).missedRuns).toBe(1);
  });

  it("does nothing for a paused schedule, and asks the scheduler to forget a deleted one", async () => {
    const { create, fire, deps, call, scheduler } = setup();
    const s = await create(DAILY);
    await call("PATCH", `/schedules/${s.scheduleId}`, { token: TOKEN, body: { enabled: false } });
    expect((await fire({ userId: ALICE, scheduleId: s.scheduleId })).outcome).toBe("paused");
    expect((await fire({ userId: ALICE, scheduleId: "sGone" })).outcome).toBe("gone");
    expect((scheduler as RecordingScheduler).calls.at(-1)).toEqual({ op: "delete", scheduleId: "sGone" });
    expect((await fire({ nonsense: true })).outcome).toBe("ignored");
    expect(await deps.pending.list(ALICE)).toEqual([]);
  });

  it("delivers to the paired Telegram chat when asked, and completes a one-shot at(...)", async () => {
    const { create, fire, deps, services } = setup();
    await deps.settings.put(ALICE, "telegram#4242", {
      telegramUserId: 4242,
      userId: ALICE,
      pairedAt: deps.clock.now().toISOString(),
    });
    const s = await create({ ...DAILY, deliverTo: "telegram", expression: "at(2026-11-25T11:00:00)" });
    await fire({ userId: ALICE, scheduleId: s.scheduleId, scheduledTime: "2026-11-25T11:00:00Z" });
    const [message] = await deps.pending.list(ALICE);
    expect(message?.replyTo).toEqual({ channel: "telegram", chatId: 4242 });
    const after = await services.schedules.get(ALICE, s.scheduleId);
    expect(after).toMatchObject({ completed: true, enabled: false, runs: 1 });
    expect(after.nextRunAt).toBeUndefined();
  });

  it("tells open tabs nothing new when sent to a running agent, but hands it the prompt", async () => {
    const { create, fire, deps, services } = setup();
    await connectClient(deps, ALICE);
    await services.lifecycle.wake(ALICE);
    const secret = deps.taskRunner.starts[0]?.agentSecret ?? "";
    await services.lifecycle.agentConnected({ connectionId: "agent-1", userId: ALICE, secret });
    const s = await create(DAILY);
    await fire({ userId: ALICE, scheduleId: s.scheduleId, scheduledTime: "2026-11-26T09:00:00Z" });
    expect(deps.agentPush.to("agent-1")).toContainEqual(
      expect.objectContaining({
        type: "agent.deliver",
        message: expect.objectContaining({ text: DAILY.prompt }),
      }),
    );
    expect(deps.taskRunner.starts).toHaveLength(1);
  });
});
