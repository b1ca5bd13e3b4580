import { createHash } from "node:crypto";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type BlobStore, readSkillArchive, type SettingsStore } from "@serverless-openclaw/gateway/agent";
import type { Logger } from "@serverless-openclaw/shared";
import {
  BuiltinSkillSwitchSchema,
  KEYS,
  type SkillRecord,
  SkillRecordSchema,
} from "@serverless-openclaw/shared";

export interface SkillInstallerOptions {
  userId: string;
  blobs: BlobStore;
  settings: SettingsStore;
  /** OpenClaw's state dir: user skills go to `<stateDir>/skills`, OpenClaw's "managed" skills root. */
  stateDir: string;
  /** OpenClaw's config file: `skills.entries.<name>.enabled = false` for switched-off built-ins. */
  configPath: string;
  logger: Logger;
}

/** What is installed: enough to tell whether anything changed since. */
interface Wanted {
  records: SkillRecord[];
  disabledBuiltins: string[];
  fingerprint: string;
}

/**
 * Installs the user's enabled custom skills into OpenClaw's managed skills dir and switches built-in
 * skills off in its config. OpenClaw (2026.9) watches both, so a sync while it runs takes effect
 * before its next turn (checked in docs/skills.md). The dir is rebuilt from the stores each time and
 * left out of the state archive, so a deleted or disabled skill never comes back from a backup.
 */
export class SkillInstaller {
  private installed: string | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly options: SkillInstallerOptions) {}

  get skillsDir(): string {
    return join(this.options.stateDir, "skills");
  }

  /**
   * Brings the disk in line with the stores; syncs run one at a time and skip when nothing changed.
   * Resolves to whether the built-in switches in OpenClaw's config changed (see AgentTask.syncSkills).
   */
  sync(): Promise<boolean> {
    const next = this.chain.then(() => this.syncOnce());
    this.chain = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  private async syncOnce(): Promise<boolean> {
    const { logger } = this.options;
    const wanted = await this.wanted();
    if (wanted.fingerprint === this.installed) return false;
    const installed: string[] = [];
    const skipped: string[] = [];
    // Build the new tree next to the live one, then swap, so OpenClaw never sees half a skill.
    const staging = `${this.skillsDir}.staging`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true, mode: 0o700 });
    for (const record of wanted.records) {
      try {
        await this.unpack(record, join(staging, record.name));
        installed.push(record.name);
      } catch (error) {
        // One unreadable skill must not keep the agent (or the other skills) from starting.
        skipped.push(record.name);
        logger.error("skill could not be installed; skipping it", { skill: record.name, error });
      }
    }
    const configChanged = await this.writeConfig(wanted.disabledBuiltins);
    await rm(this.skillsDir, { recursive: true, force: true });
    await rename(staging, this.skillsDir);
    this.installed = wanted.fingerprint;
    logger.info("skills installed", { installed, skipped, disabledBuiltins: wanted.disabledBuiltins });
    return configChanged;
  }

  private async wanted(): Promise<Wanted> {
    const { settings, userId } = this.options;
    const [userItems, builtinItems] = await Promise.all([
      settings.list(userId, KEYS.settings.skillPrefix),
      settings.list(userId, KEYS.settings.builtinSkillPrefix),
    ]);
    const records = userItems
      .flatMap(({ value }) => {
        const parsed = SkillRecordSchema.safeParse(value);
        return parsed.success && parsed.data.enabled ? [parsed.data] : [];
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    const disabledBuiltins = builtinItems
      .flatMap(({ settingKey, value }) => {
        const parsed = BuiltinSkillSwitchSchema.safeParse(value);
        return parsed.success && !parsed.data.enabled
          ? [settingKey.slice(KEYS.settings.builtinSkillPrefix.length)]
          : [];
      })
      .sort();
    const fingerprint = createHash("sha256")
      .update(JSON.stringify([records.map((r) => [r.name, r.sha256]), disabledBuiltins]))
      .digest("hex");
    return { records, disabledBuiltins, fingerprint };
  }

  /** The stored archive is validated again here: the bucket is not trusted more than the upload was. */
  private async unpack(record: SkillRecord, dir: string): Promise<void> {
    const zip = await this.options.blobs.get(record.blobKey);
    if (!zip) throw new Error(`archive ${record.blobKey} is missing`);
    const archive = await readSkillArchive(zip);
    if (archive.name !== record.name) throw new Error(`archive holds skill '${archive.name}'`);
    for (const file of archive.files) {
      const target = join(dir, ...file.path.split("/"));
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      await writeFile(target, file.data, { mode: file.executable ? 0o700 : 0o600 });
      if (file.executable) await chmod(target, 0o700);
    }
  }

  /**
   * Sets `skills.entries` in OpenClaw's config, keeping everything else. Written in place, never by
   * renaming a new file over it: OpenClaw watches the file with chokidar (`awaitWriteFinish`), which
   * loses track of a file replaced by a rename (measured: after such a swap it missed the final change
   * in 14 of 45 tries, and once lost it sees no later change at all, so a built-in switched back on
   * never reached the running agent). The same watcher waits until the file has stopped changing for
   * 200 ms before it reads it, so it never reads half of this write.
   */
  private async writeConfig(disabledBuiltins: string[]): Promise<boolean> {
    const { configPath } = this.options;
    const config = JSON.parse(await readFile(configPath, "utf8")) as Record<string, unknown>;
    const entries = Object.fromEntries(disabledBuiltins.map((name) => [name, { enabled: false }]));
    const next = { ...config, skills: skillsConfig(entries) };
    if (JSON.stringify(next) === JSON.stringify(config)) return false;
    await writeFile(configPath, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    return true;
  }
}

/** OpenClaw's `skills` config section (key names from docs/tools/skills-config.md of 2026.9.6). */
export function skillsConfig(entries: Record<string, { enabled: boolean }>): Record<string, unknown> {
  return { load: { watch: true }, entries };
}
