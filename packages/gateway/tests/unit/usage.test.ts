import {
  agentHourUsd,
  BUDGET_EXCEEDED,
  BUDGET_UNAVAILABLE,
  KEYS,
  USAGE_KEYS,
} from "@serverless-openclaw/shared";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createHttpApiHandler } from "../../src/handlers";
import { createServices } from "../../src/services";
import { withUsageRecording } from "../../src/services/usage-recording";
import { httpEvent } from "../handlers/events";
import { connectClient, makeDeps } from "./fakes";

const ALICE = "alice";
const TOKEN = `valid:${ALICE}`;

/** Deps whose TaskState books usage, as runtime/aws.ts and local mode wire it. */
function setup(config: { monthlyBudgetUsd?: number } = {}) {
  const base = makeDeps({ config });
  const deps = { ...base, taskState: withUsageRecording(base.taskState, base.settings, base.logger) };
  const services = createServices(deps);
  const api = createHttpApiHandler(deps, services);
  const call = async (...args: Parameters<typeof httpEvent>) => {
    const result = await api(httpEvent(...args));
    return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
  };
  return { deps, services, call };
}

/** Starts the agent, connects it, lets it run `minutes`, then lets `end` bring it to Idle. */
async function run(s: ReturnType<typeof setup>, minutes: number, end: "stop" | "crash") {
  const { deps, services } = s;
  await services.lifecycle.wake(ALICE);
  const secret = deps.taskRunner.starts.at(-1)?.agentSecret ?? "";
  await services.lifecycle.agentConnected({
    connectionId: `agent-${secret.slice(0, 6)}`,
    userId: ALICE,
    secret,
  });
  deps.clock.advance(minutes * 60_000);
  const row = await deps.taskState.get(ALICE);
  if (end === "stop") {
    // The task's own clean stop: Running → Stopping → Idle, clearing startedAt on the way (as the container does).
    const stopping = await deps.taskState.transition({
      userId: ALICE,
      expectState: "Running",
      set: { state: "Stopping" },
    });
    expect(stopping).toBeDefined();
    await deps.taskState.transition({
      userId: ALICE,
      expectState: "Stopping",
      set: { state: "Idle", startedAt: null, runningAt: null, taskArn: null },
    });
  } else {
    // The task died: ECS no longer lists it and the watchdog repairs the row.
    deps.taskRunner.runningArns.delete(row.taskArn ?? "");
    await services.watchdog.run();
  }
  expect((await deps.taskState.get(ALICE)).state).toBe("Idle");
}

describe("usage recording", () => {
  it("books every start and the run's time, whether the task stopped cleanly or the watchdog cleaned up a crash", async () => {
    const s = setup();
    await run(s, 30, "stop");
    await run(s, 90, "crash");
    const record = await s.deps.settings.get(ALICE, USAGE_KEYS.month("2026-11"));
    expect(record).toMatchObject({ starts: 2, agentSeconds: 120 * 60 });
  });

  it("books a run once even when a second writer reports its end", async () => {
    const s = setup();
    await s.services.lifecycle.wake(ALICE);
    const row = await s.deps.taskState.get(ALICE);
    s.deps.clock.advance(10 * 60_000);
    const usage = s.services.usage;
    await usage.recordRunEnded(ALICE, row.startedAt ?? "", s.deps.clock.now());
    await usage.recordRunEnded(ALICE, row.startedAt ?? "", s.deps.clock.now());
    expect((await usage.month(ALICE, "2026-11")).agentSeconds).toBe(600);
  });

  it("GET /usage reports this month and the five before, with the estimate from the shared price list", async () => {
    const s = setup();
    await run(s, 60, "stop");
    await s.deps.settings.put(ALICE, USAGE_KEYS.month("2026-10"), { agentSeconds: 7200, starts: 3 });
    const res = await s.call("GET", "/usage", { token: TOKEN });
    expect(res.statusCode).toBe(200);
    expect(res.json.months.map((m: { month: string }) => m.month)).toEqual([
      "2026-11",
      "2026-10",
      "2026-09",
      "2026-08",
      "2026-07",
      "2026-06",
    ]);
    expect(res.json.months[0]).toMatchObject({ agentHours: 1, starts: 1 });
    expect(res.json.months[0].estimatedUsd).toBeCloseTo(agentHourUsd(), 3);
    expect(res.json.months[1]).toMatchObject({ agentHours: 2, starts: 3 });
    expect(res.json).toMatchObject({ monthlyBudgetUsd: null, budgetSource: "none", budgetExceeded: false });
    expect((await s.call("GET", "/usage", { token: "valid:bob" })).json.months[0].agentHours).toBe(0);
  });
});

