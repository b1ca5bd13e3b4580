import type { Settings, SettingsUpdate } from "@serverless-openclaw/shared";
import { useState } from "react";
import type { HttpApi } from "../api/http-api";

export interface SaveNote {
  readonly ok: boolean;
  readonly text: string;
}

/**
 * Saving one setting on its own (the browser switch, keep-warm hours): only its own field goes to
 * `PUT /settings`, so half-edited fields elsewhere on the page are never sent. While it saves, `busy`;
 * afterwards `note` says what the gateway answered, or its error message.
 */
export function useSettingSave(api: Pick<HttpApi, "putSettings">, onSaved?: (settings: Settings) => void) {
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<SaveNote | null>(null);

  /** Resolves to the saved settings, or undefined when saving failed (the note then says why). */
  const save = async (
    update: SettingsUpdate,
    describe: (saved: Settings) => string,
  ): Promise<Settings | undefined> => {
    setBusy(true);
    setNote(null);
    try {
      const saved = await api.putSettings(update);
      onSaved?.(saved);
      setNote({ ok: true, text: describe(saved) });
      return saved;
    } catch (e) {
      setNote({ ok: false, text: e instanceof Error ? e.message : "Saving failed." });
      return undefined;
    } finally {
      setBusy(false);
    }
  };

  return { busy, note, save, clearNote: () => setNote(null) };
}

/** The outcome of a save: a status line, or an alert with the gateway's message. */
export function SaveNoteLine({ note, testId }: { note: SaveNote | null; testId: string }) {
  if (!note) return null;
  return (
    <p className={note.ok ? "notice" : "form-error"} role={note.ok ? "status" : "alert"} data-testid={testId}>
      {note.text}
    </p>
  );
}
