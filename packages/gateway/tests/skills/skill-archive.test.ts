import { LIMITS } from "@serverless-openclaw/shared";
import { describe, expect, it } from "vitest";
import { packSkillArchive, readSkillArchive } from "../../src/skills/skill-archive";
import { SkillError } from "../../src/skills/skill-errors";
import { lieAboutSizes, makeZip, patchBytes, skillMd, skillZip, zeros } from "./zips";

async function refusal(zip: Uint8Array): Promise<SkillError> {
  try {
    await readSkillArchive(zip);
  } catch (error) {
    if (error instanceof SkillError) return error;
    throw error;
  }
  throw new Error("expected the archive to be refused");
}

describe("skill archive: what is accepted", () => {
  it("reads SKILL.md's name and description and every file, sorted", async () => {
    const archive = await readSkillArchive(
      skillZip("hello-world", [
        { name: "scripts/run.sh", data: "#!/bin/sh\necho hi\n", mode: 0o100755 },
        { name: "references/notes.md", data: "notes" },
      ]),
    );
    expect(archive.name).toBe("hello-world");
    expect(archive.description).toBe("Says hello when asked.");
    expect(archive.files.map((f) => f.path)).toEqual(["SKILL.md", "references/notes.md", "scripts/run.sh"]);
    expect(archive.files.find((f) => f.path === "scripts/run.sh")?.executable).toBe(true);
    expect(archive.size).toBe(archive.files.reduce((n, f) => n + f.data.byteLength, 0));
  });

  it("takes a zipped folder (one top folder holding SKILL.md) and drops Finder's __MACOSX and .DS_Store", async () => {
    const archive = await readSkillArchive(
      makeZip([
        { name: "hello/", mode: 0o040755 },
        { name: "hello/SKILL.md", data: skillMd("hello") },
        { name: "hello/.DS_Store", data: "junk" },
        { name: "__MACOSX/hello/._SKILL.md", data: "junk" },
        { name: "hello/a/b.txt", data: "b" },
      ]),
    );
    expect(archive.files.map((f) => f.path)).toEqual(["SKILL.md", "a/b.txt"]);
  });

  it("reads a multi-line YAML description and folded metadata", async () => {
    const md = `---\nname: multi\ndescription: >\n  Use when the user\n  asks for it.\nmetadata: { "openclaw": { "emoji": "x" } }\n---\nbody\n`;
    const archive = await readSkillArchive(makeZip([{ name: "SKILL.md", data: md }]));
    expect(archive.description).toBe("Use when the user asks for it.");
  });

  it("packs the same files to the same bytes, and the packed zip reads back identically", async () => {
    const archive = await readSkillArchive(
      skillZip("same", [{ name: "x/y.txt", data: "y", mode: 0o100755 }]),
    );
    const a = packSkillArchive(archive);
    const b = packSkillArchive(await readSkillArchive(a.zip));
    expect(b.sha256).toBe(a.sha256);
    const again = await readSkillArchive(a.zip);
    expect(again.files.map((f) => [f.path, f.executable, Buffer.from(f.data).toString()])).toEqual([
      ["SKILL.md", false, skillMd("same")],
      ["x/y.txt", true, "y"],
    ]);
  });
});

