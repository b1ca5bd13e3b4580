import { deflateSync, strToU8, zipSync } from "fflate";

/** Test-only helpers that build zips, honest or hostile, for the skill upload tests. */

export interface ZipEntry {
  name: string;
  data?: Uint8Array | string;
  /** Unix mode including the file type bits, e.g. 0o120777 for a symlink. */
  mode?: number;
  /** 0 = stored, 8 = deflate. */
  level?: 0 | 6 | 9;
}

export function makeZip(entries: ZipEntry[]): Uint8Array {
  const input: Parameters<typeof zipSync>[0] = {};
  for (const e of entries) {
    const data = typeof e.data === "string" ? strToU8(e.data) : (e.data ?? new Uint8Array());
    input[e.name] = [
      data,
      { level: e.level ?? 6, os: 3, attrs: (e.mode ?? 0o100644) << 16, mtime: new Date("2020-01-01") },
    ];
  }
  return zipSync(input);
}

export const skillMd = (name: string, description = "Says hello when asked.", body = "Say hello.") =>
  `---\nname: ${name}\ndescription: ${description}\n---\n\n${body}\n`;

/** A minimal valid skill named `name`, plus extra files. */
export function skillZip(name: string, extra: ZipEntry[] = []): Uint8Array {
  return makeZip([{ name: "SKILL.md", data: skillMd(name) }, ...extra]);
}

/** Replaces every occurrence of `from` (same length) with `to`: file names sit in two headers each. */
export function patchBytes(
  zip: Uint8Array,
  from: Uint8Array | string,
  to: Uint8Array | string,
  required = true,
): Uint8Array {
  const a = typeof from === "string" ? strToU8(from) : from;
  const b = typeof to === "string" ? strToU8(to) : to;
  if (a.length !== b.length) throw new Error("patchBytes needs equal lengths");
  const out = new Uint8Array(zip);
  let found = 0;
  for (let i = 0; i + a.length <= out.length; i++) {
    if (a.every((byte, j) => out[i + j] === byte)) {
      out.set(b, i);
      found++;
    }
  }
  if (found === 0 && required) throw new Error("patchBytes: pattern not found");
  return out;
}

/**
 * Makes every header of the zip claim `size` uncompressed bytes, however much the data really
 * inflates to: the classic way past a limit that trusts the declared size.
 */
export function lieAboutSizes(zip: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(zip);
  const view = new DataView(out.buffer);
  for (let i = 0; i + 4 <= out.length; i++) {
    const sig = view.getUint32(i, true);
    if (sig === 0x04034b50) view.setUint32(i + 22, size, true);
    if (sig === 0x02014b50) view.setUint32(i + 24, size, true);
  }
  return out;
}

/** `bytes` of zeros deflate to about a thousandth of that: a small zip that inflates to a lot. */
export function zeros(bytes: number): Uint8Array {
  return new Uint8Array(bytes);
}

export { deflateSync };
