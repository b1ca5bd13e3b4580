import { KEYS, LIMITS } from "@serverless-openclaw/shared";
import type { GatewayDeps } from "../deps";
import { errorSummary } from "../errors";

export type WakeTimesDeps = Pick<GatewayDeps, "settings" | "clock" | "logger" | "config">;

/** How many recent wakes the estimate is taken from. */
export const WAKE_SAMPLES = 10;
/** How long one Lambda instance (or local mode) trusts the estimate it read before reading it again. */
const REFRESH_MS = 60_000;

/**
 * "Usually ~N s" while the agent wakes: the median of this deployment's last WAKE_SAMPLES measured
 * wakes (start → the task connected), or the configured typicalWakeSeconds before any wake was
 * measured. A median, so one slow boot (a new image pulled) does not move it much. Samples from
 * concurrent writers may overwrite each other; losing one now and then does not matter.
 */
export class WakeTimes {
  private cached: { seconds: number; readAt: number } | undefined;

  constructor(private readonly deps: WakeTimesDeps) {}

  /** The estimate as last read (the configured default until the first read). */
  get current(): number {
    return this.cached?.seconds ?? this.deps.config.typicalWakeSeconds;
  }

  /** Reads the samples again when the cached estimate is old. Never throws. */
  async refresh(): Promise<number> {
    const now = this.deps.clock.now().getTime();
    if (this.cached && now - this.cached.readAt < REFRESH_MS) return this.cached.seconds;
    try {
      const samples = await this.samples();
      this.cached = { seconds: median(samples) ?? this.deps.config.typicalWakeSeconds, readAt: now };
    } catch (error) {
      this.deps.logger.warn("could not read recent wake times", errorSummary(error));
    }
    return this.current;
  }

  /** Records one measured wake (ignored when outside what a start may take). Never throws. */
  async record(seconds: number): Promise<void> {
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > LIMITS.startTimeoutMs / 1000) return;
    try {
      const samples = [...(await this.samples()), Math.round(seconds * 10) / 10].slice(-WAKE_SAMPLES);
      await this.deps.settings.put(KEYS.settings.deploymentPartition, KEYS.settings.wakeSeconds, samples);
      this.cached = {
        seconds: median(samples) ?? this.deps.config.typicalWakeSeconds,
        readAt: this.deps.clock.now().getTime(),
      };
    } catch (error) {
      this.deps.logger.warn("could not record a wake time", errorSummary(error));
    }
  }

  private async samples(): Promise<number[]> {
    const stored = await this.deps.settings.get<unknown>(
      KEYS.settings.deploymentPartition,
      KEYS.settings.wakeSeconds,
    );
    if (!Array.isArray(stored)) return [];
    return stored.filter((n): n is number => typeof n === "number" && Number.isFinite(n) && n > 0);
  }
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
