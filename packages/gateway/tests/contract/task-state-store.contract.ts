import { beforeEach, describe, expect, it } from "vitest";
import type { TaskStateStore } from "../../src/ports";
import { expectStoreError, FakeClock, type Harness, type HarnessFactory, uid } from "./harness";

export function describeTaskStateStoreContract(name: string, factory: HarnessFactory<TaskStateStore>) {
  describe(`TaskStateStore contract: ${name}`, () => {
    let h: Harness<TaskStateStore>;
    let clock: FakeClock;

    beforeEach(async () => {
      clock = new FakeClock();
      h = await factory(clock);
    });

    it("reads a user without a row as Idle at version 0", async () => {
      const userId = uid("user");
      expect(await h.store.get(userId)).toMatchObject({ userId, state: "Idle", version: 0 });
    });

    it("moves a missing row from Idle to Starting, setting fields, version and updatedAt", async () => {
      const userId = uid("user");
      const row = await h.store.transition({
        userId,
        expectState: "Idle",
        set: { state: "Starting", taskArn: "arn:task/1", step: "provisioning" },
      });
      expect(row).toEqual({
        userId,
        state: "Starting",
        version: 1,
        updatedAt: clock.now().toISOString(),
        taskArn: "arn:task/1",
        step: "provisioning",
      });
      expect(await h.store.get(userId)).toEqual(row);
    });

    it("refuses a transition from the wrong state and leaves the row unchanged", async () => {
      const userId = uid("user");
      await h.store.transition({ userId, expectState: "Idle", set: { state: "Starting" } });
      const before = await h.store.get(userId);
      expect(
        await h.store.transition({ userId, expectState: "Idle", set: { state: "Starting" } }),
      ).toBeUndefined();
      expect(
        await h.store.transition({ userId, expectState: ["Running", "Stopping"], set: { state: "Idle" } }),
      ).toBeUndefined();
      expect(await h.store.get(userId)).toEqual(before);
      expect(
        await h.store.transition({ userId, expectState: "Running", set: { state: "Stopping" } }),
      ).toBeUndefined();
      expect(await h.store.get(uid("user"))).toMatchObject({ state: "Idle", version: 0 });
    });

    it("checks the version when one is expected", async () => {
      const userId = uid("user");
      expect(
        await h.store.transition({
          userId,
          expectState: "Idle",
          expectVersion: 3,
          set: { state: "Starting" },
        }),
      ).toBeUndefined();
      const first = await h.store.transition({
        userId,
        expectState: "Idle",
        expectVersion: 0,
        set: { state: "Starting" },
      });
      expect(first?.version).toBe(1);
      expect(
        await h.store.transition({
          userId,
          expectState: "Starting",
          expectVersion: 0,
          set: { heartbeatAt: clock.now().toISOString() },
        }),
      ).toBeUndefined();
      const second = await h.store.transition({
        userId,
        expectState: ["Starting", "Running"],
        expectVersion: 1,
        set: { state: "Running" },
      });
      expect(second).toMatchObject({ state: "Running", version: 2 });
    });

    it("removes fields set to null and keeps the others", async () => {
      const userId = uid("user");
      await h.store.transition({
        userId,
        expectState: "Idle",
        set: { state: "Starting", taskArn: "arn:task/2", agentSecretHash: "abc", step: "connecting" },
      });
      clock.advance(1000);
      const row = await h.store.transition({
        userId,
        expectState: "Starting",
        set: {
          state: "Idle",
          taskArn: null,
          agentSecretHash: null,
          lastError: { code: "START_FAILED", message: "no capacity", at: clock.now().toISOString() },
        },
      });
      expect(row).toEqual({
        userId,
        state: "Idle",
        version: 2,
        updatedAt: clock.now().toISOString(),
        step: "connecting",
        lastError: { code: "START_FAILED", message: "no capacity", at: clock.now().toISOString() },
      });
      expect(await h.store.get(userId)).toEqual(row);
    });

    it("rejects fields a TaskState does not have", async () => {
      const userId = uid("user");
      const bogus = { state: "Starting", isAdmin: true } as unknown as { state: "Starting" };
      await expectStoreError(
        h.store.transition({ userId, expectState: "Idle", set: bogus }),
        "INVALID_ARGUMENT",
      );
      expect(await h.store.get(userId)).toMatchObject({ version: 0 });
    });

    it("lets exactly one of 50 parallel Idle→Starting transitions win", async () => {
      const userId = uid("user");
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          h.store.transition({
            userId,
            expectState: "Idle",
            set: { state: "Starting", taskArn: `arn:${i}` },
          }),
        ),
      );
      const winners = results.filter((r) => r !== undefined);
      expect(winners).toHaveLength(1);
      expect(await h.store.get(userId)).toEqual(winners[0]);
    });

    it("lists rows that are not Idle", async () => {
      const [a, b, c] = [uid("user"), uid("user"), uid("user")];
      await h.store.transition({ userId: a, expectState: "Idle", set: { state: "Starting" } });
      await h.store.transition({ userId: b, expectState: "Idle", set: { state: "Starting" } });
      await h.store.transition({ userId: b, expectState: "Starting", set: { state: "Idle" } });
      await h.store.transition({ userId: c, expectState: "Idle", set: { state: "Starting" } });
      await h.store.transition({ userId: c, expectState: "Starting", set: { state: "Running" } });
      const active = (await h.store.listActive()).filter((r) => [a, b, c].includes(r.userId));
      expect(active.map((r) => `${r.userId}:${r.state}`).sort()).toEqual(
        [`${a}:Starting`, `${c}:Running`].sort(),
      );
    });

    it("keeps rows across a reopen", async (ctx) => {
      if (!h.reopen) return ctx.skip();
      const userId = uid("user");
      const row = await h.store.transition({ userId, expectState: "Idle", set: { state: "Starting" } });
      const reopened = await h.reopen();
      expect(await reopened.get(userId)).toEqual(row);
      expect(
        await reopened.transition({ userId, expectState: "Idle", set: { state: "Starting" } }),
      ).toBeUndefined();
    });
  });
}
