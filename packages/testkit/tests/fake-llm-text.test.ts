import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { behaviourFromText } from "../src/fake-llm-behaviour";
import {
  echoReply,
  extractUserText,
  INTERNAL_CONTEXT_MARKER,
  stripOpenClawDecorations,
} from "../src/fake-llm-text";

const userText = fc.string({ minLength: 0, maxLength: 200 }).filter((t) => !t.includes("\n\nRuntime: "));
const timestamp = fc
  .record({
    day: fc.constantFrom("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    date: fc.date({ min: new Date("2000-01-01"), max: new Date("2099-12-31"), noInvalidDate: true }),
    zone: fc.constantFrom("UTC", "GMT+2", "Europe/Paris"),
  })
  .map(({ day, date, zone }) => `[${day} ${date.toISOString().slice(0, 16).replace("T", " ")} ${zone}] `);

describe("the fake LLM's reading of OpenClaw's messages", () => {
  it("recovers exactly what the user typed from a decorated message", () => {
    fc.assert(
      fc.property(userText, timestamp, fc.boolean(), fc.string(), (text, stamp, first, runtime) => {
        const decorated = `${stamp}${text}${first ? `\n\nRuntime: ${runtime}` : ""}`;
        expect(stripOpenClawDecorations(decorated)).toBe(text);
      }),
    );
  });

  it("skips the internal-context block wherever it sits after the user's message", () => {
    fc.assert(
      fc.property(userText, fc.string(), (text, context) => {
        const messages = [
          { role: "system", content: "prompt" },
          { role: "user", content: `[Wed 2026-11-25 11:24 UTC] ${text}` },
          { role: "user", content: [{ type: "text", text: `${INTERNAL_CONTEXT_MARKER}${context}` }] },
        ];
        expect(extractUserText(messages)).toBe(text);
        expect(echoReply(messages).startsWith(`echo: ${text} (turns: 1,`)).toBe(true);
      }),
    );
  });

  it("never throws on arbitrary text when choosing a behaviour", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(["reply", "fail", "hang", "tool"]).toContain(behaviourFromText(text).kind);
      }),
    );
  });

  it("reads tool arguments that contain brackets", () => {
    expect(behaviourFromText('go [tool:read:{"paths":["a","b"]}] now')).toEqual({
      kind: "tool",
      name: "read",
      args: { paths: ["a", "b"] },
    });
  });
});
