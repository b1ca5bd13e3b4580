/**
 * A sliding-window limit per key: at most `limit` hits in any `windowMs`. Local mode's identity uses
 * it so sign-in guesses and password resets cannot run unbounded (per user, and for all users together).
 */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether one more hit for `key` would stay within the limit (records nothing). */
  allows(key: string): boolean {
    return this.recent(key).length < this.limit;
  }

  /** Records a hit for `key`. */
  hit(key: string): void {
    const recent = this.recent(key);
    recent.push(this.now());
    this.hits.set(key, recent);
  }

  /** Records a hit when allowed; returns whether it was. */
  take(key: string): boolean {
    if (!this.allows(key)) return false;
    this.hit(key);
    return true;
  }

  /** Drops `key`'s hits (a success that should not count against it). */
  forget(key: string): void {
    this.hits.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    const kept = (this.hits.get(key) ?? []).filter((t) => t > since);
    if (kept.length === 0) this.hits.delete(key);
    else this.hits.set(key, kept);
    // Keys of long-gone hits are dropped above, so the map stays as small as the recent traffic.
    return kept;
  }
}
