#!/usr/bin/env node
// An experiment of issue 24 (docs/performance.md, "Cold path", the tried list): OpenClaw's embedded
// agent entry (the three exports the embedded host loads: defaultRuntime, agentCliCommand,
// onAgentEvent) and everything it reaches, OpenClaw's chunks and their npm dependencies, as ONE ES
// module file written into OpenClaw's own dist/ (so the `new URL("./…", import.meta.url)` references
// to its Worker files and assets still resolve). Dynamic imports become lazy initialisers inside the
// file, so the first turn evaluates what it did before, minus the resolving, reading and linking of
// ~2,600 separate modules.
//
//   node scripts/openclaw-bundle.mjs <openclaw package dir> [--split]
//
// --split: esbuild's code splitting instead of one file: every dynamic import becomes its own chunk
// (soc-split-chunk-*.mjs, ~4,400 of them), shared code hoisted into common chunks, so laziness is
// kept and only the files are fewer and merged with their npm dependencies.
// Prints the entry's path, total bytes, input modules and output files as JSON. bench/openclaw-first-token.ts builds it into a hard-linked copy of the
// package (variant `embedded+bundle`); nothing in the product uses it (it did not pay, see the doc).
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** The entry the embedded host imports, found the way embedded-agent-program.ts finds it. */
function entrySource(dist) {
  const files = readdirSync(dist);
  const register = files.find((f) => /^register\.agent-turn-[\w-]+\.mjs$/.test(f));
  if (!register) throw new Error(`OpenClaw layout changed: no register.agent-turn chunk in ${dist}`);
  const lazy = [
    ...readFileSync(join(dist, register), "utf8").matchAll(/import\("\.\/([\w.-]+\.mjs)"\)/g),
  ].map((m) => m[1]);
  const find = (prefix) => {
    const file = lazy.find((f) => f.startsWith(prefix));
    if (!file) throw new Error(`OpenClaw layout changed: ${register} no longer imports ${prefix}*`);
    return file;
  };
  const events = files.find(
    (f) =>
      /^agent-events-[\w-]+\.mjs$/.test(f) && readFileSync(join(dist, f), "utf8").includes("onAgentEvent as"),
  );
  if (!events) throw new Error("OpenClaw layout changed: no agent-events chunk exporting onAgentEvent");
  return [
    `export { defaultRuntime } from "./${find("runtime-")}";`,
    `export { agentCliCommand } from "./${find("agent-via-gateway-")}";`,
    `import * as events from "./${events}";`,
    `export const onAgentEvent = Object.values(events).find((v) => typeof v === "function" && v.name === "onAgentEvent");`,
  ].join("\n");
}

// An optional dependency OpenClaw's chunks import but the install does not hold (e.g. the Mistral SDK's
// @opentelemetry/api): unbundled, only loading that chunk would fail; bundled, every static import is
// hoisted to the file's top, so it becomes an empty module instead of failing the whole file.
const missingOptional = {
  name: "missing-optional",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === "retry" || args.path.startsWith("node:")) return undefined;
      const found = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: "retry",
      });
      if (found.errors.length === 0) return found;
      return { path: args.path, namespace: "missing-optional" };
    });
    b.onLoad({ filter: /.*/, namespace: "missing-optional" }, () => ({
      contents: "module.exports = {};",
      loader: "js",
    }));
  },
};

/** Builds the bundle into `<pkgDir>/dist/`; returns its entry file, size and counts. */
export async function buildOpenClawBundle(pkgDir, { split = false } = {}) {
  const dist = join(pkgDir, "dist");
  const entry = join(dist, "soc-embedded-entry.mjs");
  const name = split ? "soc-split-entry" : "soc-embedded-bundle";
  writeFileSync(entry, entrySource(dist));
  try {
    const result = await build({
      entryPoints: { [name]: entry },
      outdir: dist,
      entryNames: "[name]",
      chunkNames: "soc-split-chunk-[hash]",
      outExtension: { ".js": ".mjs" },
      splitting: split,
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node24",
      external: ["*.node"],
      plugins: [missingOptional],
      // CommonJS dependencies call require(); an ES module has none of its own.
      banner: {
        js: 'import { createRequire as __socCreateRequire } from "node:module"; const require = __socCreateRequire(import.meta.url);',
      },
      logLevel: "error",
      metafile: true,
    });
    const outputs = Object.keys(result.metafile.outputs);
    return {
      file: join(dist, `${name}.mjs`),
      bytes: outputs.reduce((sum, f) => sum + statSync(resolve(f)).size, 0),
      modules: Object.keys(result.metafile.inputs).length,
      files: outputs.length,
    };
  } finally {
    rmSync(entry, { force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [pkgDir, flag] = process.argv.slice(2);
  if (!pkgDir || (flag && flag !== "--split")) {
    console.error("usage: node scripts/openclaw-bundle.mjs <openclaw package dir> [--split]");
    process.exit(2);
  }
  const out = await buildOpenClawBundle(resolve(pkgDir), { split: flag === "--split" });
  console.log(JSON.stringify(out));
}
