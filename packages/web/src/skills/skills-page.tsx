import { LIMITS, type SkillChangeApplied, type SkillSummary } from "@serverless-openclaw/shared";
import { useCallback, useEffect, useState } from "react";
import { type PickedFile, prepareUpload } from "./skill-upload";
import type { SkillsApi } from "./skills-api";

export interface SkillsPageProps {
  api: Pick<SkillsApi, "list" | "upload" | "setEnabled" | "remove">;
  /** Asks before a delete (window.confirm by default). */
  confirm?: (question: string) => boolean;
}

const APPLIED: Record<SkillChangeApplied, string> = {
  now: "The agent picks this up before its next reply.",
  "next-start": "It applies when the agent next starts (at your next message).",
};

/** Upload, list, switch, update and delete custom skills; switch OpenClaw's built-in skills. */
export function SkillsPage({ api, confirm = (q) => window.confirm(q) }: SkillsPageProps) {
  const [skills, setSkills] = useState<SkillSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(() => {
    api.list().then(setSkills, (e: Error) => setError(e.message));
  }, [api]);
  useEffect(refresh, [refresh]);

  const run = async (what: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      setNotice(await what());
      refresh();
    } catch (e) {
      setError(e instanceof Error ? e.message : "Something went wrong. Try again.");
    } finally {
      setBusy(false);
    }
  };

  const upload = async (list: FileList | null, input: HTMLInputElement) => {
    const files: PickedFile[] = await Promise.all(
      Array.from(list ?? []).map(async (f) => ({
        path: f.webkitRelativePath || f.name,
        data: new Uint8Array(await f.arrayBuffer()),
      })),
    );
    input.value = "";
    const prepared = prepareUpload(files);
    if (!prepared.ok) {
      setNotice(null);
      setError(prepared.message);
      return;
    }
    const replacing = skills?.some((s) => s.source === "user" && s.name === prepared.name);
    await run(async () => {
      const result = await api.upload(prepared.name, prepared.zip);
      return `${replacing ? "Updated" : "Added"} '${result.skill.name}'. ${APPLIED[result.applied]}`;
    });
  };

  const toggle = (skill: SkillSummary) =>
    run(async () => {
      const result = await api.setEnabled(skill.name, !skill.enabled);
      return `'${skill.name}' is ${result.skill.enabled ? "on" : "off"}. ${APPLIED[result.applied]}`;
    });

  const remove = (skill: SkillSummary) => {
    if (!confirm(`Delete the skill '${skill.name}'?`)) return;
    return run(async () => {
      const result = await api.remove(skill.name);
      return `Deleted '${skill.name}'. ${APPLIED[result.applied]}`;
    });
  };

  const user = skills?.filter((s) => s.source === "user") ?? [];
  const builtin = skills?.filter((s) => s.source === "builtin") ?? [];
  return (
    <main className="settings-page skills-page" data-testid="skills-page">
      <h1>Skills</h1>
      <p>
        A skill teaches your agent a task: a folder with a <code>SKILL.md</code> (a <code>name</code> and a{" "}
        <code>description</code> in its frontmatter, then instructions) and any files it needs. Upload a .zip
        of the folder, the folder itself, or its files. Uploading a skill with the same name replaces it.
        Limits: {LIMITS.skillZipMaxBytes / 1024 / 1024} MB zipped, {LIMITS.skillMaxFiles} files,{" "}
        {LIMITS.skillMaxFileBytes / 1024} KB per file.
      </p>
      <div className="skill-upload">
        <label>
          Upload a .zip{" "}
          <input
            type="file"
            accept=".zip,application/zip"
            disabled={busy}
            data-testid="skill-upload-zip"
            onChange={(e) => void upload(e.currentTarget.files, e.currentTarget)}
          />
        </label>
        <label>
          or a folder{" "}
          <input
            type="file"
            disabled={busy}
            data-testid="skill-upload-folder"
            // Not in React's types: lets the browser pick a whole folder (webkitRelativePath keeps the paths).
            {...{ webkitdirectory: "", directory: "" }}
            onChange={(e) => void upload(e.currentTarget.files, e.currentTarget)}
          />
        </label>
        <label>
          or files{" "}
          <input
            type="file"
            multiple
            disabled={busy}
            data-testid="skill-upload-files"
            onChange={(e) => void upload(e.currentTarget.files, e.currentTarget)}
          />
        </label>
      </div>
      {busy && <p data-testid="skills-busy">Working…</p>}
      {notice && (
        <p className="notice" role="status" data-testid="skills-notice">
          {notice}
        </p>
      )}
      {error && (
        <p className="form-error" role="alert" data-testid="skills-error">
          {error}
        </p>
      )}
      <h2>Your skills</h2>
      {skills === null && !error && <p>Loading…</p>}
      {skills !== null && user.length === 0 && (
        <p data-testid="skills-none">You have no custom skills yet.</p>
      )}
      <SkillTable skills={user} busy={busy} onToggle={toggle} onDelete={remove} testId="skills-user" />
      <h2>Built-in skills</h2>
      <p>
        Skills that come with OpenClaw. Some need a program the agent's image does not have; OpenClaw skips
        those by itself.
      </p>
      <SkillTable skills={builtin} busy={busy} onToggle={toggle} testId="skills-builtin" />
    </main>
  );
}

function SkillTable(props: {
  skills: SkillSummary[];
  busy: boolean;
  onToggle: (skill: SkillSummary) => void;
  onDelete?: (skill: SkillSummary) => void;
  testId: string;
}) {
  if (props.skills.length === 0) return null;
  return (
    <ul className="skill-list" data-testid={props.testId}>
      {props.skills.map((skill) => (
        <li key={skill.name} data-testid={`skill-${skill.name}`}>
          <label>
            <input
              type="checkbox"
              checked={skill.enabled}
              disabled={props.busy}
              onChange={() => props.onToggle(skill)}
              aria-label={`${skill.name} on`}
              data-testid={`skill-toggle-${skill.name}`}
            />{" "}
            <strong>{skill.name}</strong>
          </label>{" "}
          <span className="skill-description">{skill.description}</span>
          {skill.size !== undefined && (
            <span className="skill-meta">
              {" "}
              ({skill.fileCount} file{skill.fileCount === 1 ? "" : "s"}, {Math.ceil(skill.size / 1024)} KB
              {skill.updatedAt ? `, updated ${new Date(skill.updatedAt).toLocaleString()}` : ""})
            </span>
          )}
          {props.onDelete && (
            <button
              type="button"
              className="link-button"
              disabled={props.busy}
              onClick={() => props.onDelete?.(skill)}
              data-testid={`skill-delete-${skill.name}`}
            >
              Delete
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}
