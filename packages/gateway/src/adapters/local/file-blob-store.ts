import { randomUUID } from "node:crypto";
import type { Dirent } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, unlink, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import type { BlobStore } from "../../ports";
import { validateBlobKey, validateBlobPrefix } from "../blob-key";
import { StoreError } from "../store-error";

/**
 * Blobs as files: `<dir>/objects/<key>`. Writes go to `<dir>/tmp` first and are renamed into place,
 * so a reader never sees half a file. Keys are validated, so none can escape the directory.
 */
export class FileBlobStore implements BlobStore {
  private readonly objects: string;
  private readonly tmp: string;

  constructor(dir: string) {
    this.objects = join(dir, "objects");
    this.tmp = join(dir, "tmp");
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const path = this.path(key);
    await mkdir(this.tmp, { recursive: true });
    const temp = join(this.tmp, randomUUID());
    await writeFile(temp, body);
    try {
      await mkdir(dirname(path), { recursive: true });
      await rename(temp, path);
    } catch (err) {
      await rm(temp, { force: true });
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOTDIR" || code === "EISDIR" || code === "EEXIST") {
        throw new StoreError("CONFLICT", `Blob key ${key} clashes with another key used as a folder.`);
      }
      throw err;
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.path(key)));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.path(key));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR" && code !== "EISDIR") throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    validateBlobPrefix(prefix);
    const keys: string[] = [];
    let entries: Dirent[];
    try {
      entries = await readdir(this.objects, { encoding: "utf8", recursive: true, withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const key = relative(this.objects, join(entry.parentPath, entry.name)).split(sep).join("/");
      if (key.startsWith(prefix)) keys.push(key);
    }
    return keys.sort();
  }

  private path(key: string): string {
    return join(this.objects, ...validateBlobKey(key).split("/"));
  }
}
