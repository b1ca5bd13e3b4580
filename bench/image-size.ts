// Size of the agent image that `cdk deploy` ships (docker/openclaw/Dockerfile), per layer: uncompressed
// (what the task's disk holds), gzip (what `docker push` stores in ECR and Fargate pulls today) and zstd
// (the alternative layer compression ECR and Fargate accept). The image is built the way `npm test`
// builds it (scripts/agent-image.mjs: buildah as root, layers cached, so an unchanged tree costs seconds);
// the full form measures the browser variant too. The short form in `npm test` measures only the base
// image the image tests make anyway (no image build of its own beside theirs). Sizes, not times: the
// machine's load does not matter.
// By hand (root, buildah/podman): npx tsx bench/image-size.ts [variants=standard,browser]; a variant may
// also be `base` or `image=<name>` (an image already in containers storage, measured as it is).
import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { findRepoRoot } from "@serverless-openclaw/local/repo-paths";
import { defineBench, runIfMain } from "./lib/bench";

const root = findRepoRoot();
/** The goal of issue 19 for the standard image. */
const GOAL = { uncompressed: 600e6, gzip: 180e6 };

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString("utf8");
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString("utf8");
    });
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${command} ${args[0]} exited ${code}:\n${err.slice(-4000)}`)),
    );
  });
}

/** Bytes of `file` after gzip at Docker's default level (6, what `docker push` uses). */
async function gzipBytes(file: string): Promise<number> {
  let n = 0;
  await pipeline(createReadStream(file), createGzip({ level: 6 }), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) n += chunk.length;
  });
  return n;
}

/** Bytes of `file` after zstd at its default level (3, BuildKit's and containerd's default). */
function zstdBytes(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("zstd", ["-3", "-T1", "-q", "-c", file], { stdio: ["ignore", "pipe", "pipe"] });
    let n = 0;
    child.stdout.on("data", (d: Buffer) => {
      n += d.length;
    });
    child.once("error", reject);
    child.once("close", (code) => (code === 0 ? resolve(n) : reject(new Error(`zstd exited ${code}`))));
  });
}

interface Layer {
  step: string;
  uncompressed: number;
  gzip: number;
  zstd: number;
}

/** A Dockerfile step as a short label: the first line of the instruction, without buildah's prefix. */
function label(createdBy: string, index: number): string {
  // The image that ships starts from Debian's slim image (the Node binary is the next layer).
  if (index === 0) return "base image (Debian bookworm slim)";
  const text = createdBy
    // buildah: `|1 WITH_CHROMIUM=0 /bin/sh -c …` for a RUN with build args, `/bin/sh -c #(nop) COPY …`
    .replace(/^\|\d+ (?:\S+=\S* )*/, "")
    .replace(/^\/bin\/sh -c #\(nop\)\s*/, "")
    .replace(/^\/bin\/sh -c /, "RUN ")
    // A COPY's source is a content hash; where it went says more.
    .replace(/^COPY (?:--from=\S+ )?\S+ in (\S+).*$/, "COPY → $1")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > 70 ? `${text.slice(0, 67)}…` : text;
}

async function measure(tag: string, work: string): Promise<Layer[]> {
  const archive = join(work, "image.tar");
  await run("podman", ["save", "--format", "docker-archive", "-o", archive, tag]);
  const dir = join(work, "layers");
  await run("mkdir", ["-p", dir]);
  await run("tar", ["-xf", archive, "-C", dir]);
  await rm(archive, { force: true });
  const [manifest] = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as Array<{
    Config: string;
    Layers: string[];
  }>;
  if (!manifest) throw new Error(`podman save wrote no manifest for ${tag}`);
  const config = JSON.parse(await readFile(join(dir, manifest.Config), "utf8")) as {
    history?: Array<{ created_by?: string; empty_layer?: boolean }>;
  };
  const steps = (config.history ?? []).filter((h) => !h.empty_layer).map((h) => h.created_by ?? "");
  const layers: Layer[] = [];
  for (const [i, path] of manifest.Layers.entries()) {
    const file = join(dir, path);
    layers.push({
      step: label(steps[i] ?? "", i),
      uncompressed: (await stat(file)).size,
      gzip: await gzipBytes(file),
      zstd: await zstdBytes(file),
    });
  }
  await rm(dir, { recursive: true, force: true });
  return layers;
}

