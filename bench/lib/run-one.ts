// One bench in a process of its own (what `npm run bench` spawns for each): a bench that leaks a timer,
// a socket or a child cannot slow or break the next one. Usage: run-one.ts <name> <out.json> <full|smoke> [args…]
import { writeFile } from "node:fs/promises";
import { BENCHES } from "../registry";

const [name = "", out = "", form = "full", ...argv] = process.argv.slice(2);
const load = BENCHES[name];
let code = 0;
try {
  if (!load) throw new Error(`no bench named "${name}" in bench/registry.ts`);
  const bench = (await load()).default;
  const report = await bench.run({
    smoke: form === "smoke",
    argv,
    log: (line) => console.log(`[${name}] ${line}`),
  });
  await writeFile(out, JSON.stringify({ report }));
  if (report.problems?.length) code = 1;
} catch (error) {
  console.error(error);
  await writeFile(
    out,
    JSON.stringify({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
  code = 1;
}
process.exit(code);
