import { agentHourUsd, BUDGET_EXCEEDED, USAGE_KEYS } from "@serverless-openclaw/shared";
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
    expect(message).toMatch(/past your monthly budget of \$1\.00/);
    expect(message).toMatch(/Raise your monthly budget on the Usage page/);
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

    // Raising the cap in Settings lets the next wake start.
    const put = await s.call("PUT", "/settings", { token: TOKEN, body: { monthlyBudgetUsd: 50 } });
    expect(put.statusCode).toBe(200);
    expect(put.json.monthlyBudgetUsd).toBe(50);
    expect(await s.services.lifecycle.wake(ALICE)).toBe("Starting");
    expect(s.deps.taskRunner.starts).toHaveLength(1);
    expect((await s.deps.taskState.get(ALICE)).lastError).toBeUndefined();
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
