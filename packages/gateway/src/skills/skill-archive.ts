import { createHash } from "node:crypto";
import { LIMITS } from "@serverless-openclaw/shared";
import { zipSync } from "fflate";
import * as yauzl from "yauzl";
import { SkillError } from "./skill-errors";
import { parseSkillFrontmatter, type SkillFrontmatter } from "./skill-frontmatter";

export interface SkillFile {
  /** Relative, `/`-separated, validated (no `..`, no absolute, no backslash). */
  path: string;
  data: Uint8Array;
  executable: boolean;
}

export interface SkillArchive extends SkillFrontmatter {
  /** Sorted by path; `SKILL.md` is among them. */
  files: SkillFile[];
  /** Uncompressed bytes of all files. */
  size: number;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
// What a skill file path may contain, segment by segment. Deliberately narrow: these names end up on
// the agent's disk and in its prompt.
const SEGMENT = /^[A-Za-z0-9._ @+,()-]+$/;
/** Finder's "Compress" adds these; they are not part of the skill, so they are dropped, not refused. */
const isJunk = (path: string) => path.startsWith("__MACOSX/") || /(^|\/)\.DS_Store$/.test(path);

/**
 * Reads and validates an uploaded skill zip entirely in memory. Every limit is checked while reading,
 * from the bytes actually inflated (never trusting the sizes the archive declares), so a zip bomb stops
 * at the first byte over a limit. Throws SkillError; never touches a disk or a store.
 */
export async function readSkillArchive(zip: Uint8Array): Promise<SkillArchive> {
  if (zip.byteLength > LIMITS.skillZipMaxBytes) {
    throw new SkillError(
      "SKILL_TOO_LARGE",
      `the zip is ${zip.byteLength} bytes; a skill may be at most ${LIMITS.skillZipMaxBytes} bytes zipped`,
    );
  }
  let file: yauzl.ZipFile;
  try {
    // decodeStrings: false, so we see each name's raw bytes and judge them ourselves (yauzl would
    // silently turn backslashes into slashes).
    file = await yauzl.fromBufferPromise(Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength), {
      decodeStrings: false,
      // Our own byte counting (readLimited) is the limit; a declared size is never trusted.
      validateEntrySizes: false,
    });
  } catch {
    throw new SkillError(
      "SKILL_NOT_ZIP",
      "the upload is not a readable zip file; zip the skill folder and try again",
    );
  }
  try {
    if (file.entryCount > LIMITS.skillMaxEntries) throw tooManyFiles();
    const files = await readEntries(file);
    return assemble(files);
  } finally {
    file.close();
  }
}

async function readEntries(file: yauzl.ZipFile): Promise<SkillFile[]> {
  const files: SkillFile[] = [];
  const seen = new Map<string, "file" | "dir">();
  let total = 0;
  try {
    for await (const entry of file.eachEntry()) {
      const raw = decodeName(entry.fileName as unknown as Buffer);
      const isDir = raw.endsWith("/");
      const path = checkPath(isDir ? raw.slice(0, -1) : raw);
      const mode = entry.externalFileAttributes >>> 16;
      const type = mode & S_IFMT;
      if (type === S_IFLNK) {
        throw new SkillError(
          "SKILL_SYMLINK",
          `'${path}' is a symbolic link; put the real file in the zip instead`,
        );
      }
      if (type !== 0 && type !== S_IFREG && type !== S_IFDIR) {
        throw new SkillError("SKILL_SPECIAL_FILE", `'${path}' is not a regular file or folder`);
      }
      const key = path.toLowerCase();
      if (seen.has(key)) {
        throw new SkillError(
          "SKILL_DUPLICATE_PATH",
          `'${path}' appears twice in the zip (names differing only in case count as the same)`,
        );
      }
      seen.set(key, isDir || type === S_IFDIR ? "dir" : "file");
      if (isDir || type === S_IFDIR || isJunk(path)) continue;
      if ((entry.generalPurposeBitFlag & 0x1) !== 0) {
        throw new SkillError("SKILL_ENCRYPTED", `'${path}' is encrypted; upload a zip without a password`);
      }
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
        throw new SkillError(
          "SKILL_UNSUPPORTED_COMPRESSION",
          `'${path}' uses an unsupported compression method; use plain (deflate) zip`,
        );
      }
      if (files.length + 1 > LIMITS.skillMaxFiles) throw tooManyFiles();
      if (entry.uncompressedSize > LIMITS.skillMaxFileBytes) throw fileTooLarge(path);
      const data = await readLimited(file, entry, path, LIMITS.skillMaxTotalBytes - total);
      total += data.byteLength;
      files.push({ path, data, executable: (mode & 0o111) !== 0 });
    }
  } catch (error) {
    if (error instanceof SkillError) throw error;
    throw new SkillError(
      "SKILL_NOT_ZIP",
      "the zip is damaged and cannot be read; zip the skill folder again",
    );
  }
  // A file "a" next to "a/b.md" cannot both exist on disk.
  for (const f of files) {
    const parts = f.path.toLowerCase().split("/");
    for (let i = 1; i < parts.length; i++) {
      if (seen.get(parts.slice(0, i).join("/")) === "file") {
        throw new SkillError(
          "SKILL_DUPLICATE_PATH",
          `'${f.path}' is inside '${parts.slice(0, i).join("/")}', which is a file`,
        );
      }
    }
  }
  return files;
}

