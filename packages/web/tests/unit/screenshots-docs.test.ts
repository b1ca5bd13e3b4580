import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SCREENSHOTS } from "../support/screenshots";

// The docs show only pictures the screenshot tour makes (scripts/screenshots.ts regenerates them all),
// and docs/images holds nothing else: a picture no script takes would drift from the product unseen.
const ROOT = join(import.meta.dirname, "../../../..");
const DOCS = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
  ...readdirSync(join(ROOT, "packages"))
    .map((p) => `packages/${p}/README.md`)
    .filter((f) => existsSync(join(ROOT, f))),
];

describe("screenshots in the docs", () => {
  it("are all made by the screenshot tour, and every one it makes is shown and present", () => {
    const shown = new Set<string>();
    for (const doc of DOCS) {
      for (const m of readFileSync(join(ROOT, doc), "utf8").matchAll(/images\/([\w-]+)\.png/g)) {
        shown.add(m[1] as string);
      }
    }
    const made = Object.keys(SCREENSHOTS).sort();
    expect([...shown].sort()).toEqual(made);
    const files = readdirSync(join(ROOT, "docs/images")).map((f) => f.replace(/\.png$/, ""));
    expect(files.sort()).toEqual(made);
    for (const name of made) expect(existsSync(join(ROOT, "docs/images", `${name}.png`))).toBe(true);
  });
});
