import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { BlobStore } from "@serverless-openclaw/gateway/agent";
import * as tar from "tar";
import { readManifest } from "../../src/state-manifest";

/** Every path the user's saved checkpoint layers hold (what a restore would write). */
export async function savedStatePaths(blobs: BlobStore, userId: string): Promise<string[]> {
  const manifest = await readManifest(blobs, userId);
  const paths: string[] = [];
  for (const layer of manifest?.layers ?? []) {
    if (!layer.key) continue;
    const body = await blobs.get(layer.key);
    if (!body) throw new Error(`layer missing: ${layer.key}`);
    await pipeline(Readable.from([Buffer.from(body)]), tar.t({ onReadEntry: (e) => paths.push(e.path) }));
  }
  return paths;
}
