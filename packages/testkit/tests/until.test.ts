import { describe, expect, it } from "vitest";
import { until } from "../src/until";

describe("until", () => {
  it("returns the first value that is neither undefined nor false, including 0 and empty strings", async () => {
    let calls = 0;
    expect(await until("three calls", () => (++calls >= 3 ? "done" : undefined), { intervalMs: 1 })).toBe(
      "done",
    );
    expect(calls).toBe(3);
    expect(await until("zero", () => 0)).toBe(0);
    expect(await until("async true", async () => true)).toBe(true);
  });

  it("times out naming what it waited for, with the explanation", async () => {
    await expect(
      until("the moon", () => false, { timeoutMs: 30, intervalMs: 5, explain: () => "last logs: none" }),
    ).rejects.toThrow(/^timed out waiting for the moon \(30 ms\)\nlast logs: none$/);
  });

  it("ends at once when the check throws", async () => {
    const started = Date.now();
    await expect(
      until("a broken check", () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
