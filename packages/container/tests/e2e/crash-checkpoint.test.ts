import { type ManagedProcess, waitUntil } from "@serverless-openclaw/testkit/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readManifest } from "../../src/state-checkpoint";
import { ImageTaskWiring } from "../support/image-task-wiring";

// A crash after a final reply loses nothing: the task (the image's bundle on Node 24, a real OpenClaw)
// answers a turn in which the agent writes a file with its shell, checkpoints it, and is SIGKILLed with
// all its processes (OOM, host loss). The next task, on a fresh disk, finds the file and the turn.
const USER = "user-crash";
const USER_FINAL = "user-crash-final";
const API_KEY = "sk-crash-checkpoint-7a6b5c4d3e2f";
const wiring = new ImageTaskWiring(API_KEY);
const { stores, pushed } = wiring;

beforeAll(() => wiring.start(), 60_000);
afterAll(() => wiring.stop());

/** One ECS task of the user: a fresh work dir (Fargate's ephemeral disk), woken for one message. */
function wake(clientMessageId: string, text: string, userId = USER): Promise<ManagedProcess> {
  return wiring.wake(
    userId,
    { clientMessageId, conversationId: "conv-crash", text },
    // A restored OpenClaw repairs its state at start-up: minutes when the machine is busy.
    { OPENCLAW_READY_TIMEOUT_MS: "400000" },
  );
}

async function finalOf(proc: ManagedProcess, clientMessageId: string): Promise<string> {
  const final = () =>
    pushed.find((p) => p.body.type === "chat.final" && p.body.clientMessageId === clientMessageId)?.body;
  await waitUntil(`the reply to ${clientMessageId}`, async () => final() !== undefined, {
    timeoutMs: 540_000,
    process: proc,
  }).catch((error: unknown) => {
    // A test that kills the task from inside its final's push sees the exit and the final at the same
    // poll: the final arrived, so that is no failure. A task that died before its final still fails.
    if (final() === undefined) throw error;
  });
  return String(final()?.text);
}

const shell = (command: string) => `[tool:exec:${JSON.stringify({ command })}]`;

describe("a crash after a final reply", () => {
  it("loses nothing: the next task has the file the agent wrote and the earlier turn in its context", async () => {
    const first = await wake("crash-1", `remember the word MANGO ${shell("echo KIWI-42 > crash-note.txt")}`);
    expect(await finalOf(first, "crash-1")).toContain("Tool output");
    // The checkpoint of that turn is saved in the background, right after the reply.
    await waitUntil("the turn's checkpoint saved", async () => first.logs().includes("checkpoint saved"), {
      timeoutMs: 60_000,
      process: first,
    });
    const saved = await readManifest(stores.blobs, USER);
    expect(saved?.layers.length).toBeGreaterThan(0);

    const killed = await first.crash();
    expect(killed.signal).toBe("SIGKILL");
    expect(first.logs()).not.toContain("agent task stopping");
    // What the watchdog does for a task that is gone: the row goes back to Idle.
    const row = await stores.taskState.get(USER);
    await stores.taskState.transition({ userId: USER, expectState: row.state, set: { state: "Idle" } });

    const sent = wiring.llm.chatRequests().length;
    const second = await wake(
      "crash-2",
      `which word did I ask you to remember? ${shell("cat crash-note.txt")}`,
    );
    const reply = await finalOf(second, "crash-2");
    expect(reply).toContain("KIWI-42");
    // The LLM saw the turn before the crash: OpenClaw's session survived it.
    const request = wiring.llm.chatRequests().slice(sent)[0];
    expect(JSON.stringify(request?.messages)).toContain("MANGO");
    const restored = second.logs().match(/"openclaw state restored".*/)?.[0] ?? "";
    expect(restored).toContain('"source":"checkpoint"');
    console.info("restore:", restored.slice(0, 300));
    console.info(
      "checkpoints:",
      first
        .logs()
        .split("\n")
        .filter((l) => l.includes("checkpoint"))
        .map((l) => l.slice(0, 400))
        .join("\n"),
    );
    await second.stop({ graceMs: 60_000 });
  }, 1_200_000);

  // What "final" promises: the reply is made final only once its turn's checkpoint is saved, so a
  // task killed the very moment its final reply reaches the gateway has already saved the turn.
  // (Before, the checkpoint was captured and uploaded after the final: this kill found nothing saved.)
  it("loses nothing when the task is killed the moment its final reply goes out", async () => {
    let killed: ReturnType<ManagedProcess["crash"]> | undefined;
    const first = await wake(
      "final-1",
      `remember the word PAPAYA ${shell("echo LIME-7 > final-note.txt")}`,
      USER_FINAL,
    );
    wiring.onPush = (body) => {
      if (body.type === "chat.final" && body.clientMessageId === "final-1") killed ??= first.crash();
    };
    expect(await finalOf(first, "final-1")).toContain("Tool output");
    expect((await killed)?.signal).toBe("SIGKILL");
    wiring.onPush = () => undefined;
    expect(first.logs()).not.toContain("agent task stopping");
    expect((await readManifest(stores.blobs, USER_FINAL))?.layers.length).toBeGreaterThan(0);
    const row = await stores.taskState.get(USER_FINAL);
    await stores.taskState.transition({ userId: USER_FINAL, expectState: row.state, set: { state: "Idle" } });

    const sent = wiring.llm.chatRequests().length;
    const second = await wake(
      "final-2",
      `which word did I ask you to remember? ${shell("cat final-note.txt")}`,
      USER_FINAL,
    );
    expect(await finalOf(second, "final-2")).toContain("LIME-7");
    const requests = wiring.llm.chatRequests().slice(sent);
    expect(JSON.stringify(requests.map((r) => r.messages))).toContain("PAPAYA");
    // The killed task's final had gone out, so its message is answered once, not run again.
    expect(second.logs()).toContain("turn already answered; re-sending the stored reply");
    await second.stop({ graceMs: 60_000 });
  }, 1_200_000);
});