describe("budget cap", () => {
  it("refuses to start once the month's estimate passes the deployment cap, and tells every tab why", async () => {
    const s = setup({ monthlyBudgetUsd: 1 });
    const tab = await connectClient(s.deps, ALICE);
    const hoursForOneDollar = 1 / agentHourUsd();
    await s.deps.settings.put(ALICE, USAGE_KEYS.month("2026-11"), {
      agentSeconds: Math.ceil(hoursForOneDollar * 3600) + 60,
      starts: 5,
    });
    expect(await s.services.lifecycle.wake(ALICE)).toBe("Idle");
    expect(s.deps.taskRunner.starts).toEqual([]);
    const status = s.deps.clientPush.to(tab).find((e) => e.type === "agent.status");
    expect(status).toMatchObject({ state: "Idle", error: { code: BUDGET_EXCEEDED } });
    const message = status && "error" in status ? (status.error?.message ?? "") : "";
    expect(message).toMatch(/past this deployment's monthly budget of \$1\.00/);
    expect(message).toMatch(/Only whoever runs the deployment can raise it/);
    expect((await s.call("GET", "/agent", { token: TOKEN })).json.error.code).toBe(BUDGET_EXCEEDED);
    expect((await s.call("GET", "/usage", { token: TOKEN })).json).toMatchObject({
      budgetExceeded: true,
      monthlyBudgetUsd: 1,
      budgetSource: "deployment",
    });

    // A chat message is kept, but does not start the agent either.
    const sent = await s.services.chat.send({
      userId: ALICE,
      conversationId: "c1",
      clientMessageId: "m1",
      text: "hello",
      channel: "web",
      replyTo: { channel: "web" },
    });
    expect(sent).toEqual({ ack: "queued", agentState: "Idle" });
    expect(s.deps.taskRunner.starts).toEqual([]);

    // The deployment's cap is a ceiling: a user cannot raise it in Settings, and is told why.
    const put = await s.call("PUT", "/settings", { token: TOKEN, body: { monthlyBudgetUsd: 50 } });
    expect(put.statusCode).toBe(422);
    expect(put.json.error.message).toMatch(/at most this deployment's cap of \$1\.00/);
    expect(await s.services.lifecycle.wake(ALICE)).toBe("Idle");
    expect(s.deps.taskRunner.starts).toEqual([]);
  });

  it("a user's cap raised in Settings lets the next wake start when the deployment has no cap", async () => {
    const s = setup();
    await s.call("PUT", "/settings", { token: TOKEN, body: { monthlyBudgetUsd: 1 } });
    await s.deps.settings.put(ALICE, USAGE_KEYS.month("2026-11"), {
      agentSeconds: Math.ceil((1 / agentHourUsd()) * 3600) + 60,
      starts: 5,
    });
    expect(await s.services.lifecycle.wake(ALICE)).toBe("Idle");
    const put = await s.call("PUT", "/settings", { token: TOKEN, body: { monthlyBudgetUsd: 50 } });
    expect(put.statusCode).toBe(200);
    expect(put.json.monthlyBudgetUsd).toBe(50);
    expect(await s.services.lifecycle.wake(ALICE)).toBe("Starting");
    expect(s.deps.taskRunner.starts).toHaveLength(1);
    expect((await s.deps.taskState.get(ALICE)).lastError).toBeUndefined();
  });

  it("a cap stored above the deployment's (before the ceiling was lowered) counts as the ceiling", async () => {
    const s = setup({ monthlyBudgetUsd: 1 });
    await s.deps.settings.put(ALICE, KEYS.settings.settings, { monthlyBudgetUsd: 100_000 });
    await s.deps.settings.put(ALICE, USAGE_KEYS.month("2026-11"), {
      agentSeconds: Math.ceil((1 / agentHourUsd()) * 3600) + 60,
      starts: 5,
    });
    expect(await s.services.lifecycle.wake(ALICE)).toBe("Idle");
    expect(s.deps.taskRunner.starts).toEqual([]);
    const report = (await s.call("GET", "/usage", { token: TOKEN })).json;
    expect(report).toMatchObject({ monthlyBudgetUsd: 1, budgetSource: "deployment", deploymentBudgetUsd: 1 });
    const status = await s.services.lifecycle.status(ALICE);
    expect(status.error?.message).toMatch(/this deployment's monthly budget of \$1\.00/);
  });

  it("a user may lower the deployment's cap: the lower one applies", async () => {
    const s = setup({ monthlyBudgetUsd: 100 });
    const put = await s.call("PUT", "/settings", { token: TOKEN, body: { monthlyBudgetUsd: 1 } });
    expect(put.statusCode).toBe(200);
    await s.deps.settings.put(ALICE, USAGE_KEYS.month("2026-11"), {
      agentSeconds: Math.ceil((1 / agentHourUsd()) * 3600) + 60,
      starts: 5,
    });
    expect(await s.services.lifecycle.wake(ALICE)).toBe("Idle");
    expect((await s.call("GET", "/usage", { token: TOKEN })).json).toMatchObject({
      monthlyBudgetUsd: 1,
      budgetSource: "settings",
      budgetExceeded: true,
    });
  });

  it("the cap a user ends up with never exceeds the deployment's, whatever they send (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: 0.01, max: 100_000, noNaN: true }),
        fc.oneof(fc.double({ min: -10, max: 200_000, noNaN: true }), fc.constant(null)),
        async (ceiling, wanted) => {
          const s = setup({ monthlyBudgetUsd: ceiling });
          const put = await s.call("PUT", "/settings", { token: TOKEN, body: { monthlyBudgetUsd: wanted } });
          if (wanted !== null && wanted > ceiling) expect(put.statusCode).toBe(422);
          const report = (await s.call("GET", "/usage", { token: TOKEN })).json;
          expect(report.monthlyBudgetUsd).not.toBeNull();
          expect(report.monthlyBudgetUsd).toBeLessThanOrEqual(ceiling);
        },
      ),
      { numRuns: 200, seed: 22 },
    );
  });

  it("fails closed: when usage cannot be read the start is refused with a clear message", async () => {
    const s = setup();
    const tab = await connectClient(s.deps, ALICE);
    const realGet = s.deps.settings.get.bind(s.deps.settings);
    s.deps.settings.get = async (userId, key) => {
      if (key.startsWith(USAGE_KEYS.prefix)) throw new Error("ProvisionedThroughputExceededException");
      return realGet(userId, key);
    };
    expect(await s.services.lifecycle.wake(ALICE)).toBe("Idle");
    expect(s.deps.taskRunner.starts).toEqual([]);
    const status = s.deps.clientPush.to(tab).find((e) => e.type === "agent.status");
    expect(status).toMatchObject({ state: "Idle", error: { code: BUDGET_UNAVAILABLE } });
    const message = status && "error" in status ? (status.error?.message ?? "") : "";
    expect(message).toMatch(/usage could not be read to check the monthly budget/);
    expect(message).toMatch(/messages are kept/);
    // Once the store answers again, the next wake starts.
    s.deps.settings.get = realGet;
    expect(await s.services.lifecycle.wake(ALICE)).toBe("Starting");
  });

  it("a run on on-demand Fargate (Spot's fallback) is priced as on-demand, in the report and the cap", async () => {
    const s = setup({ monthlyBudgetUsd: 1 });
    s.deps.taskRunner.capacity = "on-demand";
    await run(s, 60, "stop");
    s.deps.taskRunner.capacity = "spot";
    await run(s, 60, "crash");
    const record = await s.deps.settings.get(ALICE, USAGE_KEYS.month("2026-11"));
    expect(record).toMatchObject({ agentSeconds: 7200, onDemandSeconds: 3600 });
    const report = (await s.call("GET", "/usage", { token: TOKEN })).json;
    const expected = agentHourUsd(undefined, "on-demand") + agentHourUsd(undefined, "spot");
    expect(report.months[0].estimatedUsd).toBeCloseTo(expected, 3);
    // On-demand is roughly 3× Spot for the task (plus the same public IPv4).
    expect(agentHourUsd(undefined, "on-demand")).toBeGreaterThan(2.5 * agentHourUsd(undefined, "spot"));
    // 30 on-demand hours pass a $1 cap that 30 Spot hours would not.
    const t = setup({ monthlyBudgetUsd: 1 });
    await t.deps.settings.put(ALICE, USAGE_KEYS.month("2026-11"), {
      agentSeconds: 30 * 3600,
      onDemandSeconds: 30 * 3600,
      starts: 1,
    });
    expect((await t.services.usage.budgetCheck(ALICE)).exceeded).toBe(true);
    await t.deps.settings.put(ALICE, USAGE_KEYS.month("2026-11"), { agentSeconds: 30 * 3600, starts: 1 });
    expect((await t.services.usage.budgetCheck(ALICE)).exceeded).toBe(false);
  });

  it("a user's own cap of 0 stops every start, whatever the deployment default", async () => {
    const s = setup();
    await s.call("PUT", "/settings", { token: TOKEN, body: { monthlyBudgetUsd: 0 } });
    expect(await s.services.lifecycle.wake(ALICE)).toBe("Idle");
    expect((await s.services.lifecycle.status(ALICE)).error?.code).toBe(BUDGET_EXCEEDED);
    // null goes back to the deployment default (none here).
    await s.call("PUT", "/settings", { token: TOKEN, body: { monthlyBudgetUsd: null } });
    expect(await s.services.lifecycle.wake(ALICE)).toBe("Starting");
  });

  it("refuses a negative budget", async () => {
    const s = setup();
    const res = await s.call("PUT", "/settings", { token: TOKEN, body: { monthlyBudgetUsd: -1 } });
    expect(res.statusCode).toBe(422);
  });
});
