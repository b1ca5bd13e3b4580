import { type ManagedProcess, waitUntil } from "@serverless-openclaw/testkit/process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkpointPrefix, manifestKey, readManifest } from "../../src/state-manifest";
import { ImageTaskWiring } from "../support/image-task-wiring";

// A crash after a final reply loses nothing: the task (the image's bundle on Node 24, a real OpenClaw)
// answers a turn in which the agent writes a file with its shell, checkpoints it, and is SIGKILLed with
// all its processes (OOM, host loss). The next task, on a fresh disk, finds the file and the turn.
const USER = "user-crash";
const USER_FINAL = "user-crash-final";
const USER_OVERLAP = "user-crash-overlap";
const USER_WINDOW = "user-crash-window";
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
  // The next turn starts once the previous turn's state is frozen; that turn's checkpoint is finished
  // and uploaded beside it, and its reply is final only once saved. A task killed in that overlap has
  // streamed the first reply but not made it final: the next task answers both messages, each once.
  it("loses nothing when the task dies while the next turn runs beside the previous turn's checkpoint", async () => {
    const wakeFor = (messages: Array<{ clientMessageId: string; text: string }>) =>
      wiring.wake(
        USER_OVERLAP,
        messages.map((m) => ({ ...m, conversationId: "conv-crash" })),
        { OPENCLAW_READY_TIMEOUT_MS: "400000" },
      );
    // This user's checkpoint uploads are held, so the first turn's checkpoint is not saved before the kill.
    const put = stores.blobs.put.bind(stores.blobs);
    const held: Array<(err: Error) => void> = [];
    let holding = true;
    stores.blobs.put = (key, body) =>
      holding && key.startsWith(checkpointPrefix(USER_OVERLAP))
        ? new Promise((_, reject) => held.push(reject))
        : put(key, body);
    let killed: ReturnType<ManagedProcess["crash"]> | undefined;
    let finalsAtKill: string[] = [];
    const finals = () =>
      pushed.flatMap((p) => (p.body.type === "chat.final" ? [String(p.body.clientMessageId)] : []));
    try {
      const first = await wakeFor([
        {
          clientMessageId: "overlap-1",
          text: `remember the word QUINCE ${shell("echo PLUM-3 > overlap-note.txt")}`,
        },
        { clientMessageId: "overlap-2", text: "[slow:100] [long:600] tell me a long story" },
      ]);
      wiring.onPush = (body) => {
        if (body.type === "chat.delta" && body.clientMessageId === "overlap-2" && !killed) {
          finalsAtKill = finals();
          killed = first.crash();
        }
      };
      await waitUntil(
        "the second turn streaming",
        async () => {
          // A failed boot would wait on its held shutdown checkpoint: fail now, with the reason.
          if (first.logs().includes('"boot failed"'))
            throw new Error(`the task's boot failed:\n${first.tail()}`);
          return killed !== undefined;
        },
        { timeoutMs: 540_000, process: first },
      ).catch((error: unknown) => {
        if (!killed) throw error;
      });
      expect((await killed)?.signal).toBe("SIGKILL");
      // The first reply streamed in full, but was not final: its checkpoint was not saved.
      expect(pushed.some((p) => p.body.type === "chat.delta" && p.body.clientMessageId === "overlap-1")).toBe(
        true,
      );
      expect(finalsAtKill).not.toContain("overlap-1");
      expect(first.logs()).not.toContain("checkpoint saved");
      expect(held.length).toBeGreaterThan(0);
    } finally {
      wiring.onPush = () => undefined;
      holding = false;
      for (const reject of held.splice(0)) reject(new Error("the task that uploaded this is gone"));
      stores.blobs.put = put;
    }
    const row = await stores.taskState.get(USER_OVERLAP);
    await stores.taskState.transition({
      userId: USER_OVERLAP,
      expectState: row.state,
      set: { state: "Idle" },
    });

    const second = await wakeFor([
      { clientMessageId: "overlap-3", text: `what is in the note? ${shell("cat overlap-note.txt")}` },
    ]);
    expect(await finalOf(second, "overlap-3")).toContain("PLUM-3");
    // Every message answered exactly once: the interrupted two by the second task, in order.
    const answered = finals().filter((id) => id.startsWith("overlap-"));
    expect(answered).toEqual(["overlap-1", "overlap-2", "overlap-3"]);
    expect(await stores.pending.list(USER_OVERLAP)).toEqual([]);
    expect(second.logs()).not.toContain("turn already answered");
    await second.stop({ graceMs: 60_000 });
  }, 1_200_000);
  // The window between a checkpoint's upload and storing its turn: the task dies the moment the
  // manifest naming the turn is saved, before it hears back. The restored state already holds the turn
  // (the line the agent's shell appended, the answer in OpenClaw's session) while its message is still
  // pending. The next task sends the reply the manifest recorded, once, and does not run the agent on
  // the message again (before, it did: the LLM got the prompt a second time and the shell appended the
  // line twice).
  it("answers a message the restored state already answered without running the agent on it again", async () => {
    const put = stores.blobs.put.bind(stores.blobs);
    let first: ManagedProcess | undefined;
    let killed: ReturnType<ManagedProcess["crash"]> | undefined;
    stores.blobs.put = async (key, body) => {
      await put(key, body);
      if (key !== manifestKey(USER_WINDOW) || !first || killed) return;
      killed = first.crash();
      // Never answered: the task is gone before it can store the turn.
      await new Promise(() => undefined);
    };
    try {
      first = await wake(
        "window-1",
        `remember the word GRAPE ${shell("echo APPLE-1 >> window-note.txt")}`,
        USER_WINDOW,
      );
      const proc = first;
      await waitUntil(
        "the checkpoint's manifest saved, and the task killed",
        async () => killed !== undefined,
        {
          timeoutMs: 540_000,
          process: proc,
        },
      ).catch((error: unknown) => {
        if (!killed) throw error;
      });
      expect((await killed)?.signal).toBe("SIGKILL");
    } finally {
      stores.blobs.put = put;
    }
    // The reply streamed but was never final nor stored; the message is still pending.
    const finals = (id: string) =>
      pushed.filter((p) => p.body.type === "chat.final" && p.body.clientMessageId === id);
    expect(finals("window-1")).toEqual([]);
    expect(await stores.conversations.findReply(USER_WINDOW, "conv-crash", "window-1")).toBeUndefined();
    expect((await stores.pending.list(USER_WINDOW)).map((m) => m.clientMessageId)).toEqual(["window-1"]);
    // The saved manifest names the turn its state holds, with the reply the agent gave.
    const saved = await readManifest(stores.blobs, USER_WINDOW);
    expect(saved?.turns?.map((t) => t.reply.clientMessageId)).toEqual(["window-1"]);
    expect(saved?.turns?.[0]?.reply.text).toContain("Tool output");
    const row = await stores.taskState.get(USER_WINDOW);
    await stores.taskState.transition({
      userId: USER_WINDOW,
      expectState: row.state,
      set: { state: "Idle" },
    });

    const sent = wiring.llm.chatRequests().length;
    const second = await wake(
      "window-2",
      `what is in the note? ${shell("cat window-note.txt")}`,
      USER_WINDOW,
    );
    const note = await finalOf(second, "window-2");
    // The line was appended once: the agent's shell did not run the first message again.
    expect(note.match(/APPLE-1/g)).toHaveLength(1);
    // Exactly one reply to the first message: the one the restored state holds, stored once.
    expect(finals("window-1")).toHaveLength(1);
    expect(String(finals("window-1")[0]?.body.text)).toBe(saved?.turns?.[0]?.reply.text);
    expect((await stores.conversations.findReply(USER_WINDOW, "conv-crash", "window-1"))?.text).toBe(
      saved?.turns?.[0]?.reply.text,
    );
    // No request of the second task was about the first message (its session still holds it).
    const requests = wiring.llm.chatRequests().slice(sent);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((r) => r.userText.includes("GRAPE"))).toEqual([]);
    expect(JSON.stringify(requests.map((r) => r.messages))).toContain("GRAPE");
    expect(second.logs()).toContain("turn already in the restored state");
    expect(await stores.pending.list(USER_WINDOW)).toEqual([]);
    await second.stop({ graceMs: 60_000 });
  }, 1_200_000);
});