const mb = (bytes: number) =>
  bytes >= 100e6 ? `${Math.round(bytes / 1e6)} MB` : `${(bytes / 1e6).toFixed(1)} MB`;

const bench = defineBench({
  name: "image-size",
  measures:
    "the agent image per layer: uncompressed (the task's disk), gzip level 6 (what `docker push` puts in ECR and Fargate pulls) and zstd level 3 (the layer compression ECR and Fargate also accept); the total against the issue's goal (≤ 600 MB uncompressed, ≤ 180 MB gzip)",
  timed: false,
  async run(ctx) {
    const variants = (ctx.argv[0] ?? (ctx.smoke ? "base" : "standard,browser")).split(",");
    const work = await mkdtemp(join(process.env.IMAGE_WORK_DIR ?? "/var/tmp", "bench-image-size-"));
    const results: Record<string, Layer[]> = {};
    try {
      for (const variant of variants) {
        const script = join(root, "scripts/agent-image.mjs");
        if (variant.startsWith("image=")) {
          // An image already in containers storage, measured as it is (e.g. one built before a change).
          results[variant] = await measure(variant.slice("image=".length), work);
        } else if (!["base", "standard", "browser"].includes(variant)) {
          throw new Error(`unknown variant ${variant} (base, standard, browser or image=<name>)`);
        } else if (variant === "base") {
          // Made once per machine and kept (the image tests use it): the Debian base the shipped image
          // starts from, whose name is the script's last line.
          const tag = (await run(process.execPath, [script, "base"])).trim().split("\n").pop() as string;
          results[variant] = await measure(tag, work);
        } else {
          const tag = `localhost/serverless-openclaw-agent:bench-size-${variant}-${process.pid}`;
          ctx.log(`building the ${variant} image (cached layers are reused)…`);
          const args = [script, "build", "--tag", tag];
          if (variant === "browser") args.push("--browser");
          await run(process.execPath, args);
          try {
            results[variant] = await measure(tag, work);
          } finally {
            // --no-prune: the layers stay for the next build to reuse (a plain rmi removes its parents too).
            await run("podman", ["rmi", "--no-prune", tag]).catch(() => "");
          }
        }
        const total = (k: keyof Omit<Layer, "step">) =>
          (results[variant] ?? []).reduce((sum, l) => sum + l[k], 0);
        ctx.log(`${variant}: ${mb(total("uncompressed"))} uncompressed, ${mb(total("gzip"))} gzip`);
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    const tables = Object.entries(results).map(([variant, layers]) => {
      const sum = (k: keyof Omit<Layer, "step">) => layers.reduce((s, l) => s + l[k], 0);
      const goal = variant === "standard";
      return {
        caption: `**${variant} image** (${layers.length} layers)`,
        header: ["layer (Dockerfile step)", "uncompressed", "gzip", "zstd"],
        rows: [
          ...layers.map((l) => [l.step.replaceAll("|", "\\|"), mb(l.uncompressed), mb(l.gzip), mb(l.zstd)]),
          [
            "**total**",
            `**${mb(sum("uncompressed"))}**${goal ? ` (goal ≤ ${mb(GOAL.uncompressed)})` : ""}`,
            `**${mb(sum("gzip"))}**${goal ? ` (goal ≤ ${mb(GOAL.gzip)})` : ""}`,
            `**${mb(sum("zstd"))}** (${Math.round((100 * sum("zstd")) / sum("gzip"))} % of gzip)`,
          ],
        ],
      };
    });
    return {
      setup: `${variants.join(" and ")} image${variants.length > 1 ? "s" : ""}, built by scripts/agent-image.mjs for this machine's architecture (${process.arch})`,
      tables,
      data: results,
    };
  },
});

export default bench;
await runIfMain(bench, import.meta.url);