describe("skill archive: every refusal has its own code", () => {
  const cases: Array<[string, () => Uint8Array, string, RegExp?]> = [
    ["not a zip", () => new TextEncoder().encode("hello, not a zip"), "SKILL_NOT_ZIP"],
    ["a truncated zip", () => skillZip("cut").slice(0, 60), "SKILL_NOT_ZIP"],
    ["a zip over the size limit", () => new Uint8Array(LIMITS.skillZipMaxBytes + 1), "SKILL_TOO_LARGE"],
    ["'..' in a path", () => skillZip("a", [{ name: "../evil.sh", data: "x" }]), "SKILL_PATH_TRAVERSAL"],
    [
      "'..' deeper in a path",
      () => skillZip("a", [{ name: "x/../../evil", data: "x" }]),
      "SKILL_PATH_TRAVERSAL",
    ],
    ["an absolute path", () => skillZip("a", [{ name: "/etc/cron.d/x", data: "x" }]), "SKILL_PATH_ABSOLUTE"],
    ["a drive letter", () => skillZip("a", [{ name: "C:/x.txt", data: "x" }]), "SKILL_PATH_ABSOLUTE"],
    [
      "a backslash",
      () => skillZip("a", [{ name: "..\\..\\evil", data: "x" }]),
      "SKILL_PATH_INVALID",
      /backslash/,
    ],
    ["an empty segment", () => skillZip("a", [{ name: "x//y", data: "x" }]), "SKILL_PATH_INVALID"],
    ["a control character", () => skillZip("a", [{ name: "x\u0001y", data: "x" }]), "SKILL_PATH_INVALID"],
    [
      "a name that is not UTF-8",
      () => patchBytes(skillZip("a", [{ name: "QQ.txt", data: "x" }]), "QQ", new Uint8Array([0xff, 0xfe])),
      "SKILL_PATH_INVALID",
      /UTF-8/,
    ],
    [
      "a symlink",
      () => skillZip("a", [{ name: "link", data: "/etc/passwd", mode: 0o120777 }]),
      "SKILL_SYMLINK",
    ],
    [
      "a device/fifo entry",
      () => skillZip("a", [{ name: "fifo", data: "", mode: 0o010644 }]),
      "SKILL_SPECIAL_FILE",
    ],
    [
      "the same path twice",
      () =>
        patchBytes(
          skillZip("a", [
            { name: "x1.md", data: "1" },
            { name: "x2.md", data: "2" },
          ]),
          "x2.md",
          "x1.md",
        ),
      "SKILL_DUPLICATE_PATH",
    ],
    [
      "two paths differing only in case",
      () =>
        skillZip("a", [
          { name: "Notes.md", data: "1" },
          { name: "notes.md", data: "2" },
        ]),
      "SKILL_DUPLICATE_PATH",
    ],
    [
      "a file that is also a folder",
      () =>
        skillZip("a", [
          { name: "x", data: "1" },
          { name: "x/y", data: "2" },
        ]),
      "SKILL_DUPLICATE_PATH",
    ],
    [
      "too many files",
      () =>
        skillZip(
          "a",
          Array.from({ length: LIMITS.skillMaxFiles }, (_, i) => ({ name: `f${i}.txt`, data: "x" })),
        ),
      "SKILL_TOO_MANY_FILES",
    ],
    [
      "too many entries",
      () =>
        skillZip(
          "a",
          Array.from({ length: LIMITS.skillMaxEntries }, (_, i) => ({ name: `d${i}/`, mode: 0o040755 })),
        ),
      "SKILL_TOO_MANY_FILES",
    ],
    [
      "a file over the per-file limit",
      () => skillZip("a", [{ name: "big.bin", data: zeros(LIMITS.skillMaxFileBytes + 1) }]),
      "SKILL_FILE_TOO_LARGE",
    ],
    [
      "a zip bomb that lies about its sizes",
      () => lieAboutSizes(skillZip("a", [{ name: "bomb.bin", data: zeros(64 * 1024 * 1024), level: 9 }]), 10),
      "SKILL_FILE_TOO_LARGE",
    ],
    [
      "files that add up to too much",
      () =>
        skillZip(
          "a",
          Array.from({ length: 9 }, (_, i) => ({ name: `p${i}.bin`, data: zeros(LIMITS.skillMaxFileBytes) })),
        ),
      "SKILL_TOO_LARGE",
    ],
    [
      "nesting deeper than the limit",
      () => skillZip("a", [{ name: `${"d/".repeat(LIMITS.skillMaxDepth)}x.txt`, data: "x" }]),
      "SKILL_PATH_TOO_DEEP",
    ],
    ["no SKILL.md", () => makeZip([{ name: "README.md", data: "x" }]), "SKILL_MD_MISSING"],
    [
      "skill.md in the wrong case",
      () => makeZip([{ name: "skill.md", data: skillMd("a") }]),
      "SKILL_MD_MISSING",
    ],
    [
      "SKILL.md in two top folders",
      () =>
        makeZip([
          { name: "a/SKILL.md", data: skillMd("a") },
          { name: "b/x.md", data: "x" },
        ]),
      "SKILL_MD_MISSING",
    ],
    [
      "SKILL.md that is not UTF-8",
      () => makeZip([{ name: "SKILL.md", data: new Uint8Array([0x2d, 0x2d, 0x2d, 0x0a, 0xc3, 0x28]) }]),
      "SKILL_MD_NOT_UTF8",
    ],
    [
      "SKILL.md without frontmatter",
      () => makeZip([{ name: "SKILL.md", data: "# Hello\n" }]),
      "SKILL_FRONTMATTER_INVALID",
    ],
    [
      "SKILL.md with broken YAML",
      () => makeZip([{ name: "SKILL.md", data: "---\nname: [a\n---\n" }]),
      "SKILL_FRONTMATTER_INVALID",
    ],
    [
      "YAML aliases (billion laughs)",
      () =>
        makeZip([
          { name: "SKILL.md", data: "---\na: &a [x, x]\nb: [*a, *a]\nname: a\ndescription: d\n---\n" },
        ]),
      "SKILL_FRONTMATTER_INVALID",
    ],
    [
      "no name",
      () => makeZip([{ name: "SKILL.md", data: "---\ndescription: d\n---\n" }]),
      "SKILL_NAME_INVALID",
    ],
    ["a bad name", () => makeZip([{ name: "SKILL.md", data: skillMd("Bad_Name") }]), "SKILL_NAME_INVALID"],
    [
      "a name over 64 characters",
      () => makeZip([{ name: "SKILL.md", data: skillMd("a".repeat(65)) }]),
      "SKILL_NAME_INVALID",
    ],
    [
      "no description",
      () => makeZip([{ name: "SKILL.md", data: "---\nname: a\n---\n" }]),
      "SKILL_DESCRIPTION_INVALID",
    ],
    [
      "a description over the limit",
      () =>
        makeZip([{ name: "SKILL.md", data: skillMd("a", "d".repeat(LIMITS.skillDescriptionMaxChars + 1)) }]),
      "SKILL_DESCRIPTION_INVALID",
    ],
  ];

  it.each(cases)("refuses %s", async (_what, build, code, message) => {
    const error = await refusal(build());
    expect(error.code).toBe(code);
    if (message) expect(error.message).toMatch(message);
    expect(error.status).toBe(code === "SKILL_TOO_LARGE" || code === "SKILL_FILE_TOO_LARGE" ? 413 : 422);
  });
});
