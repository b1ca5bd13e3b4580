import { escapeSlackText, slackEscapedWidth } from "@serverless-openclaw/gateway/agent";
import { fuzzRuns } from "@serverless-openclaw/testkit/fuzz";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitText } from "../../src/sinks/editing-sink";

const unescapeSlack = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
const hostileText = fc
  .array(fc.constantFrom("&", "<", ">", "!channel", "a", "word ", "\n", "|", "https://x"), { maxLength: 400 })
  .map((parts) => parts.join(""));

describe("splitText", () => {
  it("keeps every piece within the limit as the platform counts it, and loses nothing (property)", () => {
    fc.assert(
      fc.property(hostileText, fc.integer({ min: 5, max: 80 }), (text, max) => {
        const pieces = splitText(text, max, slackEscapedWidth);
        expect(pieces.join("")).toBe(text);
        for (const piece of pieces) expect(escapeSlackText(piece).length).toBeLessThanOrEqual(max);
      }),
      { numRuns: fuzzRuns(300) },
    );
  });

  it("escapes exactly Slack's three characters, reversibly, leaving no control sequence (property)", () => {
    fc.assert(
      fc.property(fc.oneof(hostileText, fc.string({ maxLength: 200 })), (text) => {
        const escaped = escapeSlackText(text);
        expect(escaped).not.toMatch(/[<>]/);
        expect(escaped.replace(/&(amp|lt|gt);/g, "")).not.toContain("&");
        expect(unescapeSlack(escaped)).toBe(text);
        expect(escaped.length).toBe([...text].reduce((n, c) => n + slackEscapedWidth(c), 0));
      }),
      { numRuns: fuzzRuns(300) },
    );
  });

  it("without a width, counts characters as before", () => {
    expect(splitText("aaaa bbbb cccc", 10)).toEqual(["aaaa bbbb", " cccc"]);
    expect(splitText("x".repeat(25), 10)).toEqual(["x".repeat(10), "x".repeat(10), "x".repeat(5)]);
  });
});
