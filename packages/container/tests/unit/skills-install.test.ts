import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SkillsService, silentLogger } from "@serverless-openclaw/gateway";
import { createMemoryStores } from "@serverless-openclaw/gateway/local";
import { KEYS } from "@serverless-openclaw/shared";
import { strToU8, zipSync } from "fflate";
import { afterEach, describe, expect, it } from "vitest";
import { SkillInstaller } from "../../src/skills-install";
import { packState } from "../../src/state-archive";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const USER = "alice";
const zip = (name: string, description = `Skill ${name}.`, extra: Record<string, string> = {}) =>
  zipSync({
    "SKILL.md": strToU8(`---\nname: ${name}\ndescription: ${description}\n---\nBody of ${name}.\n`),
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, strToU8(v)])),
  });

async function setup() {
  const work = await mkdtemp(join(tmpdir(), "skills-install-"));
  dirs.push(work);
  const stateDir = join(work, "state");
  const configPath = join(work, "openclaw.json");
  await mkdir(stateDir, { recursive: true });
  await writeFile(configPath, JSON.stringify({ gateway: { mode: "local" } }));
  const stores = createMemoryStores();
  const deps = {
    ...stores,
    agentPush: { send: async () => true, disconnect: async () => {} },
    clientPush: { send: async () => true, disconnect: async () => {} },
    clock: { now: () => new Date("2026-11-25T10:00:00Z") },
    logger: silentLogger,
  };
  const service = new SkillsService(deps);
  const installer = new SkillInstaller({
    userId: USER,
    blobs: stores.blobs,
    settings: stores.settings,
    stateDir,
    configPath,
    logger: silentLogger,
  });
  const config = async () => JSON.parse(await readFile(configPath, "utf8"));
  const installed = async () => (await readdir(join(stateDir, "skills")).catch(() => [])).sort();
  return { service, installer, stores, stateDir, configPath, config, installed };
}

describe("skill installer (agent task)", () => {
  it("installs the enabled custom skills and switches built-ins off in OpenClaw's config, keeping the rest", async () => {
    const s = await setup();
    await s.service.put(USER, "alpha", zip("alpha", "A.", { "scripts/run.sh": "echo hi" }));
    await s.service.put(USER, "beta", zip("beta"));
    await s.service.setEnabled(USER, "beta", false);
    await s.service.setEnabled(USER, "weather", false);
    await s.installer.sync();
    expect(await s.installed()).toEqual(["alpha"]);
    expect(await readFile(join(s.stateDir, "skills", "alpha", "SKILL.md"), "utf8")).toContain(
      "Body of alpha.",
    );
    expect(await readFile(join(s.stateDir, "skills", "alpha", "scripts", "run.sh"), "utf8")).toBe("echo hi");
    expect(await s.config()).toEqual({
      gateway: { mode: "local" },
      skills: { load: { watch: true }, entries: { weather: { enabled: false } } },
    });
  });

  it("follows changes: a deleted or disabled skill disappears, a re-enabled built-in leaves the config", async () => {
    const s = await setup();
    await s.service.put(USER, "alpha", zip("alpha"));
    await s.service.put(USER, "beta", zip("beta"));
    await s.service.setEnabled(USER, "weather", false);
    await s.installer.sync();
    expect(await s.installed()).toEqual(["alpha", "beta"]);

    await s.service.delete(USER, "alpha");
    await s.service.put(USER, "beta", zip("beta", "Beta two."));
    await s.service.setEnabled(USER, "weather", true);
    await s.installer.sync();
    expect(await s.installed()).toEqual(["beta"]);
    expect(await readFile(join(s.stateDir, "skills", "beta", "SKILL.md"), "utf8")).toContain("Beta two.");
    expect((await s.config()).skills.entries).toEqual({});
  });

  it("rewrites OpenClaw's config in place, so its file watcher keeps seeing changes, and says when the switches changed", async () => {
    const s = await setup();
    const before = (await stat(s.configPath)).ino;
    await s.service.setEnabled(USER, "weather", false);
    expect(await s.installer.sync()).toBe(true);
    await s.service.put(USER, "alpha", zip("alpha"));
    expect(await s.installer.sync()).toBe(false); // a custom skill: OpenClaw picks it up live
    await s.service.setEnabled(USER, "weather", true);
    expect(await s.installer.sync()).toBe(true);
    expect((await s.config()).skills.entries).toEqual({});
    // Same file, not a new one renamed over it (OpenClaw's chokidar watcher loses a replaced file).
    expect((await stat(s.configPath)).ino).toBe(before);
  });

  it("skips a sync when nothing changed (the dir is not rebuilt)", async () => {
    const s = await setup();
    await s.service.put(USER, "alpha", zip("alpha"));
    await s.installer.sync();
    const before = (await stat(join(s.stateDir, "skills"))).ino;
    await s.installer.sync();
    expect((await stat(join(s.stateDir, "skills"))).ino).toBe(before);
  });

  it("skips a damaged archive in the bucket but installs the others", async () => {
    const s = await setup();
    await s.service.put(USER, "good", zip("good"));
    await s.service.put(USER, "bad", zip("bad"));
    const record = await s.stores.settings.get<{ blobKey: string }>(USER, KEYS.settings.skill("bad"));
    await s.stores.blobs.put(record?.blobKey ?? "", strToU8("not a zip"));
    await s.installer.sync();
    expect(await s.installed()).toEqual(["good"]);
  });

  it("replaces a skills dir restored from an old archive, and never archives the installed skills", async () => {
    const s = await setup();
    await mkdir(join(s.stateDir, "skills", "stale"), { recursive: true });
    await writeFile(
      join(s.stateDir, "skills", "stale", "SKILL.md"),
      "---\nname: stale\ndescription: x\n---\n",
    );
    await writeFile(join(s.stateDir, "keep.txt"), "kept");
    await s.service.put(USER, "fresh", zip("fresh"));
    await s.installer.sync();
    expect(await s.installed()).toEqual(["fresh"]);
    const archive = Buffer.from(await packState(s.stateDir));
    const { list } = await import("tar");
    const names: string[] = [];
    const { Readable } = await import("node:stream");
    const { pipeline } = await import("node:stream/promises");
    await pipeline(Readable.from([archive]), list({ onReadEntry: (e) => names.push(e.path) }));
    expect(names).toContain("keep.txt");
    expect(names.filter((n) => n.startsWith("skills"))).toEqual([]);
  });
});
