import { checkScheduleTiming, SCHEDULE_LIMITS, type Schedule } from "@serverless-openclaw/shared";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import type { HttpApi } from "../api/http-api";

export interface SchedulesPageProps {
  api: Pick<HttpApi, "listSchedules" | "createSchedule" | "updateSchedule" | "deleteSchedule">;
  /** Opens a schedule's conversation (its prompts and replies). */
  onOpenConversation: (conversationId: string) => void;
  telegramAvailable: boolean;
}

const EXAMPLES = [
  ["cron(0 8 ? * MON-FRI *)", "weekdays at 08:00"],
  ["cron(0 9 * * ? *)", "every day at 09:00"],
  ["rate(6 hours)", "every 6 hours"],
] as const;

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

const when = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString() : "—");

/** Scheduled prompts: create, pause/resume, delete, and see what happened to past runs (docs/schedules.md). */
export function SchedulesPage({ api, onOpenConversation, telegramAvailable }: SchedulesPageProps) {
  const [schedules, setSchedules] = useState<Schedule[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState({
    name: "",
    prompt: "",
    expression: EXAMPLES[0][0] as string,
    timezone: browserZone(),
    deliverTo: "web" as "web" | "telegram",
  });
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    api.listSchedules().then(setSchedules, (e: Error) => setError(e.message));
  }, [api]);
  useEffect(load, [load]);

  const act = async (what: () => Promise<unknown>) => {
    setError(null);
    try {
      await what();
      load();
    } catch (e) {
      setError(e instanceof Error ? e.message : "That did not work.");
    }
  };

  const create = async (event: FormEvent) => {
    event.preventDefault();
    // The same check the gateway runs, so most mistakes show before a round trip.
    const problem = checkScheduleTiming(form.expression, form.timezone, new Date());
    if (problem) return setError(problem);
    setBusy(true);
    await act(async () => {
      await api.createSchedule(form);
      setForm((f) => ({ ...f, name: "", prompt: "" }));
    });
    setBusy(false);
  };

  return (
    <main className="settings-page schedules-page" data-testid="schedules-page">
      <h1>Schedules</h1>
      <p>
        The agent runs these prompts on time, waking up if needed; replies are kept in each schedule's
        conversation. Runs are at least {SCHEDULE_LIMITS.minIntervalMinutes} minutes apart; each one may start
        the agent, which costs money (see Usage).
      </p>
      {error && (
        <p className="form-error" role="alert" data-testid="schedules-error">
          {error}
        </p>
      )}
      {schedules && schedules.length === 0 && <p data-testid="schedules-empty">No schedules yet.</p>}
      {schedules && schedules.length > 0 && (
        <ul className="schedule-list" data-testid="schedule-list">
          {schedules.map((s) => (
            <li key={s.scheduleId} data-testid={`schedule-${s.scheduleId}`}>
              <div>
                <strong>{s.name}</strong> <code>{s.expression}</code> <small>({s.timezone})</small>
                {s.deliverTo === "telegram" && <small> → Telegram</small>}
              </div>
              <div className="hint">
                {s.completed ? "Done" : s.enabled ? `Next: ${when(s.nextRunAt)}` : "Paused"} · Last run:{" "}
                {when(s.lastRunAt)} · Runs: {s.runs}
                {s.missedRuns > 0 && (
                  <span data-testid={`schedule-missed-${s.scheduleId}`}> · Missed: {s.missedRuns}</span>
                )}
              </div>
              {s.lastError && (
                <p className="form-error" data-testid={`schedule-error-${s.scheduleId}`}>
                  Last problem ({when(s.lastError.at)}): {s.lastError.message}
                </p>
              )}
              <div className="actions">
                <button type="button" onClick={() => onOpenConversation(s.conversationId)}>
                  Replies
                </button>
                {!s.completed && (
                  <button
                    type="button"
                    onClick={() => void act(() => api.updateSchedule(s.scheduleId, { enabled: !s.enabled }))}
                    data-testid={`schedule-toggle-${s.scheduleId}`}
                  >
                    {s.enabled ? "Pause" : "Resume"}
                  </button>
                )}
                <button
                  type="button"
                  onClick={() => void act(() => api.deleteSchedule(s.scheduleId))}
                  data-testid={`schedule-delete-${s.scheduleId}`}
                >
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}

      <form onSubmit={(e) => void create(e)} aria-labelledby="new-schedule" data-testid="schedule-form">
        <h2 id="new-schedule">New schedule</h2>
        <div className="field">
          <label htmlFor="schedule-name">Name</label>
          <input
            id="schedule-name"
            required
            maxLength={SCHEDULE_LIMITS.maxNameChars}
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="schedule-prompt">Prompt</label>
          <textarea
            id="schedule-prompt"
            required
            rows={3}
            maxLength={SCHEDULE_LIMITS.maxPromptChars}
            value={form.prompt}
            onChange={(e) => setForm({ ...form, prompt: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="schedule-expression">When (EventBridge syntax)</label>
          <input
            id="schedule-expression"
            required
            value={form.expression}
            onChange={(e) => setForm({ ...form, expression: e.target.value })}
          />
          <small className="hint">
            {EXAMPLES.map(([e, text]) => `${e} = ${text}`).join("; ")}; at(2030-01-31T09:00:00) runs once.
          </small>
        </div>
        <div className="field">
          <label htmlFor="schedule-timezone">Time zone</label>
          <input
            id="schedule-timezone"
            required
            value={form.timezone}
            onChange={(e) => setForm({ ...form, timezone: e.target.value })}
          />
        </div>
        {telegramAvailable && (
          <div className="field">
            <label htmlFor="schedule-deliver">Send replies to</label>
            <select
              id="schedule-deliver"
              value={form.deliverTo}
              onChange={(e) => setForm({ ...form, deliverTo: e.target.value as "web" | "telegram" })}
            >
              <option value="web">this web app</option>
              <option value="telegram">Telegram (and this web app)</option>
            </select>
          </div>
        )}
        <button type="submit" className="primary" disabled={busy} data-testid="schedule-create">
          Create schedule
        </button>
      </form>
    </main>
  );
}
