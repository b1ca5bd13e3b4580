import { randomBytes } from "node:crypto";
import type { ClientPush, ConnectionStore } from "@serverless-openclaw/gateway/agent";
import type { Logger, PendingMessage, ServerEvent, ToolActivity } from "@serverless-openclaw/shared";
import type { ReplySink } from "./reply-sink";

/** How long a looked-up list of the user's browser connections is reused within a turn. */
const CONNECTION_LIST_TTL_MS = 5_000;

/**
 * Pushes a reply to every browser tab of the user through the Management API (ClientPush).
 * A tab that is gone is removed from Connections so the next push skips it.
 */
export class WebReplySink implements ReplySink {
  private cached: { ids: string[]; at: number } | undefined;
  private listing: Promise<string[]> | undefined;
  /** One id per run of a turn (see ChatDeltaEvent.stream). */
  private readonly streams = new Map<string, string>();

  constructor(
    private readonly userId: string,
    private readonly connections: ConnectionStore,
    private readonly push: ClientPush,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Looks the tabs up while OpenClaw works on the reply, so the first delta goes out at once, and
   * tells them the agent is on it (not awaited: the turn does not wait for the push).
   */
  async started(m: PendingMessage): Promise<void> {
    this.streams.set(m.clientMessageId, randomBytes(6).toString("base64url"));
    this.cached = undefined;
    void this.broadcast({
      type: "chat.started",
      clientMessageId: m.clientMessageId,
      conversationId: m.conversationId,
    }).catch(() => undefined);
  }

  async activity(m: PendingMessage, activity: ToolActivity): Promise<void> {
    await this.broadcast({
      type: "chat.activity",
      clientMessageId: m.clientMessageId,
      conversationId: m.conversationId,
      activity,
    });
  }

  async delta(m: PendingMessage, chunk: string, seq: number): Promise<void> {
    await this.broadcast({
      type: "chat.delta",
      clientMessageId: m.clientMessageId,
      conversationId: m.conversationId,
      seq,
      text: chunk,
      stream: this.streams.get(m.clientMessageId),
    });
  }

  async final(
    m: PendingMessage,
    text: string,
    messageId: string,
    createdAt: string,
    activity?: ToolActivity[],
  ): Promise<void> {
    this.streams.delete(m.clientMessageId);
    this.cached = undefined;
    await this.broadcast({
      type: "chat.final",
      clientMessageId: m.clientMessageId,
      conversationId: m.conversationId,
      messageId,
      text,
      createdAt,
      ...(activity?.length ? { activity } : {}),
    });
  }

  async error(
    m: PendingMessage,
    code: string,
    message: string,
    retryable: boolean,
    activity?: ToolActivity[],
  ): Promise<void> {
    this.streams.delete(m.clientMessageId);
    this.cached = undefined;
    await this.broadcast({
      type: "chat.error",
      clientMessageId: m.clientMessageId,
      conversationId: m.conversationId,
      code,
      message,
      retryable,
      ...(activity?.length ? { activity } : {}),
    });
  }

  /** Any event to every tab of the user (also used for agent.status). */
  async broadcast(event: ServerEvent): Promise<void> {
    const ids = await this.connectionIds();
    await Promise.all(
      ids.map(async (id) => {
        let alive: boolean;
        try {
          alive = await this.push.send(id, event);
        } catch (err) {
          // A failed push must not fail the turn; the reply is stored and the tab can reload history.
          this.logger.warn("push to a browser connection failed", { connectionId: id, error: err });
          return;
        }
        if (!alive) await this.forget(id);
      }),
    );
  }

  private async connectionIds(): Promise<string[]> {
    const now = this.now();
    if (this.cached && now - this.cached.at < CONNECTION_LIST_TTL_MS) return this.cached.ids;
    this.listing ??= this.connections
      .listByUser(this.userId, "client")
      .then((rows) => {
        this.cached = { ids: rows.map((r) => r.connectionId), at: this.now() };
        return this.cached.ids;
      })
      .finally(() => {
        this.listing = undefined;
      });
    return this.listing;
  }

  private async forget(connectionId: string): Promise<void> {
    if (this.cached) this.cached.ids = this.cached.ids.filter((id) => id !== connectionId);
    await this.connections.delete(connectionId).catch((err: unknown) => {
      this.logger.warn("could not delete a gone connection", { connectionId, error: err });
    });
  }
}
