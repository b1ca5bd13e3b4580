// Run after `vite build`: fails when the initial JS is over budget. Usage: tsx scripts/check-bundle-size.ts [distDir]
import { fileURLToPath } from "node:url";
import { INITIAL_JS_BUDGET_BYTES, measureBundle } from "./bundle-size";

const dist = process.argv[2] ?? fileURLToPath(new URL("../dist", import.meta.url));
const size = measureBundle(dist);
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
console.log(
  `initial JS (gzip): ${kb(size.initialGzipBytes)} of ${kb(INITIAL_JS_BUDGET_BYTES)} — ${size.initialFiles.join(", ")}`,
);
console.log(`all JS (gzip):     ${kb(size.totalGzipBytes)}`);
if (size.initialGzipBytes > INITIAL_JS_BUDGET_BYTES) {
  console.error("initial JS is over budget: move code behind a lazy import or drop a dependency");
  process.exit(1);
}
