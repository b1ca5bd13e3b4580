// @vitest-environment happy-dom
import { DEFAULT_SETTINGS, type SettingsUpdate } from "@serverless-openclaw/shared";
import { cleanup, configure, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { BrowserSetting } from "../../src/settings/browser-setting";

configure({ asyncUtilTimeout: 10_000 });
afterEach(cleanup);

describe("BrowserSetting", () => {
  it("saves the switch on its own and says when it applies", async () => {
    const puts: SettingsUpdate[] = [];
    const api = {
      putSettings: async (u: SettingsUpdate) => {
        puts.push(u);
        return {
          ...DEFAULT_SETTINGS,
          provider: "anthropic" as const,
          browserEnabled: u.browserEnabled === true,
        };
      },
    };
    const saved: boolean[] = [];
    render(
      <BrowserSetting api={api} settings={DEFAULT_SETTINGS} onSaved={(s) => saved.push(s.browserEnabled)} />,
    );
    const box = screen.getByTestId("settings-browser") as HTMLInputElement;
    expect(box.checked).toBe(false);
    fireEvent.click(box);
    expect((await screen.findByTestId("settings-browser-result")).textContent).toContain(
      "restarts with it (while this page is open; otherwise at your next message)",
    );
    // Only the switch is sent: half-edited provider fields in the form above are not.
    expect(puts).toEqual([{ browserEnabled: true }]);
    expect(box.checked).toBe(true);
    expect(saved).toEqual([true]);
  });

  it("keeps the old state and shows the gateway's message when saving fails", async () => {
    const api = {
      putSettings: async () => {
        throw new Error("Settings could not be saved: try again.");
      },
    };
    render(<BrowserSetting api={api} settings={{ ...DEFAULT_SETTINGS, browserEnabled: true }} />);
    const box = screen.getByTestId("settings-browser") as HTMLInputElement;
    fireEvent.click(box);
    const note = await screen.findByTestId("settings-browser-result");
    expect(note.textContent).toBe("Settings could not be saved: try again.");
    expect(note.getAttribute("role")).toBe("alert");
    expect(box.checked).toBe(true);
  });
});
