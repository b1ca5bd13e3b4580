export interface UntilOptions {
  /**
   * Default 30 s: a deadline for a hang, never a timing assertion, so it is sized for a machine whose
   * cores are held by other work (10 s was missed there by steps that take 1 s on an idle laptop).
   */
  timeoutMs?: number;
  /** Default 50 ms. */
  intervalMs?: number;
  /** Appended to the timeout error, e.g. the last log lines of the system under test. */
  explain?: () => string;
  /** The error to throw at the deadline instead (explain is then unused). */
  timeoutError?: () => Error;
}

/**
 * Polls `check` until it returns something other than undefined or false, and returns that. Past the
 * deadline it throws `timed out waiting for <what>` (plus `explain()`); an error thrown by `check` ends
 * the wait at once.
 */
export async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: UntilOptions = {},
): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 50, explain, timeoutError } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      if (timeoutError) throw timeoutError();
      throw new Error(`timed out waiting for ${what} (${timeoutMs} ms)${explain ? `\n${explain()}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
