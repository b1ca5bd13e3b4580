import { mkdir, rm } from "node:fs/promises";
import { isAbsolute, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { BlobStore } from "@serverless-openclaw/gateway/agent";
import { StoredMessageSchema } from "@serverless-openclaw/shared";
import * as tar from "tar";
import * as z from "zod";
import { stateBlobKey } from "./state-archive";

/**
 * How per-turn checkpoints of OpenClaw's state dir are saved, and how they are restored at boot
 * (state-checkpoint.ts takes them).
 *
 * Layout under `users/<id>/openclaw-state/`: `manifest.json` lists layers, oldest first; each layer is a
 * tar.gz of the files that changed since the one before, plus the paths deleted since. The first layer
 * is full. Restore = every layer in order. A layer is written before the manifest that names it, so a
 * crash between the two leaves the previous manifest intact (and one orphan blob, removed at the next
 * compaction). After MAX_LAYERS layers the next checkpoint is full again, which bounds a restore to
 * MAX_LAYERS + 1 GETs.
 *
 * The manifest also names the turns its state already holds whose reply may not be stored yet (`turns`:
 * the pending message's id and the reply the agent gave). A crash after a checkpoint's upload but
 * before its turn is stored leaves the message pending on a state that has answered it: the next task
 * stores and sends that reply instead of running the agent on the message a second time.
 */
export const checkpointPrefix = (userId: string) => `users/${userId}/openclaw-state/`;
export const manifestKey = (userId: string) => `${checkpointPrefix(userId)}manifest.json`;
export const MAX_LAYERS = 8;

const turnSchema = z.object({ pendingId: z.string(), reply: StoredMessageSchema });
/** A turn a checkpoint's state holds: its pending message's id and the reply the agent gave. */
export type CheckpointTurn = z.infer<typeof turnSchema>;

const manifestSchema = z.object({
  version: z.literal(1),
  savedAt: z.string(),
  // A layer of deletions only has no archive (no key).
  layers: z.array(z.object({ key: z.string().optional(), bytes: z.number(), deleted: z.array(z.string()) })),
  // Absent in manifests of older versions.
  turns: z.array(turnSchema).optional(),
});
export type CheckpointManifest = z.infer<typeof manifestSchema>;
export type CheckpointLayer = CheckpointManifest["layers"][number];

/** Whether anything of the user's state is saved (a checkpoint, or an archive of an older version). */
export async function hasSavedState(blobs: BlobStore, userId: string): Promise<boolean> {
  return (
    (await blobs.get(manifestKey(userId))) !== undefined ||
    (await blobs.get(stateBlobKey(userId))) !== undefined
  );
}

export async function readManifest(
  blobs: BlobStore,
  userId: string,
): Promise<CheckpointManifest | undefined> {
  const raw = await blobs.get(manifestKey(userId));
  if (!raw) return undefined;
  const manifest = manifestSchema.parse(JSON.parse(Buffer.from(raw).toString("utf8")));
  const prefix = checkpointPrefix(userId);
  for (const layer of manifest.layers)
    if (layer.key !== undefined && !layer.key.startsWith(prefix))
      throw new Error(`checkpoint layer outside the user's prefix: ${layer.key}`);
  return manifest;
}

/**
 * Restores the latest checkpoint into `stateDir` (empty or absent); falls back to the single archive
 * older versions wrote at a clean stop. Returns the layers restored (empty for an archive) and the
 * turns the restored state holds whose reply may not be stored, or undefined on a first boot.
 */
export async function restoreCheckpoint(
  blobs: BlobStore,
  userId: string,
  stateDir: string,
): Promise<
  { layers: CheckpointLayer[]; turns: CheckpointTurn[]; source: "checkpoint" | "archive" } | undefined
> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const manifest = await readManifest(blobs, userId);
  if (!manifest) {
    const body = await blobs.get(stateBlobKey(userId));
    if (!body) return undefined;
    await extract(body, stateDir);
    return { layers: [], turns: [], source: "archive" };
  }
  // Fetched in parallel, applied in order.
  const bodies = await Promise.all(
    manifest.layers.map(async (layer) => {
      if (layer.key === undefined) return undefined;
      const body = await blobs.get(layer.key);
      if (!body) throw new Error(`checkpoint layer missing: ${layer.key}`);
      return body;
    }),
  );
  for (const [i, layer] of manifest.layers.entries()) {
    for (const rel of layer.deleted) await rm(inside(stateDir, rel), { recursive: true, force: true });
    const body = bodies[i];
    if (body) await extract(body, stateDir);
  }
  return { layers: manifest.layers, turns: manifest.turns ?? [], source: "checkpoint" };
}

async function extract(body: Uint8Array, stateDir: string): Promise<void> {
  await pipeline(Readable.from([Buffer.from(body)]), tar.x({ cwd: stateDir, preservePaths: false }));
}

function inside(root: string, rel: string): string {
  const path = resolve(root, rel);
  if (isAbsolute(rel) || !path.startsWith(`${resolve(root)}${sep}`))
    throw new Error(`path outside the state dir: ${rel}`);
  return path;
}
