import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { BUILTIN_SKILLS, BUILTIN_SKILLS_OPENCLAW_VERSION } from "@serverless-openclaw/shared";
import { openclawRuntime } from "@serverless-openclaw/testkit";
import { describe, expect, it } from "vitest";

/** The catalog in shared/src/builtin-skills.ts must follow the pinned runtime (re-run the generator). */
describe("built-in skill catalog", () => {
  it("matches the skills the pinned OpenClaw ships (node scripts/gen-builtin-skills.mjs after a bump)", () => {
    const runtime = openclawRuntime();
    expect(BUILTIN_SKILLS_OPENCLAW_VERSION).toBe(runtime.version);
    const skillsDir = join(dirname(runtime.openclawEntry), "skills");
    const shipped = readdirSync(skillsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => {
        try {
          const md = readFileSync(join(skillsDir, d.name, "SKILL.md"), "utf8");
          const macOnly = /"os"\s*:\s*\[\s*"darwin"\s*\]/.test(md);
          return macOnly ? [] : [/^name:\s*(\S+)/m.exec(md)?.[1] ?? d.name];
        } catch {
          return [];
        }
      });
    const catalog = new Set(BUILTIN_SKILLS.filter((s) => s.origin === "bundled").map((s) => s.name));
    expect(shipped.length).toBeGreaterThan(20);
    for (const name of shipped) expect(catalog, name).toContain(name);
  });
});
