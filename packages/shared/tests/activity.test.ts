import { describe, expect, it } from "vitest";
import {
  ACTIVITY_LIMITS,
  activityLine,
  previewOf,
  summarizeToolArgs,
  type ToolActivity,
  ToolActivitySchema,
  toolResultText,
  upsertActivity,
} from "../src/activity";

const call = (over: Partial<ToolActivity> = {}): ToolActivity => ({
  id: "c1",
  name: "exec",
  summary: "ls",
  status: "running",
  startedAt: "2026-11-25T12:00:00.000Z",
  at: 0,
  ...over,
});

describe("tool activity", () => {
  it("summarizes a call's arguments in one line: the command, the path, else compact JSON", () => {
    expect(summarizeToolArgs({ command: "echo hi\n  && ls", workdir: "/x" })).toBe("echo hi && ls");
    expect(summarizeToolArgs({ path: "notes/a.md", content: "long" })).toBe("notes/a.md");
    expect(summarizeToolArgs({ a: 1 })).toBe('{"a":1}');
    expect(summarizeToolArgs({})).toBe("");
    expect(summarizeToolArgs(undefined)).toBe("");
    const long = summarizeToolArgs({ command: "x".repeat(1000) });
    expect(long).toHaveLength(ACTIVITY_LIMITS.summaryChars);
    expect(long.endsWith("…")).toBe(true);
  });

  it("reads the text of OpenClaw's tool results and cuts the preview", () => {
    expect(
      toolResultText({
        content: [{ type: "text", text: "a" }, { type: "image" }, { type: "text", text: "b" }],
      }),
    ).toBe("a\nb");
    expect(toolResultText("plain")).toBe("plain");
    expect(toolResultText({ x: 1 })).toBe('{"x":1}');
    expect(previewOf("y".repeat(5000))).toHaveLength(ACTIVITY_LIMITS.previewChars);
  });

  it("replaces a call by id, keeps its place in the text, and caps a turn's list", () => {
    const list = upsertActivity([call({ at: 5 })], call({ status: "done", durationMs: 30, at: 99 }));
    expect(list).toEqual([call({ status: "done", durationMs: 30, at: 5 })]);
    let many: ToolActivity[] = [];
    for (let i = 0; i < ACTIVITY_LIMITS.maxPerTurn + 5; i++)
      many = upsertActivity(many, call({ id: `c${i}` }));
    expect(many).toHaveLength(ACTIVITY_LIMITS.maxPerTurn);
    expect(ToolActivitySchema.array().safeParse(many).success).toBe(true);
  });

  it("renders the compact line chat platforms show, without breaking the code span", () => {
    expect(activityLine(call({ summary: "echo `hi`", status: "done" }))).toBe("⚙ exec `echo 'hi'` ✓");
    expect(activityLine(call({ summary: "" }))).toBe("⚙ exec …");
    expect(activityLine(call({ status: "failed" }))).toBe("⚙ exec `ls` ✗");
  });
});