function decodeName(raw: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    throw new SkillError(
      "SKILL_PATH_INVALID",
      "a file name in the zip is not valid UTF-8; rename it with plain letters and digits",
    );
  }
}

/** Refuses traversal, absolute paths, backslashes, drive letters, odd characters and deep nesting. */
export function checkPath(path: string): string {
  const shown = JSON.stringify(path.slice(0, 120));
  if (path.includes("\\")) {
    throw new SkillError("SKILL_PATH_INVALID", `${shown} uses a backslash; zip paths must use '/'`);
  }
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) {
    throw new SkillError(
      "SKILL_PATH_ABSOLUTE",
      `${shown} is an absolute path; paths in the zip must be relative`,
    );
  }
  const segments = path.split("/");
  if (segments.includes("..")) {
    throw new SkillError("SKILL_PATH_TRAVERSAL", `${shown} points outside the skill folder ('..')`);
  }
  if (path.length > LIMITS.skillMaxPathChars) {
    throw new SkillError(
      "SKILL_PATH_INVALID",
      `${shown} is longer than ${LIMITS.skillMaxPathChars} characters`,
    );
  }
  if (segments.some((s) => s === "" || s === "." || !SEGMENT.test(s))) {
    throw new SkillError(
      "SKILL_PATH_INVALID",
      `${shown} is not an allowed file name: use letters, digits, spaces and . _ - @ + , ( ) separated by '/'`,
    );
  }
  // One level more than the limit: the zip may wrap the skill in a top folder.
  if (segments.length > LIMITS.skillMaxDepth + 1) throw tooDeep(path);
  return path;
}

async function readLimited(file: yauzl.ZipFile, entry: yauzl.Entry, path: string, totalLeft: number) {
  const stream = await file.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > LIMITS.skillMaxFileBytes) {
      stream.destroy();
      throw fileTooLarge(path);
    }
    if (size > totalLeft) {
      stream.destroy();
      throw new SkillError(
        "SKILL_TOO_LARGE",
        `the skill's files add up to more than ${LIMITS.skillMaxTotalBytes} bytes unzipped`,
      );
    }
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function assemble(all: SkillFile[]): SkillArchive {
  let files = all;
  if (!files.some((f) => f.path === "SKILL.md")) {
    // A zipped folder: everything under one top folder that holds SKILL.md.
    const top = files[0]?.path.split("/")[0];
    const wrapped =
      top !== undefined &&
      files.every((f) => f.path.startsWith(`${top}/`)) &&
      files.some((f) => f.path === `${top}/SKILL.md`);
    if (!wrapped) {
      throw new SkillError(
        "SKILL_MD_MISSING",
        "the zip has no SKILL.md: put SKILL.md (exactly that name) at the top of the zip, or zip the one folder that holds it",
      );
    }
    files = files.map((f) => ({ ...f, path: f.path.slice(top.length + 1) }));
  }
  for (const f of files) if (f.path.split("/").length > LIMITS.skillMaxDepth) throw tooDeep(f.path);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const skillMd = files.find((f) => f.path === "SKILL.md");
  if (!skillMd) throw new SkillError("SKILL_MD_MISSING", "the zip has no SKILL.md");
  const front = parseSkillFrontmatter(skillMd.data);
  return { ...front, files, size: files.reduce((n, f) => n + f.data.byteLength, 0) };
}

/**
 * The stored form of a validated skill: a zip with exactly the validated files, fixed dates and
 * modes, so the same skill always packs to the same bytes (and the same content hash).
 */
export function packSkillArchive(archive: SkillArchive): { zip: Uint8Array; sha256: string } {
  const mtime = new Date("2000-01-01T00:00:00Z");
  const entries: Record<string, [Uint8Array, { mtime: Date; os: number; attrs: number; level: 6 }]> = {};
  for (const f of archive.files) {
    const mode = S_IFREG | (f.executable ? 0o755 : 0o644);
    entries[f.path] = [f.data, { mtime, os: 3, attrs: mode << 16, level: 6 }];
  }
  const zip = zipSync(entries);
  return { zip, sha256: createHash("sha256").update(zip).digest("hex") };
}

function tooManyFiles(): SkillError {
  return new SkillError(
    "SKILL_TOO_MANY_FILES",
    `a skill may hold at most ${LIMITS.skillMaxFiles} files (and ${LIMITS.skillMaxEntries} zip entries)`,
  );
}

function fileTooLarge(path: string): SkillError {
  return new SkillError(
    "SKILL_FILE_TOO_LARGE",
    `'${path}' is larger than ${LIMITS.skillMaxFileBytes} bytes unzipped; keep large data out of skills`,
  );
}

function tooDeep(path: string): SkillError {
  return new SkillError(
    "SKILL_PATH_TOO_DEEP",
    `'${path.slice(0, 120)}' is nested more than ${LIMITS.skillMaxDepth} folders deep`,
  );
}
