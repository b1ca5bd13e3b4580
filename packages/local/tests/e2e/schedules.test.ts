import type { Schedule, StoredMessage, UsageReport } from "@serverless-openclaw/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentStack, startAgentStack } from "./agent-stack";
import { RecordingSocket } from "./ws-client";

// One boot of the real agent for the whole file. Generous bounds for a shared CPU, never asserted as timings.
const WAKE_AND_TURN_MS = 360_000;

let agent: AgentStack;
let browser: RecordingSocket;

/** `at(...)` wants a wall-clock time without zone, to the second. */
const atUtc = (d: Date) => `at(${d.toISOString().slice(0, 19)})`;

beforeAll(async () => {
  agent = await startAgentStack("schedules");
  browser = await RecordingSocket.open(`${agent.stack.wsUrl}?token=${encodeURIComponent(agent.token)}`);
});

afterAll(async () => {
  await browser?.close();
  await agent?.stop();
});

describe("scheduled prompts in local mode (in-process scheduler, real agent, fake LLM)", () => {
  it("runs a prompt due in a few seconds: the reply lands in the schedule's history and open tabs, and the run is booked to usage", async () => {
    const created = await agent.api<Schedule>("POST", "/schedules", {
      name: "Soon",
      prompt: "say the scheduled word kumquat",
      // at(...) is to the second and must still lie ahead when the request is checked; a CI run with
      // both cores busy once took over 2 s to get there, so leave ample room.
      expression: atUtc(new Date(Math.ceil((Date.now() + 10_000) / 1000) * 1000)),
      timezone: "UTC",
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const { scheduleId, conversationId } = created.json;

    const final = await browser.waitFor(
      "the scheduled reply",
      (e) => (e.type === "chat.final" || e.type === "chat.error") && e.conversationId === conversationId,
      WAKE_AND_TURN_MS,
      agent.tail,
    );
    expect(final, JSON.stringify(final)).toMatchObject({ type: "chat.final" });
    expect(String(final.text)).toContain("echo: say the scheduled word kumquat");

    const history = await agent.api<{ messages: StoredMessage[] }>(
      "GET",
      `/conversations/${conversationId}/messages`,
    );
    expect(history.json.messages.map((m) => [m.role, m.channel])).toEqual([
      ["user", "schedule"],
      ["assistant", "schedule"],
    ]);
    expect(history.json.messages[0]?.text).toBe("say the scheduled word kumquat");
    const listed = await agent.api<{ conversations: Array<{ conversationId: string; title: string }> }>(
      "GET",
      "/conversations",
    );
    expect(listed.json.conversations).toContainEqual(
      expect.objectContaining({ conversationId, title: "⏰ Soon" }),
    );

    const after = (await agent.api<{ schedules: Schedule[] }>("GET", "/schedules")).json.schedules;
    expect(after.find((s) => s.scheduleId === scheduleId)).toMatchObject({
      runs: 1,
      missedRuns: 0,
      completed: true,
      enabled: false,
    });

    // Stop the agent: its own clean stop books the run (through the store RPC) to this month's usage.
    expect((await agent.api("POST", "/agent/stop")).status).toBe(202);
    for (let i = 0; i < 120; i++) {
      if ((await agent.api<{ state: string }>("GET", "/agent")).json.state === "Idle") break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const usage = (await agent.api<UsageReport>("GET", "/usage")).json;
    expect(usage.months[0]?.starts).toBe(1);
    expect(usage.months[0]?.agentHours).toBeGreaterThan(0);
    // The estimate is those hours at the report's rate (each figure rounded: 4 decimals of a dollar, 3 of
    // an hour). Not `> 0`: on a quiet machine the run lasts a few seconds, under $0.00005, which rounds to 0.
    const month = usage.months[0];
    expect(Math.abs((month?.estimatedUsd ?? -1) - (month?.agentHours ?? 0) * usage.hourlyUsd)).toBeLessThan(
      0.0001,
    );
  }, 420_000);
});
