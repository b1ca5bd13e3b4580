import { type KeepWarm, keepWarmActive } from "@serverless-openclaw/shared";

/**
 * The user's "keep my agent warm during these hours" window, as the task's idle check sees it: an
 * idle task past its inactivity timeout stops unless the window holds it. The window comes from the
 * user's Settings, re-read at most once per `refreshMs` and only when the task would otherwise stop,
 * so a window saved, moved or switched off while the task runs takes effect within that time, without
 * a store read on every check and without restarting OpenClaw.
 */
export class KeepWarmGuard {
  private window: KeepWarm | null | undefined;
  private readAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly read: () => Promise<KeepWarm | null | undefined>,
    private readonly refreshMs = 60_000,
  ) {}

  /** What the task read at start (with the rest of the settings). */
  set(window: KeepWarm | null | undefined, at: Date): void {
    this.window = window;
    this.readAt = at.getTime();
  }

  /** Whether the window keeps an idle task running at `at`. A failed read keeps the last known window. */
  async holds(at: Date): Promise<boolean> {
    if (at.getTime() - this.readAt >= this.refreshMs) {
      try {
        this.window = await this.read();
      } catch {
        // The last known window stands; the next check reads again.
        return keepWarmActive(this.window, at);
      }
      this.readAt = at.getTime();
    }
    return keepWarmActive(this.window, at);
  }
}
