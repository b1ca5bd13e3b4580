import type { BlobStore } from "../../ports";
import { validateBlobKey, validateBlobPrefix } from "../blob-key";

/** Blobs in a Map, for unit tests. Copies on the way in and out, like a real store. */
export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, Uint8Array>();

  async put(key: string, body: Uint8Array): Promise<void> {
    this.blobs.set(validateBlobKey(key), new Uint8Array(body));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const body = this.blobs.get(validateBlobKey(key));
    return body ? new Uint8Array(body) : undefined;
  }

  async delete(key: string): Promise<void> {
    this.blobs.delete(validateBlobKey(key));
  }

  async list(prefix: string): Promise<string[]> {
    validateBlobPrefix(prefix);
    return [...this.blobs.keys()].filter((key) => key.startsWith(prefix)).sort();
  }
}
