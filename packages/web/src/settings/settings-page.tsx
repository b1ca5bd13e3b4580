import {
  type AgentStatusEvent,
  type ChatChannel,
  DEFAULT_MODELS,
  LIMITS,
  PROVIDER_LABELS,
  PROVIDERS,
  type Provider,
  type Settings,
} from "@serverless-openclaw/shared";
import { useEffect, useState } from "react";
import type { HttpApi } from "../api/http-api";
import { BrowserSetting } from "./browser-setting";
import { ChannelPairing, type ChannelPairingApi } from "./channel-pairing";
import { Field } from "./field";
import { KeepWarmSetting } from "./keep-warm-setting";
import { PairingNotices, type PairingNoticesApi } from "./pairing-notices";
import { formFromSettings, type SettingsForm, validateSettingsForm } from "./settings-form";
import { type TwoFactorAccount, TwoFactorSetting } from "./two-factor-setting";

export interface SettingsPageProps {
  api: Pick<HttpApi, "getSettings" | "putSettings" | "stopAgent"> &
    ChannelPairingApi &
    Partial<PairingNoticesApi>;
  telegramBotUsername?: string;
  /** Discord and Slack, when the deployment has them (config.json `chatChannels`); Telegram is always shown. */
  chatChannels?: readonly Exclude<ChatChannel, "telegram">[];
  /** The status the stop request answered with, so the status bar follows at once. */
  onAgentStatus?: (status: AgentStatusEvent) => void;
  /** Settings a running agent restarts for were saved (the page then starts it again once it is Idle). */
  onRestartingSave?: () => void;
  /** The signed-in account, for the two-factor authentication section (absent: not shown). */
  account?: TwoFactorAccount;
}

function hasNotices<T extends Partial<PairingNoticesApi>>(api: T): api is T & PairingNoticesApi {
  return typeof api.listChannelNotices === "function" && typeof api.dismissChannelNotice === "function";
}

type Errors = Partial<Record<keyof SettingsForm | "form", string>>;

