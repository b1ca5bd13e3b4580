// Part of `npm run check`: packages reach each other only through what a package.json `exports`
// lists. A specifier `@serverless-openclaw/<pkg>/<sub>` must name an export of <pkg>; a relative
// import must not climb into another package's folder (from bench/ and scripts/ neither: they use the
// packages' exports like any other caller); every export must point at a file that exists.
// (TypeScript's Bundler resolution already refuses an unlisted subpath; this also names the rule.)
// Some packages' sources are held to fewer entry points than the exports list (NARROWED).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const SOURCE = /\.(ts|tsx|mts|mjs)$/;
const SKIP = new Set(["node_modules", "dist", "cdk.out"]);
// Static imports and re-exports start a line; dynamic imports may stand anywhere in code.
const IMPORT =
  /^\s*(?:import|export)\b[^;"']*?(?:\bfrom\s*)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm;

/**
 * Entry points a package's own sources (its `src/`, not its tests) may use of another package, where
 * that is narrower than the exports: the agent task runs on hostile ground and every module it loads
 * costs boot time, so it gets the core's agent surface and nothing of the gateway's AWS side, local
 * twins or chat-app clients.
 */
const NARROWED: Record<string, Record<string, string[]>> = {
  "@serverless-openclaw/container": { "@serverless-openclaw/gateway": ["./agent"] },
};

/**
 * Entry points that hand out a package's test harness (`./testing`): for tests, bench/ and scripts/, never
 * for a package's sources, which would ship a test double.
 */
const TEST_ONLY = /^\.\/testing(?:\/|$)/;

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (SOURCE.test(name)) yield path;
  }
}

/** The problems in the tree at `root` (empty: the import graph keeps to the exports lists). */
export function checkImports(root: string): string[] {
  const problems: string[] = [];
  const packages = new Map<string, { name: string; dir: string; exports: Record<string, string> }>();
  for (const name of readdirSync(join(root, "packages"))) {
    const file = join(root, "packages", name, "package.json");
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, "utf8"));
    const exports: Record<string, string> =
      typeof pkg.exports === "string" ? { ".": pkg.exports } : (pkg.exports ?? {});
    packages.set(pkg.name, { name: pkg.name, dir: join(root, "packages", name), exports });
    for (const [key, target] of Object.entries(exports)) {
      if (key.includes("*")) problems.push(`${file}: export "${key}" is a wildcard; list each entry point`);
      else if (!existsSync(join(root, "packages", name, target)))
        problems.push(`${file}: export "${key}" names ${target}, which does not exist`);
    }
  }
  const roots = ["packages", "bench", "scripts"].map((d) => join(root, d)).filter((d) => existsSync(d));
  for (const file of roots.flatMap((d) => [...files(d)])) {
    const text = readFileSync(file, "utf8");
    const home = [...packages.values()].find((p) => file.startsWith(p.dir + sep));
    for (const match of text.matchAll(IMPORT)) {
      const spec = match[1] ?? match[2] ?? "";
      const where = relative(root, file);
      if (spec.startsWith("@serverless-openclaw/")) {
        const [scope, name, ...rest] = spec.split("/");
        const target = packages.get(`${scope}/${name}`);
        const sub = rest.length ? `./${rest.join("/")}` : ".";
        if (target && !(sub in target.exports))
          problems.push(`${where}: ${spec} is not in the exports of ${scope}/${name}`);
        const inSrc = home && file.startsWith(join(home.dir, "src") + sep);
        if (inSrc && TEST_ONLY.test(sub))
          problems.push(`${where}: ${spec} is a test harness; a package's sources may not import it`);
        const allowed = home && NARROWED[home.name]?.[`${scope}/${name}`];
        if (allowed && inSrc && !allowed.includes(sub))
          problems.push(
            `${where}: ${spec}: ${home.name}'s sources may use only ${allowed.join(", ")} of ${scope}/${name}`,
          );
      } else if (spec.startsWith(".")) {
        // From a package: not into another one. From bench/ or scripts/: not into any.
        const to = resolve(dirname(file), spec);
        if (!(home && to.startsWith(home.dir + sep)) && to.startsWith(join(root, "packages") + sep))
          problems.push(`${where}: ${spec} reaches into another package; import its exports instead`);
      }
    }
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = checkImports(resolve(dirname(fileURLToPath(import.meta.url)), ".."));
  for (const p of problems) console.error(p);
  if (problems.length) {
    console.error(`${problems.length} import(s) outside the packages' exports lists`);
    process.exit(1);
  }
}
