import { existsSync, readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type FakeLlm, startFakeLlm } from "../../src/fake-llm";
import { type OpenClawInstance, openclawRuntime, startOpenClaw } from "../../src/openclaw";
import { sseData } from "../../src/sse";

// One real OpenClaw gateway for the whole file: it takes 15–80 s to boot on a shared 2-core machine, and
// its first turns are slow too (seconds idle, close to a minute when other suites load the CPU).
describe("startOpenClaw with the fake LLM", { timeout: 180_000 }, () => {
  let llm: FakeLlm;
  let openclaw: OpenClawInstance;

  beforeAll(async () => {
    llm = await startFakeLlm();
    openclaw = await startOpenClaw({ llmBaseUrl: llm.baseUrl });
  }, 200_000);
  beforeEach(() => llm.reset());
  afterAll(async () => {
    await openclaw?.stop();
    await llm?.stop();
  });

  it("finds the pinned runtime", () => {
    const runtime = openclawRuntime();
    expect(runtime.version).toMatch(/^\d{4}\.\d+\.\d+/);
    expect(runtime.openclawEntry).toMatch(/openclaw\.mjs$/);
  });

  it("is ready on loopback and requires its token", async () => {
    expect((await fetch(`${openclaw.baseUrl}/readyz`)).status).toBe(200);
    const anonymous = await fetch(`${openclaw.baseUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "openclaw/default", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(anonymous.status).toBe(401);
  });

  it("answers a chat turn with the fake LLM's reply, and sends the history on the next turn", async () => {
    const first = await openclaw.chat("what is the capital of Peru", { sessionKey: "history" });
    expect(first).toContain("echo: what is the capital of Peru");
    expect(llm.chatRequests().at(-1)?.userText).toBe("what is the capital of Peru");

    const second = await openclaw.chat("and of Chile", { sessionKey: "history" });
    expect(second).toContain("echo: and of Chile (turns: 2, history: what is the capital of Peru)");
    const request = llm.chatRequests().at(-1);
    const texts = request?.messages.map((m) => (typeof m.content === "string" ? m.content : "")) ?? [];
    expect(texts.some((t) => t.includes("what is the capital of Peru"))).toBe(true);
    expect(texts).toContain(first);
  });

  it("keeps sessions apart", async () => {
    await openclaw.chat("only in session A", { sessionKey: "a" });
    const reply = await openclaw.chat("first in session B", { sessionKey: "b" });
    expect(reply).toContain("(turns: 1, history: none)");
  });

  it("streams a reply over SSE", async () => {
    const response = await fetch(`${openclaw.baseUrl}/v1/chat/completions`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${openclaw.token}`,
        "x-openclaw-session-key": "stream",
      },
      body: JSON.stringify({
        model: "openclaw/default",
        stream: true,
        messages: [{ role: "user", content: "one two three four five" }],
      }),
    });
    expect(response.status).toBe(200);
    let text = "";
    let deltas = 0;
    if (response.body) {
      for await (const data of sseData(response.body)) {
        const event = JSON.parse(data) as { choices?: { delta?: { content?: string } }[] };
        const piece = event.choices?.[0]?.delta?.content;
        if (piece) {
          text += piece;
          deltas += 1;
        }
      }
    }
    expect(deltas).toBeGreaterThan(0);
    expect(text).toContain("echo: one two three four five");
  });

  it("runs a tool the fake LLM asks for and returns the result", async () => {
    const reply = await openclaw.chat('list the workspace [tool:ls:{"path":"."}]', { sessionKey: "tool" });
    const [call, followUp] = llm.chatRequests();
    expect(call?.behaviour?.kind).toBe("tool");
    expect(followUp?.messages.some((m) => m.role === "tool")).toBe(true);
    expect(reply).toContain("AGENTS.md");
  });

  // Last: it stops the shared instance (afterAll's stop() is then a no-op).
  it("stops every process it started, including workers outside its process group", async () => {
    const pid = openclaw.process.pid;
    const pids = descendantsOf(pid);
    expect(pids.length).toBeGreaterThan(0);
    await openclaw.stop();
    // SIGKILLed processes vanish from /proc once reaped, a moment after the signal.
    await vi.waitFor(() => expect([pid, ...pids].filter((p) => isAlive(p))).toEqual([]), { timeout: 5_000 });
  });
});

/** True for a live process (a zombie awaiting its reaper counts as dead). */
function isAlive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** The pids under `pid`, from procfs. */
function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // Exited while we looked.
    }
  }
  const found: number[] = [];
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const [child, parent] of parents) {
      if (parent === next) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}
