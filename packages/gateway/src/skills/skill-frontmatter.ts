import { LIMITS, SkillNameSchema } from "@serverless-openclaw/shared";
import { parse as parseYaml } from "yaml";
import { SkillError } from "./skill-errors";

export interface SkillFrontmatter {
  name: string;
  description: string;
}

const FRONTMATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/**
 * Reads `name` and `description` from a SKILL.md, the way OpenClaw's loader expects them: YAML
 * frontmatter between `---` lines at the very top. Anything OpenClaw would skip or rename is refused
 * here, so an upload that passes is a skill OpenClaw loads under the name the user chose.
 */
export function parseSkillFrontmatter(bytes: Uint8Array): SkillFrontmatter {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new SkillError(
      "SKILL_MD_NOT_UTF8",
      "SKILL.md must be UTF-8 text; save it as UTF-8 and upload again",
    );
  }
  const match = FRONTMATTER.exec(text);
  if (!match) {
    throw new SkillError(
      "SKILL_FRONTMATTER_INVALID",
      "SKILL.md must start with YAML frontmatter: a line '---', then 'name: …' and 'description: …', then '---'",
    );
  }
  let data: unknown;
  try {
    // Aliases are the YAML way to a "billion laughs" blow-up; a skill header never needs them.
    data = parseYaml(match[1] ?? "", { maxAliasCount: 0, prettyErrors: false });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0]?.slice(0, 160) : "";
    throw new SkillError("SKILL_FRONTMATTER_INVALID", `SKILL.md frontmatter is not valid YAML: ${reason}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new SkillError("SKILL_FRONTMATTER_INVALID", "SKILL.md frontmatter must be YAML 'key: value' lines");
  }
  const { name, description } = data as Record<string, unknown>;
  if (typeof name !== "string") {
    throw new SkillError(
      "SKILL_NAME_INVALID",
      "SKILL.md frontmatter needs a 'name:' line, e.g. 'name: release-notes'",
    );
  }
  const parsedName = SkillNameSchema.safeParse(name);
  if (!parsedName.success) {
    throw new SkillError("SKILL_NAME_INVALID", `SKILL.md name: ${parsedName.error.issues[0]?.message}`);
  }
  if (typeof description !== "string" || description.trim() === "") {
    throw new SkillError(
      "SKILL_DESCRIPTION_INVALID",
      "SKILL.md frontmatter needs a one-line 'description:' saying when the agent should use the skill",
    );
  }
  if (description.length > LIMITS.skillDescriptionMaxChars) {
    throw new SkillError(
      "SKILL_DESCRIPTION_INVALID",
      `SKILL.md description must be at most ${LIMITS.skillDescriptionMaxChars} characters`,
    );
  }
  return { name, description: description.trim() };
}
