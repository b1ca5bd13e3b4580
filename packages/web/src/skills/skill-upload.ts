import { LIMITS, SKILL_NAME_PATTERN } from "@serverless-openclaw/shared";
import { unzipSync, zipSync } from "fflate";

/** A file the user picked: from a single-file input, a multi-file input, or a folder input. */
export interface PickedFile {
  /** `webkitRelativePath` for a folder pick (`my-skill/SKILL.md`), else the file name. */
  path: string;
  data: Uint8Array;
}

export type PreparedUpload = { ok: true; name: string; zip: Uint8Array } | { ok: false; message: string };

/**
 * Turns what the user picked into the zip the API takes, and finds the skill's name in its SKILL.md
 * (the name goes in the URL). One .zip is sent as it is; loose files or a folder are zipped here. The
 * server checks everything again; these checks only give a quicker, clearer answer.
 */
export function prepareUpload(files: readonly PickedFile[]): PreparedUpload {
  if (files.length === 0)
    return { ok: false, message: "Choose a .zip file, or the files or folder of a skill." };
  let zip: Uint8Array;
  let entries: Record<string, Uint8Array>;
  const only = files[0];
  if (files.length === 1 && only && /\.zip$/i.test(only.path)) {
    zip = only.data;
    if (zip.byteLength > LIMITS.skillZipMaxBytes) return tooLarge(zip.byteLength);
    try {
      // Only SKILL.md is inflated here, and only if it is small: the zip is not trusted.
      entries = unzipSync(zip, {
        filter: (f) => /(^|\/)SKILL\.md$/.test(f.name) && f.originalSize <= LIMITS.skillMaxFileBytes,
      });
    } catch {
      return { ok: false, message: "That file is not a readable zip." };
    }
  } else {
    entries = Object.fromEntries(files.map((f) => [f.path.replace(/^\/+/, ""), f.data]));
    zip = zipSync(Object.fromEntries(Object.entries(entries).map(([p, d]) => [p, [d, { level: 6 }]])));
    if (zip.byteLength > LIMITS.skillZipMaxBytes) return tooLarge(zip.byteLength);
  }
  const skillMd = Object.entries(entries)
    .filter(([p]) => /(^|\/)SKILL\.md$/.test(p))
    .sort(([a], [b]) => a.split("/").length - b.split("/").length)[0];
  if (!skillMd) {
    return {
      ok: false,
      message: "There is no SKILL.md: a skill is a folder with a SKILL.md file at its top.",
    };
  }
  const name = frontmatterName(new TextDecoder().decode(skillMd[1]));
  if (!name) {
    return {
      ok: false,
      message:
        "SKILL.md needs frontmatter with a name, e.g. '---' / 'name: my-skill' / 'description: …' / '---'.",
    };
  }
  if (!SKILL_NAME_PATTERN.test(name) || name.length > LIMITS.skillNameMaxChars) {
    return {
      ok: false,
      message: `The name '${name}' in SKILL.md is not allowed: use lowercase letters, digits and single hyphens.`,
    };
  }
  return { ok: true, name, zip };
}

function frontmatterName(text: string): string | undefined {
  const front = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---/.exec(text)?.[1];
  const raw = front && /^name:\s*(.+?)\s*$/m.exec(front)?.[1];
  return raw?.replace(/^(["'])(.*)\1$/, "$2");
}

function tooLarge(bytes: number): PreparedUpload {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  return {
    ok: false,
    message: `The skill is ${mb(bytes)} zipped; the limit is ${mb(LIMITS.skillZipMaxBytes)}. Leave large data out of skills.`,
  };
}
