// @vitest-environment happy-dom
import type { Schedule, SettingsUpdate, UsageReport } from "@serverless-openclaw/shared";
import { DEFAULT_SETTINGS } from "@serverless-openclaw/shared";
import { cleanup, configure, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { SchedulesPage } from "../../src/schedules/schedules-page";
import { parseHash, routeHash } from "../../src/ui/use-hash-route";
import { UsagePage } from "../../src/usage/usage-page";

configure({ asyncUtilTimeout: 10_000 });
afterEach(cleanup);

const month = (m: string, hours: number) => ({
  month: m,
  agentHours: hours,
  starts: 2,
  estimatedUsd: hours * 0.02,
});
const report = (over: Partial<UsageReport> = {}): UsageReport => ({
  months: [month("2026-11", 10), month("2026-10", 5), month("2026-09", 0)],
  monthlyBudgetUsd: 10,
  budgetSource: "deployment",
  budgetExceeded: false,
  hourlyUsd: 0.02,
  note: "Estimate of the agent task only.",
  ...over,
});

describe("routes", () => {
  it("has #/schedules and #/usage", () => {
    expect(parseHash("#/usage")).toEqual({ page: "usage" });
    expect(parseHash("#/schedules")).toEqual({ page: "schedules" });
    expect(routeHash({ page: "usage" })).toBe("#/usage");
    expect(routeHash({ page: "chat", conversationId: "abc" })).toBe("#/c/abc");
  });
});

describe("UsagePage", () => {
  it("shows this month, a bar per month with the budget line, and saves a budget", async () => {
    const puts: SettingsUpdate[] = [];
    let current = report();
    const api = {
      getUsage: async () => current,
      putSettings: async (u: SettingsUpdate) => {
        puts.push(u);
        current = report({ monthlyBudgetUsd: 25, budgetSource: "settings" });
        return { ...DEFAULT_SETTINGS, monthlyBudgetUsd: u.monthlyBudgetUsd ?? null };
      },
    };
    render(<UsagePage api={api} />);
    expect((await screen.findByTestId("usage-current")).textContent).toMatch(
      /10\.00 agent-hours.*\$0\.20.*\$10\.00 budget/,
    );
    expect(screen.getByTestId("usage-bar-2026-11")).toBeTruthy();
    expect(screen.getByTestId("usage-bar-2026-09")).toBeTruthy();
    expect(screen.getByTestId("usage-budget-line").textContent).toContain("budget $10.00");
    expect(screen.queryByTestId("usage-over-budget")).toBeNull();

    fireEvent.change(screen.getByTestId("monthly-budget"), { target: { value: "25" } });
    fireEvent.click(screen.getByTestId("budget-save"));
    expect((await screen.findByTestId("budget-saved")).textContent).toContain("$25.00");
    expect(puts).toEqual([{ monthlyBudgetUsd: 25 }]);
    await waitFor(() => expect((screen.getByTestId("monthly-budget") as HTMLInputElement).value).toBe("25"));
  });

  it("says when the budget is used up, and refuses a negative budget without calling the API", async () => {
    const puts: SettingsUpdate[] = [];
    const api = {
      getUsage: async () => report({ budgetExceeded: true }),
      putSettings: async (u: SettingsUpdate) => {
        puts.push(u);
        return { ...DEFAULT_SETTINGS };
      },
    };
    render(<UsagePage api={api} />);
    expect((await screen.findByTestId("usage-over-budget")).textContent).toMatch(/will not start/);
    fireEvent.change(screen.getByTestId("monthly-budget"), { target: { value: "-3" } });
    fireEvent.click(screen.getByTestId("budget-save"));
    expect((await screen.findByTestId("usage-error")).textContent).toMatch(/0 or more/);
    expect(puts).toEqual([]);
  });
});

const schedule = (over: Partial<Schedule> = {}): Schedule => ({
  scheduleId: "s1",
  name: "Brief",
  prompt: "Summarise",
  expression: "cron(0 9 * * ? *)",
  timezone: "UTC",
  deliverTo: "web",
  conversationId: "schedule-s1",
  enabled: true,
  createdAt: "2026-11-25T10:00:00.000Z",
  updatedAt: "2026-11-25T10:00:00.000Z",
  missedRuns: 0,
  runs: 0,
  nextRunAt: "2026-11-26T09:00:00.000Z",
  ...over,
});

describe("SchedulesPage", () => {
  it("lists schedules with missed runs and the last problem, pauses, deletes and opens replies", async () => {
    let list = [
      schedule({
        missedRuns: 2,
        lastError: { code: "BUDGET_EXCEEDED", message: "Budget used up.", at: "2026-11-25T09:00:00.000Z" },
      }),
    ];
    const calls: string[] = [];
    const api = {
      listSchedules: async () => list,
      createSchedule: async () => schedule(),
      updateSchedule: async (id: string, patch: { enabled?: boolean }) => {
        calls.push(`update ${id} ${JSON.stringify(patch)}`);
        list = [schedule({ enabled: false, nextRunAt: undefined })];
        return list[0] as Schedule;
      },
      deleteSchedule: async (id: string) => {
        calls.push(`delete ${id}`);
        list = [];
      },
    };
    const opened: string[] = [];
    render(<SchedulesPage api={api} telegramAvailable={false} onOpenConversation={(c) => opened.push(c)} />);
    expect((await screen.findByTestId("schedule-missed-s1")).textContent).toContain("Missed: 2");
    expect(screen.getByTestId("schedule-error-s1").textContent).toContain("Budget used up.");
    fireEvent.click(screen.getByText("Replies"));
    expect(opened).toEqual(["schedule-s1"]);
    fireEvent.click(screen.getByTestId("schedule-toggle-s1"));
    await waitFor(() => expect(screen.getByTestId("schedule-toggle-s1").textContent).toBe("Resume"));
    fireEvent.click(screen.getByTestId("schedule-delete-s1"));
    expect(await screen.findByTestId("schedules-empty")).toBeTruthy();
    expect(calls).toEqual(['update s1 {"enabled":false}', "delete s1"]);
  });

  it("checks timing before sending: a too-frequent schedule is refused with the gateway's own message", async () => {
    const created: unknown[] = [];
    const api = {
      listSchedules: async () => [],
      createSchedule: async (input: unknown) => {
        created.push(input);
        return schedule();
      },
      updateSchedule: async () => schedule(),
      deleteSchedule: async () => {},
    };
    render(<SchedulesPage api={api} telegramAvailable={false} onOpenConversation={() => {}} />);
    await screen.findByTestId("schedules-empty");
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "Spam" } });
    fireEvent.change(screen.getByLabelText("Prompt"), { target: { value: "hi" } });
    fireEvent.change(screen.getByLabelText("When (EventBridge syntax)"), {
      target: { value: "rate(1 minute)" },
    });
    fireEvent.change(screen.getByLabelText("Time zone"), { target: { value: "UTC" } });
    fireEvent.submit(screen.getByTestId("schedule-form"));
    expect((await screen.findByTestId("schedules-error")).textContent).toMatch(/at least 5 minutes apart/);
    expect(created).toEqual([]);

    fireEvent.change(screen.getByLabelText("When (EventBridge syntax)"), {
      target: { value: "rate(1 hour)" },
    });
    fireEvent.submit(screen.getByTestId("schedule-form"));
    await waitFor(() => expect(created).toHaveLength(1));
    expect(created[0]).toMatchObject({
      name: "Spam",
      prompt: "hi",
      expression: "rate(1 hour)",
      timezone: "UTC",
      deliverTo: "web",
    });
  });
});

describe("StatusBar with the budget used up", () => {
  it("says the monthly budget is reached and links to the Usage page", async () => {
    const { StatusBar } = await import("../../src/ui/status-bar");
    render(
      <StatusBar
        agent={{
          type: "agent.status",
          state: "Idle",
          message: "past your monthly budget",
          error: { code: "BUDGET_EXCEEDED", message: "This month's agent use is estimated at $10.02." },
        }}
        connection={{ status: "open" }}
      />,
    );
    const error = screen.getByTestId("status-error");
    expect(error.textContent).toMatch(
      /^Monthly budget reached: This month's agent use is estimated at \$10\.02\./,
    );
    expect(error.querySelector("a")?.getAttribute("href")).toBe("#/usage");
  });
});
