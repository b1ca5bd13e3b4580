import {
  describeKeepWarmCost,
  type KeepWarm,
  KeepWarmSchema,
  type Settings,
  WEEKDAYS,
  type Weekday,
} from "@serverless-openclaw/shared";
import { useState } from "react";
import type { HttpApi } from "../api/http-api";
import { Field } from "./field";
import { SaveNoteLine, useSettingSave } from "./setting-save";

export interface KeepWarmSettingProps {
  api: Pick<HttpApi, "putSettings">;
  settings: Settings;
  onSaved?: (settings: Settings) => void;
  /** The browser's time zone (tests pass one). */
  timezone?: string;
}

const DAY_LABELS: Record<Weekday, string> = {
  SUN: "Sun",
  MON: "Mon",
  TUE: "Tue",
  WED: "Wed",
  THU: "Thu",
  FRI: "Fri",
  SAT: "Sat",
};
const WORKDAYS: Weekday[] = ["MON", "TUE", "WED", "THU", "FRI"];

function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/**
 * "Keep my agent warm during these hours": the agent is started when the window opens and does not
 * stop for inactivity before it closes, so messages then get a warm answer. The monthly cost of the
 * window is shown as it is edited, before anything is saved. Saved on its own, like the browser switch.
 */
export function KeepWarmSetting({ api, settings, onSaved, timezone }: KeepWarmSettingProps) {
  const current = settings.keepWarm ?? null;
  const [enabled, setEnabled] = useState(current !== null);
  const [days, setDays] = useState<Weekday[]>(current?.days ?? WORKDAYS);
  const [start, setStart] = useState(current?.start ?? "09:00");
  const [end, setEnd] = useState(current?.end ?? "17:00");
  const tz = current?.timezone ?? timezone ?? browserTimeZone();
  const { busy, note, save: saveSetting, clearNote } = useSettingSave(api, onSaved);

  const draft = KeepWarmSchema.safeParse({ days, start, end, timezone: tz });
  const window: KeepWarm | null = draft.success ? draft.data : null;
  const problem = draft.success ? undefined : draft.error.issues[0]?.message;

  const toggleDay = (day: Weekday) =>
    setDays((d) =>
      d.includes(day) ? d.filter((x) => x !== day) : WEEKDAYS.filter((x) => d.includes(x) || x === day),
    );

  const save = async (next: KeepWarm | null) => {
    const saved = await saveSetting({ keepWarm: next }, (s) =>
      s.keepWarm
        ? `Saved. The agent starts at ${s.keepWarm.start} (${s.keepWarm.timezone}) on the chosen days and stays up until ${s.keepWarm.end}.`
        : "Keep-warm hours are off: the agent stops after your inactivity timeout again.",
    );
    if (saved) setEnabled(Boolean(saved.keepWarm));
  };

  return (
    <section aria-labelledby="keep-warm-title">
      <h2 id="keep-warm-title">Keep my agent warm</h2>
      <p className="hint">
        A sleeping agent takes a while to wake up for your first message. During the hours you choose here it
        is started ahead of time and kept running, so it answers at once. It is billed for the whole window.
      </p>
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="keep-warm-enabled"
          checked={enabled}
          disabled={busy}
          onChange={(e) => {
            setEnabled(e.target.checked);
            clearNote();
            if (!e.target.checked && current) void save(null);
          }}
        />
        Keep my agent warm during these hours
      </label>
      {enabled && (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (window) void save(window);
          }}
        >
          <fieldset className="keep-warm-days" disabled={busy}>
            <legend>Days</legend>
            {WEEKDAYS.map((day) => (
              <label key={day} className="checkbox">
                <input
                  type="checkbox"
                  data-testid={`keep-warm-day-${day}`}
                  checked={days.includes(day)}
                  onChange={() => toggleDay(day)}
                />
                {DAY_LABELS[day]}
              </label>
            ))}
          </fieldset>
          <Field label="From" id="keep-warm-start">
            <input
              id="keep-warm-start"
              type="time"
              data-testid="keep-warm-start"
              value={start}
              disabled={busy}
              onChange={(e) => setStart(e.target.value)}
            />
          </Field>
          <Field label="Until" id="keep-warm-end" hint={`Times in ${tz}.`}>
            <input
              id="keep-warm-end"
              type="time"
              data-testid="keep-warm-end"
              value={end}
              disabled={busy}
              onChange={(e) => setEnd(e.target.value)}
            />
          </Field>
          {window ? (
            <p className="notice" data-testid="keep-warm-cost">
              {describeKeepWarmCost(window)}
            </p>
          ) : (
            <p className="form-error" role="alert" data-testid="keep-warm-error">
              {problem}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy || !window} data-testid="keep-warm-save">
            Save keep-warm hours
          </button>
        </form>
      )}
      <SaveNoteLine note={note} testId="keep-warm-result" />
    </section>
  );
}
