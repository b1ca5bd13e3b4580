import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { App, IgnoreStrategy, Stack } from "aws-cdk-lib";
import { DockerImageAsset } from "aws-cdk-lib/aws-ecr-assets";
import { afterAll, describe, expect, it } from "vitest";
import { agentImageAssetOptions } from "../src/constructs/agent-task";
import { agentImageSource, imageContextExclude, REPO_ROOT } from "../src/paths";

const read = (path: string) => readFileSync(join(REPO_ROOT, path), "utf8");
const dockerfile = read("docker/openclaw/Dockerfile");
/** Sources of the Dockerfile's COPY lines that read the build context (not `--from` a stage). */
const copySources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
  (m[1] ?? "").split(/\s+/),
);
const ignoredByDocker = (root: string) => {
  const strategy = IgnoreStrategy.docker(root, imageContextExclude(root));
  // A directory counts as let in when anything under it is (`*` then `!packages/*/package.json`).
  return (path: string) =>
    statSync(join(root, path)).isDirectory()
      ? strategy.completelyIgnores(join(root, path))
      : strategy.ignores(join(root, path));
};

describe("the agent image's build context: one exclude list", () => {
  it("is the same file for BuildKit (Dockerfile.dockerignore), a legacy docker build (.dockerignore) and the CDK asset", () => {
    expect(read(".dockerignore")).toBe(read("docker/openclaw/Dockerfile.dockerignore"));
    const options = agentImageAssetOptions(agentImageSource(), false);
    expect(options.exclude).toEqual(imageContextExclude());
    expect(options.exclude?.[0]).toBe("*");
  });

  it("lets in what the Dockerfile copies and nothing that is secret, local, a test or a doc", () => {
    const ignored = ignoredByDocker(REPO_ROOT);
    // Paths that need not exist in this checkout are judged in a scratch dir with the same list.
    const scratch = mkdtempSync(join(tmpdir(), "image-context-scratch-"));
    cpSync(
      join(REPO_ROOT, "docker/openclaw/Dockerfile.dockerignore"),
      join(scratch, "docker/openclaw/Dockerfile.dockerignore"),
    );
    const ignoredScratch = ignoredByDocker(scratch);
    expect(copySources.length).toBeGreaterThan(3);
    for (const source of copySources)
      expect(ignored(source), `${source} (COPY in the Dockerfile)`).toBe(false);
    // `npm ci` in the bundle stage needs every workspace's manifest.
    for (const dir of readdirSync(join(REPO_ROOT, "packages")))
      expect(copySources, `packages/${dir}/package.json is not copied`).toContain(
        `packages/${dir}/package.json`,
      );
    for (const path of [
      "packages/container/src/main.ts",
      "packages/gateway/src/ports.ts",
      "packages/shared/src/index.ts",
      "packages/web/package.json",
    ])
      expect(ignored(path), path).toBe(false);
    for (const path of [
      ".local-data/secrets.json",
      ".env",
      "coverage/index.html",
      "packages/container/coverage/x",
      "bench/results/boot.json",
      "docs/cost.md",
      "README.md",
      "packages/container/tests/e2e/turns.test.ts",
      "packages/container/README.md",
      "packages/web/src/main.tsx",
      "packages/cdk/src/app.ts",
      "node_modules/x/index.js",
      "packages/container/node_modules/x/index.js",
      ".cache/openclaw-runtime/package.json",
      ".git/HEAD",
      "packages/cdk/cdk.out/manifest.json",
    ]) {
      mkdirSync(dirname(join(scratch, path)), { recursive: true });
      writeFileSync(join(scratch, path), "x");
      expect(ignoredScratch(path), path).toBe(true);
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  it("lets in only paths the Dockerfile copies (every `!` line is a COPY source or under one)", () => {
    const allowed = imageContextExclude()
      .filter((p) => p.startsWith("!"))
      .map((p) => p.slice(1));
    // The Dockerfile and its ignore file are read by the builder, not copied.
    const readByBuilder = ["docker/openclaw/Dockerfile", "docker/openclaw/Dockerfile.dockerignore"];
    for (const path of allowed) {
      if (readByBuilder.includes(path)) continue;
      const pattern = new RegExp(`^${path.replaceAll(".", "\\.").replaceAll("*", "[^/]+")}(/|$)`);
      const covered = copySources.some((s) => pattern.test(s) || path.startsWith(`${s}/`));
      expect(covered, `${path} is let in but no COPY reads it`).toBe(true);
    }
  });
});

describe("the image asset's hash", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  // A copy of the repository's files that matter here (no node_modules, no .git), changed below.
  const copyRepo = () => {
    const dir = mkdtempSync(join(tmpdir(), "image-context-"));
    dirs.push(dir);
    cpSync(REPO_ROOT, dir, {
      recursive: true,
      filter: (src) =>
        !/\/(node_modules|\.git|\.cache|cdk\.out|\.local-data|coverage)(\/|$)/.test(
          src.slice(REPO_ROOT.length),
        ),
    });
    return dir;
  };
  const assetHash = (dir: string, browser = false) => {
    const outdir = mkdtempSync(join(tmpdir(), "image-context-out-"));
    dirs.push(outdir);
    const stack = new Stack(new App({ outdir }), "S");
    const source = { directory: dir, file: "docker/openclaw/Dockerfile", missing: false };
    return new DockerImageAsset(stack, "Image", {
      directory: dir,
      ...agentImageAssetOptions(source, browser),
    }).assetHash;
  };

  it("stays the same when docs, tests, READMEs, local data or other packages change, and changes with what the image holds", () => {
    const dir = copyRepo();
    const before = assetHash(dir);
    writeFileSync(join(dir, "docs/cost.md"), `${readFileSync(join(dir, "docs/cost.md"), "utf8")}\n`);
    writeFileSync(join(dir, "README.md"), "changed\n");
    writeFileSync(join(dir, "packages/container/README.md"), "changed\n");
    writeFileSync(join(dir, "packages/container/tests/unit/new.test.ts"), "// new\n");
    writeFileSync(join(dir, "packages/web/src/new.ts"), "// new\n");
    cpSync(join(dir, "docs"), join(dir, ".local-data"), { recursive: true });
    writeFileSync(join(dir, ".env"), "SECRET=1\n");
    expect(assetHash(dir)).toBe(before);

    for (const changed of [
      "packages/container/src/main.ts",
      "packages/shared/src/index.ts",
      "docker/openclaw/package-lock.json",
      "docker/openclaw/warm-compile-cache.mjs",
      "docker/openclaw/Dockerfile",
    ]) {
      const copy = copyRepo();
      writeFileSync(join(copy, changed), `${readFileSync(join(copy, changed), "utf8")}\n`);
      expect(assetHash(copy), changed).not.toBe(before);
    }
    expect(assetHash(dir, true)).not.toBe(before);
  }, 120_000);

  it("stages the Dockerfile and only what the image is built from", () => {
    const dir = copyRepo();
    const outdir = mkdtempSync(join(tmpdir(), "image-context-out-"));
    dirs.push(outdir);
    const stack = new Stack(new App({ outdir }), "S");
    const source = { directory: dir, file: "docker/openclaw/Dockerfile", missing: false };
    const asset = new DockerImageAsset(stack, "Image", {
      directory: dir,
      ...agentImageAssetOptions(source, false),
    });
    const staged = join(outdir, `asset.${asset.assetHash}`);
    const tops = new Set(readdirRecursive(staged).map((p) => p.split("/").slice(0, 3).join("/")));
    expect([...tops].sort()).toEqual(
      expect.arrayContaining(["docker/openclaw/Dockerfile", "package-lock.json", "packages/container/src"]),
    );
    for (const p of tops)
      expect(p).toMatch(
        /^(\.dockerignore|package(-lock)?\.json|docker\/openclaw\/|packages\/[a-z]+\/(package\.json|src))/,
      );
  });
});

function readdirRecursive(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? readdirRecursive(dir, join(prefix, e.name)) : [join(prefix, e.name)],
  );
}
