import { LIMITS } from "@serverless-openclaw/shared";
import { fuzzRuns } from "@serverless-openclaw/testkit/fuzz";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMemoryStores } from "../../src/adapters/local/embedded-stores";
import { createHttpApiHandler } from "../../src/handlers";
import { httpEvent } from "../handlers/events";
import { FakeClock, makeDeps, recordWrites } from "../unit/fakes";
import { lieAboutSizes, makeZip, patchBytes, skillMd, type ZipEntry, zeros } from "./zips";

/**
 * A generated set of hostile skill archives. Each one is a valid skill plus one (or more) hostile
 * changes; every one must be refused with a SKILL_* code, and not one byte may reach the blob or
 * settings stores.
 */

const RUNS = fuzzRuns(100);
const NAME = "fuzzed-skill";

const segment = fc.stringMatching(/^[a-z0-9]{1,8}$/);
const relPath = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join("/"));

/** One hostile change: the entries it adds, and an optional byte-level patch of the finished zip. */
type Hostile = { entries: ZipEntry[]; patch?: (zip: Uint8Array) => Uint8Array; what: string };

const hostile: fc.Arbitrary<Hostile> = fc.oneof(
  fc
    .tuple(fc.integer({ min: 1, max: 5 }), relPath)
    .map(([ups, p]) => ({ what: "traversal", entries: [{ name: `${"../".repeat(ups)}${p}`, data: "x" }] })),
  fc.tuple(relPath, fc.integer({ min: 1, max: 3 }), relPath).map(([a, ups, b]) => ({
    what: "inner traversal",
    entries: [{ name: `${a}/${"../".repeat(ups)}${b}`, data: "x" }],
  })),
  relPath.map((p) => ({ what: "absolute", entries: [{ name: `/${p}`, data: "x" }] })),
  fc
    .tuple(fc.constantFrom("C", "d", "Z"), relPath)
    .map(([d, p]) => ({ what: "drive letter", entries: [{ name: `${d}:/${p}`, data: "x" }] })),
  fc
    .tuple(relPath, relPath)
    .map(([a, b]) => ({ what: "backslash", entries: [{ name: `${a}\\..\\${b}`, data: "x" }] })),
  fc
    .tuple(relPath, fc.constantFrom("/etc/passwd", "../../../root", "/"))
    .map(([p, target]) => ({ what: "symlink", entries: [{ name: p, data: target, mode: 0o120777 }] })),
  fc
    .tuple(relPath, fc.constantFrom(0o010644, 0o020644, 0o060644, 0o140644))
    .map(([p, mode]) => ({ what: "special file", entries: [{ name: p, data: "", mode }] })),
  fc.integer({ min: 1, max: 4 }).map((extra) => ({
    what: "too many files",
    entries: Array.from({ length: LIMITS.skillMaxFiles - 1 + extra }, (_, i) => ({
      name: `f/${i}.txt`,
      data: "x",
    })),
  })),
  fc.integer({ min: 1, max: 64 * 1024 }).map((over) => ({
    what: "huge file",
    entries: [{ name: "big.bin", data: zeros(LIMITS.skillMaxFileBytes + over) }],
  })),
  fc.integer({ min: 1, max: 8 }).map((mb) => ({
    what: "lying zip bomb",
    entries: [{ name: "bomb.bin", data: zeros(mb * 1024 * 1024), level: 9 as const }],
    patch: (zip: Uint8Array) => lieAboutSizes(zip, 100),
  })),
  fc.integer({ min: 9, max: 12 }).map((n) => ({
    what: "total too large",
    entries: Array.from({ length: n }, (_, i) => ({
      name: `p${i}.bin`,
      data: zeros(LIMITS.skillMaxFileBytes),
    })),
  })),
  fc.integer({ min: 1, max: 3 }).map((more) => ({
    what: "too deep",
    entries: [{ name: `${"d/".repeat(LIMITS.skillMaxDepth + more - 1)}x.txt`, data: "x" }],
  })),
  segment.map((s) => ({
    what: "duplicate path",
    entries: [
      { name: `${s}/aa.md`, data: "1" },
      { name: `${s}/ab.md`, data: "2" },
    ],
    patch: (zip: Uint8Array) => patchBytes(zip, `${s}/ab.md`, `${s}/aa.md`, false),
  })),
  fc.constant<Hostile>({
    what: "non-UTF-8 name",
    entries: [{ name: "QQ.txt", data: "x" }],
    patch: (zip: Uint8Array) =>
      patchBytes(zip, "QQ.txt", new Uint8Array([0xc3, 0x28, 0x2e, 0x74, 0x78, 0x74]), false),
  }),
);

