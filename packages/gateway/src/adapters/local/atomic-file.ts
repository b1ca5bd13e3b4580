import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";

/**
 * Replaces `file` with what `write` puts in it, all or nothing: written to a temp file beside it
 * (owner-only), synced to disk, then renamed over it. A crash mid-write leaves the old file whole.
 */
export function replaceFileAtomically(file: string, write: (append: (text: string) => void) => void): void {
  const temp = `${file}.tmp-${process.pid}`;
  const fd = openSync(temp, "w", 0o600);
  try {
    write((text) => writeSync(fd, text));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}
