import type { ManagedProcess } from "@serverless-openclaw/testkit/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasSavedState } from "../../src/state-manifest";
import { ImageTaskWiring } from "../support/image-task-wiring";
import { answeredOnce } from "../support/seed";

// The real entrypoint as the image runs it: docker/openclaw/Dockerfile's own esbuild step bundles it
// (everything but two optional native modules, unlike local mode's bundle) and the pinned Node 24 runs
// that one file, as `CMD ["node", "/app/agent-task.mjs"]` does. No Docker engine here, so it is wired
// by env to the store RPC, a Management-API-shaped push endpoint and the agent WebSocket, as in local
// mode. A bundling mistake (a dynamic require, a missing file next to a module) fails here.
const USER = "user-main";
const API_KEY = "sk-main-process-5e4d3c2b1a09";
const wiring = new ImageTaskWiring(API_KEY);
const { stores, pushed } = wiring;
let proc: ManagedProcess;

beforeAll(async () => {
  await wiring.start();
  proc = await wiring.wake(USER, {
    clientMessageId: "main-1",
    conversationId: "conv-main",
    text: "hello from the main process test",
  });
}, 300_000);

afterAll(() => wiring.stop());

describe("agent task entrypoint (the image's bundle on Node 24, local mode wiring)", () => {
  it("answers a pending message, then on SIGTERM backs up, goes Idle and exits 0 without logging the key", async () => {
    // Fails at once, with the task's output, if the task exits instead.
    const final = await answeredOnce(proc, pushed, stores, USER);
    expect(final?.text).toContain("echo: hello from the main process test");
    expect(pushed.some((p) => p.body.type === "agent.status" && p.body.step === "starting-openclaw")).toBe(
      true,
    );

    proc.child.kill("SIGTERM");
    const exit = await proc.exited;
    expect(exit.code).toBe(0);
    expect((await stores.taskState.get(USER)).state).toBe("Idle");
    expect(await hasSavedState(stores.blobs, USER)).toBe(true);
    expect(proc.logs()).toContain("agent task stopped");
    expect(proc.logs()).not.toContain(API_KEY);
  }, 320_000);
});