/** Hostile SKILL.md contents (the archive is otherwise fine). */
const badSkillMd = fc.oneof(
  fc.constant("no frontmatter at all"),
  fc.string({ maxLength: 40 }).map((s) => `---\nname: ${NAME}\n---\n${s}`), // no description
  fc.stringMatching(/^[A-Z_ .]{1,20}$/).map((bad) => skillMd(bad)), // bad name
  fc.stringMatching(/^[a-z]{1,10}$/).map((other) => skillMd(`${other}-other`)), // another skill's name
  fc.constant(`---\nname: ${NAME}\ndescription: &a x\nx: *a\n---\n`), // YAML alias
);

function deps() {
  const clock = new FakeClock();
  const recorded = recordWrites(createMemoryStores({ clock }));
  return { ...recorded, deps: makeDeps({ stores: recorded.stores, clock }) };
}

async function upload(zip: Uint8Array) {
  const { deps: d, writes, stores } = deps();
  const api = createHttpApiHandler(d);
  const event = httpEvent("PUT", `/skills/${NAME}`, {
    token: "valid:alice",
    rawBody: Buffer.from(zip).toString("base64"),
    headers: { "content-type": "application/zip" },
  });
  const result = await api({ ...event, isBase64Encoded: true });
  return { result, writes, blobs: await stores.blobs.list("") };
}

describe("skill uploads: fuzzed hostile archives", () => {
  it("refuses every hostile archive with a SKILL_* code and writes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(hostile, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        async (changes, wrap) => {
          const prefix = wrap ? `${NAME}/` : "";
          const entries: ZipEntry[] = [
            { name: `${prefix}SKILL.md`, data: skillMd(NAME) },
            ...changes.flatMap((c) => c.entries.map((e) => ({ ...e, name: `${prefix}${e.name}` }))),
          ];
          // A later entry with the same name would replace an earlier one in the builder's map.
          const unique = [...new Map(entries.map((e) => [e.name, e])).values()];
          let zip = makeZip(unique);
          for (const c of changes) zip = c.patch ? c.patch(zip) : zip;
          const { result, writes, blobs } = await upload(zip);
          const body = JSON.parse(result.body ?? "{}");
          expect(result.statusCode, changes.map((c) => c.what).join(", ")).toBeGreaterThanOrEqual(400);
          expect(result.statusCode).toBeLessThan(500);
          expect(body.error.code).toMatch(/^SKILL_/);
          expect(writes).toEqual([]);
          expect(blobs).toEqual([]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("refuses every hostile SKILL.md and writes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(badSkillMd, async (md) => {
        const { result, writes, blobs } = await upload(makeZip([{ name: "SKILL.md", data: md }]));
        expect(result.statusCode).toBe(422);
        expect(JSON.parse(result.body ?? "{}").error.code).toMatch(/^SKILL_/);
        expect(writes).toEqual([]);
        expect(blobs).toEqual([]);
      }),
      { numRuns: fuzzRuns(60) },
    );
  });

  it("refuses arbitrary bytes as a zip and writes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
        const { result, writes } = await upload(bytes);
        expect(result.statusCode).toBeGreaterThanOrEqual(400);
        expect(result.statusCode).toBeLessThan(500);
        expect(writes).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it("the same builder makes an upload that IS accepted when nothing hostile is added (the test can fail)", async () => {
    const { result, writes } = await upload(makeZip([{ name: "SKILL.md", data: skillMd(NAME) }]));
    expect(result.statusCode).toBe(201);
    expect(writes).toEqual(["blobs.put", "settings.put"]);
  });
});
