import * as z from "zod";
import { BUILTIN_SKILLS } from "./builtin-skills";
import { LIMITS } from "./limits";

/**
 * Custom skills (docs/skills.md). A skill is a folder with a `SKILL.md` (YAML frontmatter `name` and
 * `description`, then instructions) plus optional supporting files, in OpenClaw's (AgentSkills) format.
 * Users upload one as a zip; the gateway validates it, stores it per user, and the agent task installs
 * the enabled ones into OpenClaw's managed skills dir at boot and whenever they change.
 */

/** AgentSkills naming: lowercase letters, digits and single hyphens, not at either end. */
export const SKILL_NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const SkillNameSchema = z
  .string({ error: "skill name must be a string" })
  .min(1, "skill name must not be empty")
  .max(LIMITS.skillNameMaxChars, `skill name must be at most ${LIMITS.skillNameMaxChars} characters`)
  .regex(
    SKILL_NAME_PATTERN,
    "skill name may contain only lowercase letters, digits and single hyphens (not at the start or end), e.g. 'release-notes'",
  );

export const SKILL_SOURCES = ["user", "builtin"] as const;
export const SkillSourceSchema = z.enum(SKILL_SOURCES);
export type SkillSource = z.infer<typeof SkillSourceSchema>;

/** One row of `GET /skills`. Built-in skills carry no size or date. */
export const SkillSummarySchema = z.object({
  name: SkillNameSchema,
  description: z.string(),
  enabled: z.boolean(),
  source: SkillSourceSchema,
  /** Uncompressed bytes of all the skill's files (user skills). */
  size: z.number().int().nonnegative().optional(),
  fileCount: z.number().int().nonnegative().optional(),
  updatedAt: z.iso.datetime().optional(),
});
export type SkillSummary = z.infer<typeof SkillSummarySchema>;

/**
 * When a change reaches the agent: `now` when it is running or starting (it reloads its skills before
 * the next message), `next-start` when it is stopped.
 */
export const SkillChangeAppliedSchema = z.enum(["now", "next-start"]);
export type SkillChangeApplied = z.infer<typeof SkillChangeAppliedSchema>;

export const SkillListSchema = z.object({ skills: z.array(SkillSummarySchema) });
export type SkillList = z.infer<typeof SkillListSchema>;

/** Answer of `PUT /skills/{name}` and `PATCH /skills/{name}`. */
export const SkillChangeResultSchema = z.object({
  skill: SkillSummarySchema,
  applied: SkillChangeAppliedSchema,
});
export type SkillChangeResult = z.infer<typeof SkillChangeResultSchema>;

/** Answer of `DELETE /skills/{name}`. */
export const SkillDeleteResultSchema = z.object({ applied: SkillChangeAppliedSchema });

/** `PATCH /skills/{name}`. */
export const SkillPatchSchema = z.strictObject({
  enabled: z.boolean({ error: "enabled must be true or false" }),
});
export type SkillPatch = z.infer<typeof SkillPatchSchema>;

/** Content types `PUT /skills/{name}` accepts: the body is the zip itself. */
export const SKILL_UPLOAD_CONTENT_TYPES = [
  "application/zip",
  "application/x-zip-compressed",
  "application/octet-stream",
] as const;

/**
 * A user skill as stored in the Settings table under `skill#<name>`. The files live in the BlobStore
 * at `blobKey`, a normalized zip named by its content hash, so a record never points at a half-written
 * archive.
 */
export const SkillRecordSchema = z.object({
  name: SkillNameSchema,
  description: z.string(),
  enabled: z.boolean(),
  size: z.number().int().nonnegative(),
  fileCount: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  blobKey: z.string().min(1),
  updatedAt: z.iso.datetime(),
});
export type SkillRecord = z.infer<typeof SkillRecordSchema>;

/** A built-in skill's switch, stored under `skill-builtin#<name>` only once the user changed it. */
export const BuiltinSkillSwitchSchema = z.object({ enabled: z.boolean() });

/** Blob key prefix of one user's skill archives (`users/<userId>/…`, like the state archive). */
export const skillBlobPrefix = (userId: string, name: string) => `users/${userId}/skills/${name}/`;
export const skillBlobKey = (userId: string, name: string, sha256: string) =>
  `${skillBlobPrefix(userId, name)}${sha256}.zip`;

const BUILTIN_NAMES = new Set(BUILTIN_SKILLS.map((s) => s.name));
export const isBuiltinSkill = (name: string) => BUILTIN_NAMES.has(name);

export { BUILTIN_SKILLS, BUILTIN_SKILLS_OPENCLAW_VERSION } from "./builtin-skills";