export function SettingsPage({
  api,
  telegramBotUsername,
  chatChannels,
  onAgentStatus,
  onRestartingSave,
  account,
}: SettingsPageProps) {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [form, setForm] = useState<SettingsForm | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [stopNote, setStopNote] = useState<string | null>(null);

  useEffect(() => {
    api.getSettings().then(
      (s) => {
        setSettings(s);
        setForm(formFromSettings(s));
      },
      (e: Error) => setErrors({ form: e.message }),
    );
  }, [api]);

  const set = (patch: Partial<SettingsForm>) => {
    setForm((f) => (f ? { ...f, ...patch } : f));
    setSaved(false);
  };

  const save = async () => {
    if (!form) return;
    const result = validateSettingsForm(form);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const next = await api.putSettings(result.update);
      setSettings(next);
      setForm(formFromSettings(next));
      setSaved(true);
      onRestartingSave?.();
    } catch (e) {
      setErrors({ form: e instanceof Error ? e.message : "Saving failed." });
    } finally {
      setBusy(false);
    }
  };

  const stop = async () => {
    setStopNote(null);
    try {
      const status = await api.stopAgent();
      onAgentStatus?.(status);
      setStopNote("The agent is stopping. It wakes again with your next message.");
    } catch (e) {
      setStopNote(e instanceof Error ? e.message : "Stopping failed.");
    }
  };

  return (
    <main className="settings-page" data-testid="settings-page">
      <h1>Settings</h1>
      <section aria-labelledby="llm-title">
        <h2 id="llm-title">Language model</h2>
        {!form && !errors.form && <p>Loading…</p>}
        {form && settings && (
          <form
            noValidate
            data-testid="settings-form"
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            <Field label="Provider" id="settings-provider" error={errors.provider}>
              <select
                id="settings-provider"
                data-testid="settings-provider"
                value={form.provider}
                onChange={(e) => {
                  const provider = e.target.value as Provider | "";
                  const wasDefault = !form.model || Object.values(DEFAULT_MODELS).includes(form.model);
                  set({ provider, model: provider && wasDefault ? DEFAULT_MODELS[provider] : form.model });
                }}
              >
                <option value="">Not set</option>
                {PROVIDERS.map((p) => (
                  <option key={p} value={p}>
                    {PROVIDER_LABELS[p]}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Model" id="settings-model" error={errors.model}>
              <input
                id="settings-model"
                data-testid="settings-model"
                value={form.model}
                placeholder={form.provider ? DEFAULT_MODELS[form.provider] : ""}
                onChange={(e) => set({ model: e.target.value })}
              />
            </Field>
            {form.provider === "openai-compatible" && (
              <Field label="Base URL" id="settings-base-url" error={errors.baseUrl}>
                <input
                  id="settings-base-url"
                  data-testid="settings-base-url"
                  type="url"
                  value={form.baseUrl}
                  placeholder="http://127.0.0.1:11434/v1"
                  onChange={(e) => set({ baseUrl: e.target.value })}
                />
              </Field>
            )}
            <Field
              label="API key"
              id="settings-api-key"
              error={errors.apiKey}
              hint={
                <span data-testid="settings-api-key-state">
                  {form.removeApiKey
                    ? "Will be removed when you save"
                    : settings.apiKeySet
                      ? "A key is set (it is never shown). Type a new one to replace it."
                      : "Not set"}
                </span>
              }
            >
              <input
                id="settings-api-key"
                data-testid="settings-api-key"
                type="password"
                autoComplete="off"
                value={form.apiKey}
                disabled={form.removeApiKey}
                onChange={(e) => set({ apiKey: e.target.value })}
              />
            </Field>
            {settings.apiKeySet && (
              <label className="checkbox">
                <input
                  type="checkbox"
                  data-testid="settings-remove-api-key"
                  checked={form.removeApiKey}
                  onChange={(e) => set({ removeApiKey: e.target.checked, apiKey: "" })}
                />
                Remove the stored key
              </label>
            )}
            <Field
              label="Stop the agent after (minutes without messages)"
              id="settings-inactivity"
              error={errors.inactivityMinutes}
              hint={`${LIMITS.inactivityMinutesMin}–${LIMITS.inactivityMinutesMax} minutes`}
            >
              <input
                id="settings-inactivity"
                data-testid="settings-inactivity"
                type="number"
                inputMode="numeric"
                min={LIMITS.inactivityMinutesMin}
                max={LIMITS.inactivityMinutesMax}
                value={form.inactivityMinutes}
                onChange={(e) => set({ inactivityMinutes: e.target.value })}
              />
            </Field>
            {errors.form && (
              <p className="form-error" role="alert" data-testid="settings-error-form">
                {errors.form}
              </p>
            )}
            {saved && (
              <p className="notice" role="status" data-testid="settings-saved">
                Saved. A running agent finishes what it is answering, then restarts with the new settings
                (while this page is open; otherwise it starts with them at your next message).
              </p>
            )}
            <button type="submit" className="primary" disabled={busy} data-testid="settings-save">
              {busy ? "Saving…" : "Save"}
            </button>
          </form>
        )}
        {!form && errors.form && (
          <p className="form-error" role="alert" data-testid="settings-error-form">
            {errors.form}
          </p>
        )}
      </section>
      {settings && (
        <BrowserSetting
          api={api}
          settings={settings}
          onSaved={(next) => {
            setSettings(next);
            onRestartingSave?.();
          }}
        />
      )}
      {settings && <KeepWarmSetting api={api} settings={settings} onSaved={setSettings} />}
      <section aria-labelledby="skills-title">
        <h2 id="skills-title">Skills</h2>
        <p>
          Upload your own OpenClaw skills and switch the built-in ones on or off on the{" "}
          <a href="#/skills" data-testid="settings-skills-link">
            Skills page
          </a>
          . A running agent picks changes up before its next answer.
        </p>
      </section>
      {account && <TwoFactorSetting account={account} />}
      {hasNotices(api) && <PairingNotices api={api} channels={["telegram", ...(chatChannels ?? [])]} />}
      <ChannelPairing api={api} channel="telegram" botUsername={telegramBotUsername} />
      {chatChannels?.map((c) => (
        <ChannelPairing key={c} api={api} channel={c} />
      ))}
      <section aria-labelledby="agent-title">
        <h2 id="agent-title">Agent</h2>
        <p>The agent stops by itself when idle. Stop it now to save cost or to apply new settings.</p>
        <button type="button" onClick={() => void stop()} data-testid="stop-agent">
          Stop agent now
        </button>
        {stopNote && (
          <p className="notice" role="status" data-testid="stop-agent-result">
            {stopNote}
          </p>
        )}
      </section>
    </main>
  );
}
