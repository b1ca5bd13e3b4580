import { messageText } from "@serverless-openclaw/testkit";
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentStack, startAgentStack } from "./agent-stack";
import { RecordingSocket } from "./ws-client";

/**
 * Custom skills end to end: a skill uploaded through the HTTP API is installed by the agent task at
 * boot and loaded by the real OpenClaw (it shows up in the system prompt the fake LLM receives, and a
 * scripted `read` tool call returns the skill's own file); changes made while the agent runs reach it
 * (custom skills live; a built-in switch by a restart once the agent is idle, docs/skills.md).
 */

const WAKE_TIMEOUT_MS = 240_000;
const TURN_TIMEOUT_MS = 120_000;
// How long a live skill change may take to show in the agent's prompt on a loaded machine.
const PROMPT_CHANGE_TIMEOUT_MS = 300_000;
const CONVERSATION = "skills-e2e";

let agent: AgentStack;
let socket: RecordingSocket;
let seq = 0;

const skillZip = (name: string, description: string, body: string) =>
  zipSync({
    [`${name}/SKILL.md`]: strToU8(`---\nname: ${name}\ndescription: ${description}\n---\n\n${body}\n`),
  });

/** Sends one message and returns its final reply and the system prompt OpenClaw sent the LLM for it. */
async function turn(text: string): Promise<{ reply: string; prompt: string }> {
  const clientMessageId = `m-${++seq}`;
  const before = agent.llm.chatRequests().length;
  socket.send({ type: "chat.send", conversationId: CONVERSATION, clientMessageId, text });
  const final = await socket.waitFor(
    `chat.final for ${clientMessageId}`,
    (e) => (e.type === "chat.final" || e.type === "chat.error") && e.clientMessageId === clientMessageId,
    WAKE_TIMEOUT_MS + TURN_TIMEOUT_MS,
    agent.tail,
  );
  expect(final, JSON.stringify(final)).toMatchObject({ type: "chat.final" });
  // This turn's first request to the LLM (not one OpenClaw might make in the background).
  const request = agent.llm
    .chatRequests()
    .slice(before)
    .find((r) => r.userText.includes(text));
  const prompt = (request?.messages ?? [])
    .filter((m) => m.role === "system")
    .map(messageText)
    .join("\n");
  return { reply: String(final.text), prompt };
}

const listed = (prompt: string, name: string) => prompt.includes(`<name>${name}</name>`);

/**
 * Turns until the agent's prompt satisfies `check`. A live change lands within a turn or two on an idle
 * machine; on a loaded one the agent's skill sync and OpenClaw's reload take much longer, so this waits
 * on a deadline (not a number of tries), with a pause between turns that grows to a few seconds.
 * `check` returns what is still wrong with a prompt (nothing once it is right).
 */
async function untilPrompt(check: (prompt: string) => string[], what: string): Promise<string> {
  const deadline = Date.now() + PROMPT_CHANGE_TIMEOUT_MS;
  for (let i = 0; ; i++) {
    const { prompt } = await turn(`checking ${what} (${i})`);
    const wrong = check(prompt);
    if (wrong.length === 0) return prompt;
    if (Date.now() > deadline)
      throw new Error(
        `the agent's prompt never showed ${what} within ${PROMPT_CHANGE_TIMEOUT_MS / 1000} s (still: ${wrong.join(", ")})\n` +
          agent.grep(/skill|config|push|connected|disconnected|reconnect|socket|could not|failed|error/i),
      );
    await new Promise((r) => setTimeout(r, Math.min(5_000, 500 * (i + 1))));
  }
}

beforeAll(async () => {
  agent = await startAgentStack("skills-e2e");
});

afterAll(async () => {
  await socket?.close();
  await agent?.stop();
});

describe("custom skills, end to end (local mode, real container and OpenClaw, fake LLM)", () => {
  it("installs an uploaded skill at boot, OpenClaw loads it, and live changes reach the running agent", async () => {
    // ── before the agent runs: upload a skill, switch a built-in off ──
    const put = await agent.api(
      "PUT",
      "/skills/zebra-facts",
      skillZip(
        "zebra-facts",
        "Answers questions about zebras (marker QUOKKA-7731).",
        "Secret body SKILL-BODY-4242.",
      ),
    );
    expect(put.status, JSON.stringify(put.json)).toBe(201);
    expect(put.json.applied).toBe("next-start");
    expect((await agent.api("PATCH", "/skills/weather", { enabled: false })).status).toBe(200);
    const hostile = await agent.api("PUT", "/skills/evil", zipSync({ "../SKILL.md": strToU8("x") }));
    expect(hostile.status).toBe(422);

    // ── a message wakes the agent; OpenClaw's prompt lists the skill, not the switched-off built-in ──
    socket = await RecordingSocket.open(`${agent.stack.wsUrl}?token=${encodeURIComponent(agent.token)}`);
    const first = await turn("hello");
    expect(first.reply).toContain("echo: hello");
    expect(listed(first.prompt, "zebra-facts"), agent.tail()).toBe(true);
    expect(first.prompt).toContain("QUOKKA-7731");
    expect(listed(first.prompt, "weather")).toBe(false);
    expect(listed(first.prompt, "skill-creator")).toBe(true); // other built-ins stay on

    // ── the fake LLM calls OpenClaw's read tool on the skill's file: the tool reaches the skill ──
    const location = /<name>zebra-facts<\/name>[\s\S]*?<location>([^<]+)<\/location>/.exec(first.prompt)?.[1];
    expect(location).toMatch(/\/skills\/zebra-facts\/SKILL\.md$/);
    const read = await turn(`[tool:read:${JSON.stringify({ path: location })}]`);
    // The turn ends with the tool's output: the installed SKILL.md, frontmatter and body.
    expect(read.reply).toContain("name: zebra-facts");
    expect(read.reply).toContain("SKILL-BODY-4242");

    // ── while it runs: a new skill, the built-in back on, the first skill deleted ──
    const live = await agent.api(
      "PUT",
      "/skills/otter-facts",
      skillZip("otter-facts", "Otters (marker OTTER-5150).", "x"),
    );
    expect(live.json.applied).toBe("now");
    expect((await agent.api("PATCH", "/skills/weather", { enabled: true })).json.applied).toBe("now");
    expect((await agent.api("DELETE", "/skills/zebra-facts")).json.applied).toBe("now");
    const after = await untilPrompt(
      (p) => [
        ...(listed(p, "otter-facts") ? [] : ["otter-facts missing"]),
        ...(listed(p, "weather") ? [] : ["weather missing"]),
        ...(listed(p, "zebra-facts") ? ["zebra-facts listed"] : []),
      ],
      "otter-facts and weather, without zebra-facts",
    );
    expect(after).toContain("OTTER-5150");
  }, 900_000);
});
