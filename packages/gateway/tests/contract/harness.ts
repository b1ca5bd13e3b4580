import { randomUUID } from "node:crypto";
import type { Clock } from "../../src/ports";

/** A clock the suites move forward to pass TTLs; it starts at the real time. */
export class FakeClock implements Clock {
  private current = Date.now();

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

/** What a contract suite gets from an implementation: the store, and a way to reopen it when it persists. */
export interface Harness<T> {
  store: T;
  /** A new instance over the same data (e.g. the same data dir), as after a restart. */
  reopen?: () => Promise<T>;
}

export type HarnessFactory<T> = (clock: Clock) => Promise<Harness<T>>;

/** Suites share tables with each other (DynamoDB Local), so every test uses fresh ids. */
export const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 12)}`;

export const iso = (base: number, offsetMs: number) => new Date(base + offsetMs).toISOString();

export async function expectStoreError(promise: Promise<unknown>, code: string): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof Error) || (err as Error & { code?: string }).code !== code) {
    throw new Error(
      `expected an error with code ${code}, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
    );
  }
}
