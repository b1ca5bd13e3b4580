import {
  BUILTIN_SKILLS,
  BuiltinSkillSwitchSchema,
  isBuiltinSkill,
  KEYS,
  LIMITS,
  type SkillChangeApplied,
  type SkillChangeResult,
  type SkillRecord,
  SkillRecordSchema,
  type SkillSummary,
  skillBlobKey,
  skillBlobPrefix,
} from "@serverless-openclaw/shared";
import type { GatewayDeps } from "../deps";
import { NotFoundError } from "../errors";
import { packSkillArchive, readSkillArchive } from "../skills/skill-archive";
import { SkillError } from "../skills/skill-errors";
import { pushTo } from "./broadcast";

export type SkillsDeps = Pick<
  GatewayDeps,
  "settings" | "blobs" | "taskState" | "connections" | "agentPush" | "clientPush" | "clock" | "logger"
>;

/**
 * A user's skills: custom ones (a normalized zip in the BlobStore plus a `skill#<name>` record in
 * Settings) and OpenClaw's built-in ones (a `skill-builtin#<name>` switch once changed). Uploads are
 * validated completely before the first write, so a refused upload leaves no trace.
 */
export class SkillsService {
  constructor(private readonly deps: SkillsDeps) {}

  async list(userId: string): Promise<SkillSummary[]> {
    const [records, switches] = await Promise.all([this.records(userId), this.builtinSwitches(userId)]);
    const user = records.map(summaryOf).sort((a, b) => a.name.localeCompare(b.name));
    const builtin = BUILTIN_SKILLS.map(
      (s): SkillSummary => ({
        name: s.name,
        description: s.description,
        enabled: switches.get(s.name) ?? true,
        source: "builtin",
      }),
    );
    return [...user, ...builtin];
  }

  /** Creates or replaces a custom skill from an uploaded zip. */
  async put(
    userId: string,
    name: string,
    zip: Uint8Array,
  ): Promise<SkillChangeResult & { created: boolean }> {
    const { settings, blobs, clock, logger } = this.deps;
    if (isBuiltinSkill(name)) {
      throw new SkillError(
        "SKILL_NAME_RESERVED",
        `'${name}' is the name of a built-in OpenClaw skill; choose another name (you can switch the built-in off instead)`,
      );
    }
    const archive = await readSkillArchive(zip);
    if (archive.name !== name) {
      throw new SkillError(
        "SKILL_NAME_MISMATCH",
        `SKILL.md says 'name: ${archive.name}' but the upload is for '${name}'; upload it as '${archive.name}' or fix the name`,
      );
    }
    const previous = await this.record(userId, name);
    if (!previous && (await this.records(userId)).length >= LIMITS.skillsMaxPerUser) {
      throw new SkillError(
        "SKILL_LIMIT_REACHED",
        `you already have ${LIMITS.skillsMaxPerUser} custom skills; delete one before adding another`,
      );
    }
    // Everything is checked; now write: the archive under its content hash first, then the record
    // that points at it, then drop the archive it replaced.
    const packed = packSkillArchive(archive);
    const blobKey = skillBlobKey(userId, name, packed.sha256);
    await blobs.put(blobKey, packed.zip);
    const record: SkillRecord = {
      name,
      description: archive.description,
      enabled: previous?.enabled ?? true,
      size: archive.size,
      fileCount: archive.files.length,
      sha256: packed.sha256,
      blobKey,
      updatedAt: clock.now().toISOString(),
    };
    await settings.put(userId, KEYS.settings.skill(name), record);
    if (previous && previous.blobKey !== blobKey) await this.deleteBlobs(userId, name, blobKey);
    logger.info("skill stored", {
      userId,
      skill: name,
      bytes: packed.zip.byteLength,
      files: record.fileCount,
    });
    return { skill: summaryOf(record), applied: await this.notify(userId), created: !previous };
  }

  async setEnabled(userId: string, name: string, enabled: boolean): Promise<SkillChangeResult> {
    const { settings, logger } = this.deps;
    let skill: SkillSummary;
    if (isBuiltinSkill(name)) {
      await settings.put(userId, KEYS.settings.builtinSkill(name), { enabled });
      const builtin = BUILTIN_SKILLS.find((s) => s.name === name);
      skill = { name, description: builtin?.description ?? "", enabled, source: "builtin" };
    } else {
      const record = await this.record(userId, name);
      if (!record) throw new NotFoundError(`there is no skill named '${name}'`);
      const next = { ...record, enabled };
      await settings.put(userId, KEYS.settings.skill(name), next);
      skill = summaryOf(next);
    }
    logger.info("skill switched", { userId, skill: name, enabled });
    return { skill, applied: await this.notify(userId) };
  }

  async delete(userId: string, name: string): Promise<{ applied: SkillChangeApplied }> {
    if (isBuiltinSkill(name)) {
      throw new SkillError(
        "SKILL_NAME_RESERVED",
        `'${name}' is built into OpenClaw and cannot be deleted; switch it off instead`,
      );
    }
    const record = await this.record(userId, name);
    if (!record) throw new NotFoundError(`there is no skill named '${name}'`);
    await this.deps.settings.delete(userId, KEYS.settings.skill(name));
    await this.deleteBlobs(userId, name);
    this.deps.logger.info("skill deleted", { userId, skill: name });
    return { applied: await this.notify(userId) };
  }

  private async record(userId: string, name: string): Promise<SkillRecord | undefined> {
    const raw = await this.deps.settings.get(userId, KEYS.settings.skill(name));
    const parsed = SkillRecordSchema.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  }

  private async records(userId: string): Promise<SkillRecord[]> {
    const items = await this.deps.settings.list(userId, KEYS.settings.skillPrefix);
    return items.flatMap(({ value }) => {
      const parsed = SkillRecordSchema.safeParse(value);
      return parsed.success ? [parsed.data] : [];
    });
  }

  private async builtinSwitches(userId: string): Promise<Map<string, boolean>> {
    const items = await this.deps.settings.list(userId, KEYS.settings.builtinSkillPrefix);
    const out = new Map<string, boolean>();
    for (const { settingKey, value } of items) {
      const parsed = BuiltinSkillSwitchSchema.safeParse(value);
      if (parsed.success)
        out.set(settingKey.slice(KEYS.settings.builtinSkillPrefix.length), parsed.data.enabled);
    }
    return out;
  }

  private async deleteBlobs(userId: string, name: string, keep?: string): Promise<void> {
    const keys = await this.deps.blobs.list(skillBlobPrefix(userId, name));
    await Promise.all(keys.filter((k) => k !== keep).map((k) => this.deps.blobs.delete(k)));
  }

  /**
   * Tells a running agent to reinstall its skills (OpenClaw picks them up before the next message).
   * A starting agent installs them itself and re-checks once it connects, so it needs no push.
   */
  private async notify(userId: string): Promise<SkillChangeApplied> {
    const row = await this.deps.taskState.get(userId);
    if (row.state === "Running" && row.agentConnectionId) {
      await pushTo(this.deps, row.agentConnectionId, { type: "agent.skills-changed" }, this.deps.agentPush);
      return "now";
    }
    return row.state === "Starting" || row.state === "Running" ? "now" : "next-start";
  }
}

function summaryOf(record: SkillRecord): SkillSummary {
  return {
    name: record.name,
    description: record.description,
    enabled: record.enabled,
    source: "user",
    size: record.size,
    fileCount: record.fileCount,
    updatedAt: record.updatedAt,
  };
}
