import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { takeScreenshots } from "../support/screenshot-tour";
import { SCREENSHOTS } from "../support/screenshots";

// The tour scripts/screenshots.ts runs for docs/images, run here into a temp dir: if a screen stops
// showing what its picture in the README claims, this fails, not only the next regeneration.
const dir = mkdtempSync(join(tmpdir(), "web-screenshots-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const head = readFileSync(file).subarray(0, 24);
  expect(head.subarray(1, 4).toString("latin1")).toBe("PNG");
  return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
}

describe("the screenshot tour against local mode", () => {
  it("takes every picture the docs show, each of a screen that showed what it claims", async () => {
    const written = await takeScreenshots(dir);
    expect(written.map((f) => basename(f, ".png")).sort()).toEqual(Object.keys(SCREENSHOTS).sort());
    for (const file of written) {
      const { width, height } = pngSize(file);
      expect(width, file).toBe(basename(file).startsWith("web-phone") ? 390 : 1200);
      expect(height, file).toBeGreaterThanOrEqual(700);
    }
  }, 900_000);
});
