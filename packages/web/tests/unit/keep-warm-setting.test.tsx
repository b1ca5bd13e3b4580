// @vitest-environment happy-dom
import {
  DEFAULT_SETTINGS,
  type KeepWarm,
  keepWarmMonthlyUsd,
  type SettingsUpdate,
} from "@serverless-openclaw/shared";
import { cleanup, configure, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { KeepWarmSetting } from "../../src/settings/keep-warm-setting";

configure({ asyncUtilTimeout: 10_000 });
afterEach(cleanup);

function fakeApi() {
  const puts: SettingsUpdate[] = [];
  return {
    puts,
    api: {
      putSettings: async (u: SettingsUpdate) => {
        puts.push(u);
        return { ...DEFAULT_SETTINGS, keepWarm: u.keepWarm ?? null };
      },
    },
  };
}

describe("KeepWarmSetting", () => {
  it("shows the window's monthly cost as it is edited, before anything is saved, then saves it on its own", async () => {
    const { api, puts } = fakeApi();
    render(<KeepWarmSetting api={api} settings={DEFAULT_SETTINGS} timezone="Europe/Berlin" />);
    fireEvent.click(screen.getByTestId("keep-warm-enabled"));
    const weekdays: KeepWarm = {
      days: ["MON", "TUE", "WED", "THU", "FRI"],
      start: "09:00",
      end: "17:00",
      timezone: "Europe/Berlin",
    };
    expect(screen.getByTestId("keep-warm-cost").textContent).toContain(
      `$${keepWarmMonthlyUsd(weekdays).toFixed(2)} a month on Fargate Spot`,
    );
    // Two more hours a day on Saturday too: the figure follows, still nothing sent.
    fireEvent.click(screen.getByTestId("keep-warm-day-SAT"));
    fireEvent.change(screen.getByTestId("keep-warm-end"), { target: { value: "19:00" } });
    const longer: KeepWarm = { ...weekdays, days: [...weekdays.days, "SAT"], end: "19:00" };
    expect(screen.getByTestId("keep-warm-cost").textContent).toContain(
      `$${keepWarmMonthlyUsd(longer).toFixed(2)} a month`,
    );
    expect(puts).toEqual([]);
    fireEvent.click(screen.getByTestId("keep-warm-save"));
    expect((await screen.findByTestId("keep-warm-result")).textContent).toContain(
      "The agent starts at 09:00 (Europe/Berlin) on the chosen days and stays up until 19:00",
    );
    expect(puts).toEqual([{ keepWarm: longer }]);
  });

  it("says what is wrong with a window and does not let it be saved", () => {
    const { api } = fakeApi();
    render(<KeepWarmSetting api={api} settings={DEFAULT_SETTINGS} timezone="UTC" />);
    fireEvent.click(screen.getByTestId("keep-warm-enabled"));
    fireEvent.change(screen.getByTestId("keep-warm-end"), { target: { value: "08:00" } });
    expect(screen.getByTestId("keep-warm-error").textContent).toContain("must end at least 30 minutes after");
    expect((screen.getByTestId("keep-warm-save") as HTMLButtonElement).disabled).toBe(true);
  });

  it("switching it off saves at once", async () => {
    const { api, puts } = fakeApi();
    const window: KeepWarm = { days: ["MON"], start: "08:00", end: "12:00", timezone: "UTC" };
    render(<KeepWarmSetting api={api} settings={{ ...DEFAULT_SETTINGS, keepWarm: window }} />);
    expect((screen.getByTestId("keep-warm-start") as HTMLInputElement).value).toBe("08:00");
    fireEvent.click(screen.getByTestId("keep-warm-enabled"));
    expect((await screen.findByTestId("keep-warm-result")).textContent).toContain("Keep-warm hours are off");
    expect(puts).toEqual([{ keepWarm: null }]);
  });
});
