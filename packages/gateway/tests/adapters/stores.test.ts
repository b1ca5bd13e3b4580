import { type Capacity, USAGE_KEYS, usageMonth } from "@serverless-openclaw/shared";
import { describe, expect, it } from "vitest";
import { createMemoryStores } from "../../src/adapters/local/embedded-stores";
import { MemorySecretStore } from "../../src/adapters/local/memory-secret-store";
import { createStores, type StoresPlan } from "../../src/adapters/stores";

/** One run of alice's agent: started a minute ago, now back to Idle (as the task's clean stop writes it). */
async function oneRun(plan: StoresPlan) {
  const stores = createStores(plan);
  const startedAt = new Date(Date.now() - 60_000).toISOString();
  const starting = await stores.taskState.transition({
    userId: "alice",
    expectState: "Idle",
    set: { state: "Starting", startedAt },
  });
  expect(starting?.state).toBe("Starting");
  const idle = await stores.taskState.transition({
    userId: "alice",
    expectState: "Starting",
    set: { state: "Idle", startedAt: null },
  });
  expect(idle?.state).toBe("Idle");
  const month = usageMonth(new Date(idle?.updatedAt ?? ""));
  return plan.backend.settings.get<{ starts?: number; agentSeconds?: number }>(
    "alice",
    USAGE_KEYS.month(month),
  );
}

describe("createStores, the one store builder of the Lambdas, local mode and the agent task", () => {
  it("serves every port from the backend except the ones replaced", () => {
    const backend = createMemoryStores();
    const secrets = new MemorySecretStore();
    const stores = createStores({ backend, replace: { secrets } });
    expect(stores.secrets).toBe(secrets);
    const ports = Object.keys(backend) as Array<keyof typeof backend>;
    expect(ports).toHaveLength(7);
    for (const port of ports) expect(stores[port]).toBe(port === "secrets" ? secrets : backend[port]);
    const plain = createStores({ backend });
    for (const port of ports) expect(plain[port]).toBe(backend[port]);
  });

  it("books a run that reaches Idle to its user's usage when the plan asks (the gateway's processes)", async () => {
    const booked: Array<[number, Capacity]> = [];
    const record = await oneRun({
      backend: createMemoryStores(),
      usage: {
        logger: { warn: () => {} },
        onRunBooked: (seconds, capacity) => booked.push([seconds, capacity]),
      },
    });
    expect(record).toMatchObject({ starts: 1 });
    expect(record?.agentSeconds).toBeGreaterThanOrEqual(60);
    expect(booked).toHaveLength(1);
    expect(booked[0]?.[0]).toBeGreaterThanOrEqual(60);
    expect(booked[0]?.[1]).toBe("spot");
  });

  it("books nothing without it (the agent task: its writes reach the gateway's stores, which book them)", async () => {
    expect(await oneRun({ backend: createMemoryStores() })).toBeUndefined();
  });
});
