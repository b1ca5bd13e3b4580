import type { Settings } from "@serverless-openclaw/shared";
import { useState } from "react";
import type { HttpApi } from "../api/http-api";
import { SaveNoteLine, useSettingSave } from "./setting-save";

export interface BrowserSettingProps {
  api: Pick<HttpApi, "putSettings">;
  settings: Settings;
  /** The settings the gateway answered with, so the rest of the page stays in step. */
  onSaved?: (settings: Settings) => void;
}

/**
 * The switch for OpenClaw's browser tool. Saved on its own (not with the language-model form), so
 * turning it on never sends half-edited provider fields.
 */
export function BrowserSetting({ api, settings, onSaved }: BrowserSettingProps) {
  const [enabled, setEnabled] = useState(settings.browserEnabled);
  const { busy, note, save } = useSettingSave(api, onSaved);

  const toggle = async (next: boolean) => {
    const saved = await save(
      { browserEnabled: next },
      (s) =>
        `Browser ${s.browserEnabled ? "on" : "off"}. A running agent finishes what it is answering, then restarts with it (while this page is open; otherwise at your next message).`,
    );
    if (saved) setEnabled(saved.browserEnabled);
  };

  return (
    <section aria-labelledby="browser-title">
      <h2 id="browser-title">Browser automation</h2>
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="settings-browser"
          checked={enabled}
          disabled={busy}
          onChange={(e) => void toggle(e.target.checked)}
        />
        Let the agent open web pages in a headless browser
      </label>
      <p className="hint">
        The agent can then open pages, read them and click through them. Chromium needs about 1 GB more
        memory, so a deployment must be built with the browser image (<code>-c browser=true</code>); the agent
        ignores this switch when its image has no browser.
      </p>
      <SaveNoteLine note={note} testId="settings-browser-result" />
    </section>
  );
}
