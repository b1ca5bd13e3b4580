import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { afterAll, describe, expect, it } from "vitest";
import { INITIAL_JS_BUDGET_BYTES, measureBundle } from "../../scripts/bundle-size";

const outDir = mkdtempSync(join(tmpdir(), "web-size-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("production bundle", () => {
  it("keeps the initial JS under 100 KB gzipped", async () => {
    // vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    await build({
      mode: "production",
      configFile: fileURLToPath(new URL("../../vite.config.ts", import.meta.url)),
      build: { outDir, emptyOutDir: true },
      logLevel: "silent",
    }).finally(() => {
      process.env.NODE_ENV = nodeEnv;
    });
    const size = measureBundle(outDir);
    expect(size.initialFiles.length).toBeGreaterThan(0);
    // The chat is a separate chunk: if it were folded into the entry this would catch it.
    expect(size.totalGzipBytes).toBeGreaterThan(size.initialGzipBytes);
    expect(size.initialGzipBytes).toBeLessThanOrEqual(INITIAL_JS_BUDGET_BYTES);
  });
});
