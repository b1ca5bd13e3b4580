import {
  fenceStateAfter,
  markdownToTelegramHtml,
  splitForTelegram,
} from "@serverless-openclaw/container/sinks";
import { parseHtml } from "@serverless-openclaw/testkit/fake-bot-api";
import { fuzzRuns } from "@serverless-openclaw/testkit/fuzz";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const markdownish = fc
  .array(
    fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.constantFrom(
        "**",
        "*",
        "_",
        "__",
        "`",
        "```",
        "```ts\n",
        "\n```\n",
        "~~",
        "[a](https://x.y/?q=1&r=<2>)",
        "# ",
        "\n",
        "<",
        ">",
        "&",
        '"',
      ),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(""));

describe("splitForTelegram", () => {
  it("returns pieces of at most max characters that concatenate to the input", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 3000 }),
        fc.integer({ min: 8, max: 600 }),
        (text, max) => {
          const pieces = splitForTelegram(text, max);
          expect(pieces.join("")).toBe(text);
          for (const p of pieces) expect(p.length).toBeLessThanOrEqual(max);
          // Surrogate pairs stay whole.
          for (const p of pieces.slice(0, -1)) {
            const last = p.charCodeAt(p.length - 1);
            expect(last >= 0xd800 && last <= 0xdbff).toBe(false);
          }
        },
      ),
      { numRuns: fuzzRuns(300) },
    );
  });

  it("never changes a full piece as the text grows (stable while streaming)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), fc.string({ maxLength: 500 }), (prefix, more) => {
        const before = splitForTelegram(prefix, 300);
        const after = splitForTelegram(prefix + more, 300);
        expect(after.slice(0, before.length - 1)).toEqual(before.slice(0, -1));
      }),
      { numRuns: fuzzRuns(300) },
    );
  });

  it("cuts at a line break near the end of the window", () => {
    const text = `${"a".repeat(4000)}\n${"b".repeat(200)}`;
    expect(splitForTelegram(text).map((p) => p.length)).toEqual([4001, 200]);
  });
});

describe("markdownToTelegramHtml", () => {
  it("always produces HTML Telegram parses, never longer (visibly) than the Markdown", () => {
    fc.assert(
      fc.property(markdownish, (md) => {
        const html = markdownToTelegramHtml(md);
        const visible = parseHtml(html);
        expect(visible).toBeDefined();
        expect(visible?.length ?? Infinity).toBeLessThanOrEqual(md.length);
      }),
      { numRuns: fuzzRuns(500) },
    );
  });

  it("renders the common constructs", () => {
    expect(markdownToTelegramHtml("# Title\n*it* _it_ ~~s~~ snake_case_name 2*3*4")).toBe(
      "<b>Title</b>\n<i>it</i> <i>it</i> <s>s</s> snake_case_name 2*3*4",
    );
    expect(markdownToTelegramHtml("```python\nif a < b:\n    pass\n```\nafter")).toBe(
      '<pre><code class="language-python">if a &lt; b:\n    pass</code></pre>\nafter',
    );
  });

  it("closes a code block that is still open (mid-stream) and carries it into the next piece", () => {
    const first = "text\n```js\nconst a = 1;\n";
    expect(markdownToTelegramHtml(first)).toBe(
      'text\n<pre><code class="language-js">const a = 1;\n</code></pre>',
    );
    const fence = fenceStateAfter(first);
    expect(fence).toEqual({ lang: "js" });
    expect(markdownToTelegramHtml("const b = a * 2;\n```\ndone", fence)).toBe(
      '<pre><code class="language-js">const b = a * 2;</code></pre>\ndone',
    );
  });
});
