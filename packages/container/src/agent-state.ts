import { join } from "node:path";
import type { BlobStore } from "@serverless-openclaw/gateway/agent";
import type { Logger, PendingMessage, StoredMessage } from "@serverless-openclaw/shared";
import type { OpenClawRuntime } from "./openclaw-runtime";
import { createSqliteSnapshotter, type SqliteSnapshotter } from "./sqlite-snapshot";
import { emptyDir, stateBlobKey } from "./state-archive";
import { StateCheckpointer } from "./state-checkpoint";
import { type CheckpointTurn, manifestKey, restoreCheckpoint } from "./state-manifest";

export interface AgentStateOptions {
  userId: string;
  blobs: BlobStore;
  /** OpenClaw's state dir (OpenClawHost's layout). */
  stateDir: string;
  /** The task's work dir; checkpoints are staged under it. */
  workDir: string;
  runtime: OpenClawRuntime;
  logger: Logger;
  /** env STATE_CHECKPOINTS: "per-turn" (default) or "stop-only" (to measure what checkpoints cost). */
  checkpoints?: "per-turn" | "stop-only";
}

/**
 * OpenClaw's state across runs of the task: restored at boot, checkpointed after each turn, captured a
 * last time at a clean stop. Also the replies the restored state holds whose turn may not be stored.
 */
export class AgentState {
  private readonly checkpointer: StateCheckpointer;
  private readonly snapshotter: SqliteSnapshotter;
  /** Whether the state dir holds the restored state: never back up a half-restored dir. */
  restored = false;
  /**
   * Replies the restored state holds whose turn may not be stored (the last task died between its
   * checkpoint and storing the turn), by pending id: sent without running the agent again.
   */
  private repliesInState = new Map<string, StoredMessage>();

  constructor(private readonly options: AgentStateOptions) {
    this.snapshotter = createSqliteSnapshotter(options.runtime.node);
    this.checkpointer = new StateCheckpointer({
      blobs: options.blobs,
      userId: options.userId,
      stateDir: options.stateDir,
      stagingDir: join(options.workDir, "checkpoints"),
      snapshot: this.snapshotter,
      logger: options.logger,
    });
  }

  /**
   * A saved state that cannot be unpacked must not keep the agent from ever starting again: it is
   * set aside under another key (for a human to look at) and the agent starts fresh.
   */
  async restore(): Promise<void> {
    const { blobs, userId, logger, stateDir } = this.options;
    const started = performance.now();
    let layers: Awaited<ReturnType<typeof restoreCheckpoint>>;
    try {
      layers = await restoreCheckpoint(blobs, userId, stateDir);
      logger.info(layers ? "openclaw state restored" : "no saved state; first boot", {
        source: layers?.source,
        layers: layers?.layers.length,
        ms: Math.round(performance.now() - started),
      });
    } catch (err) {
      logger.error("saved state could not be restored; starting fresh and keeping the old archive", {
        error: err,
      });
      layers = undefined;
      const stamp = Date.now();
      const manifest = await blobs.get(manifestKey(userId));
      if (manifest)
        await blobs.put(`users/${userId}/openclaw-state.unreadable-${stamp}.manifest.json`, manifest);
      const body = await blobs.get(stateBlobKey(userId));
      if (body) await blobs.put(`users/${userId}/openclaw-state.unreadable-${stamp}.tar.gz`, body);
      await emptyDir(stateDir);
    }
    const turns = layers?.turns ?? [];
    this.repliesInState = new Map(turns.map((t) => [t.pendingId, t.reply]));
    await this.checkpointer.baseline(layers?.layers ?? [], turns);
    this.restored = true;
  }

  /** Local mode's SQLite helper starts at boot rather than on the first turn's checkpoint. */
  prepare(): void {
    this.snapshotter.prepare?.();
  }

  /**
   * After each turn: freeze what it changed (the next turn waits only for this: a scan, copies of the
   * files it changed, a pin of each SQLite database) and hand back the rest of the capture and its
   * upload, which run beside the next turn: the turn's reply is made final once they have settled
   * (TurnRunner), so a final reply's turn is saved.
   */
  async checkpoint(turn: CheckpointTurn | undefined): Promise<{ saved: Promise<boolean> }> {
    if (!this.restored || this.options.checkpoints === "stop-only") return { saved: Promise.resolve(false) };
    const { stats, upload } = await this.checkpointer.capture(turn);
    void stats.then((s) => s && this.options.logger.info("checkpoint captured", { ...s }));
    return { saved: upload };
  }

  /** The reply the restored state holds for this message, only if that turn answered it (same ids). */
  replyInState(message: PendingMessage): StoredMessage | undefined {
    const reply = this.repliesInState.get(message.id);
    return reply?.clientMessageId === message.clientMessageId &&
      reply.conversationId === message.conversationId
      ? reply
      : undefined;
  }

  /** The message's turn is stored: the state need not carry its reply any more. */
  answered(message: PendingMessage): void {
    this.repliesInState.delete(message.id);
    this.checkpointer.answered(message.id);
  }

  /** The last checkpoint, taken with OpenClaw stopped; its upload is awaited (nothing may be lost). */
  async saveAtStop(): Promise<void> {
    const { logger } = this.options;
    const { stats, upload } = await this.checkpointer.capture();
    const saved = await upload;
    await this.checkpointer.flush();
    const fields = { ...(await stats), totals: this.checkpointer.totals };
    if (saved) logger.info("openclaw state backed up", fields);
    // The reason was logged where it failed; the checkpoints of earlier turns are still saved.
    else logger.error("the last checkpoint could not be saved", fields);
  }

  close(): void {
    this.snapshotter.close?.();
  }
}
