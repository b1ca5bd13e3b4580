// Regenerates the screenshots of README.md and docs/ from the running product, so they cannot drift
// from it: the production web bundle in Chromium (playwright-core, Debian's chromium or CHROMIUM_PATH)
// against local mode with a real OpenClaw behind the fake LLM. Each picture is taken only after the
// screen shows what its caption claims (packages/web/tests/support/screenshot-tour.ts);
// packages/web/tests/e2e/screenshots.test.ts runs the same tour.
//
//   npx tsx scripts/screenshots.ts [out-dir=docs/images]
import { resolve } from "node:path";
import { takeScreenshots } from "@serverless-openclaw/web/testing";

const outDir = resolve(process.argv[2] ?? "docs/images");
const written = await takeScreenshots(outDir, (line) => console.log(line));
console.log(`${written.length} screenshots in ${outDir}`);
