import { fuzzRuns } from "@serverless-openclaw/testkit/fuzz";
import fc from "fast-check";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown } from "../../src/chat/markdown";
import { scanInline } from "../../src/chat/markdown-inline";

// A reply is rendered again on every streamed delta, and the agent chooses its text: rendering must
// cost time linear in the text. Wall-clock limits would fail on a busy machine and pass a slow
// algorithm on a fast one, so the budget is relative: going from SMALL to LARGE characters (32×),
// the renderer's CPU time may grow at most SLACK times as much as a linear-time baseline's, measured
// in the same test on the same machine. A quadratic renderer grows 1024× against the baseline's 32×.
const SMALL = 1_000;
const LARGE = 32_000;
const SLACK = 5;

const render = (text: string) => renderToStaticMarkup(<Markdown text={text} />);

/** Linear-time baseline: React rendering the same text as one element per three characters. */
function baseline(text: string): string {
  const spans = [];
  for (let i = 0; i < text.length; i += 3) spans.push(<span key={i}>{text.slice(i, i + 3)}</span>);
  return renderToStaticMarkup(<div>{spans}</div>);
}

/**
 * CPU time of one call (this process's user + system time, not wall time: on a busy machine the
 * process is descheduled, and that inflates a long run more than a short one). Calls repeat until
 * 20 ms of CPU is spent, so small and large inputs are measured alike; the lesser of two is kept.
 */
function cpuPerCall(run: () => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 2; round++) {
    const start = process.cpuUsage();
    let calls = 0;
    let spent = 0;
    do {
      run();
      calls++;
      const used = process.cpuUsage(start);
      spent = (used.user + used.system) / 1000;
    } while (spent < 20);
    best = Math.min(best, spent / calls);
  }
  return best;
}

const upTo = (unit: string, size: number) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

/** How much faster than the baseline the renderer's time grows from SMALL to LARGE (≤ 1 is linear). */
function growthOverBaseline(unit: string): number {
  const small = upTo(unit, SMALL);
  const large = upTo(unit, LARGE);
  render(small); // warm up the JIT on this shape
  baseline(small);
  const rendered = cpuPerCall(() => render(large)) / cpuPerCall(() => render(small));
  const linear = cpuPerCall(() => baseline(large)) / cpuPerCall(() => baseline(small));
  return rendered / linear;
}

/** Measured up to three times: one slow measurement on a loaded machine is not a verdict. */
function scalesLinearly(unit: string): boolean {
  for (let attempt = 0; attempt < 3; attempt++) if (growthOverBaseline(unit) <= SLACK) return true;
  return false;
}

const PIECES = [
  "*",
  "**",
  "_",
  "__",
  "~~",
  "`",
  "``",
  "[",
  "]",
  "(",
  ")",
  "](",
  "a",
  "b_c",
  " ",
  "  ",
  "\n",
  "\u2028",
  "# ",
  "#",
  "> ",
  "- ",
  "1. ",
  "---",
  "http://",
  "https://x.example/",
  ".",
];

// The inputs the review measured (one 32k-character line of unmatched markers), and the block-level
// ones that backtracked: a heading full of spaces or of #s, a rule that is not one, deep quotes.
const KNOWN_SLOW = [
  "*a ",
  "[a ",
  " _a",
  "`a ``",
  "**a ",
  "~~a ",
  "[a](",
  "http://a",
  "# a                x",
  "# a###############b",
  "- - - - - - - - - x",
  "> ",
  "- a\n  ",
];

describe("Markdown rendering cost", () => {
  it("grows linearly with the text for markers that never close (property)", () => {
    const unit = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 10 }).map((p) => p.join(""));
    fc.assert(
      fc.property(unit, (u) => {
        expect(scalesLinearly(u), `rendering ${JSON.stringify(u)} repeated grows faster than linear`).toBe(
          true,
        );
      }),
      { numRuns: fuzzRuns(8), examples: KNOWN_SLOW.map((u) => [u]) },
    );
  }, 600_000);

  it("renders quotes nested deeper than it draws as text, and ends", () => {
    const html = render(`${"> ".repeat(12)}deep`);
    expect(html.match(/<blockquote>/g)).toHaveLength(6);
    expect(html).toContain("deep");
  });

  it("keeps the earlier rules: nearest closer wins, snake_case is no emphasis, code spans pair by length", () => {
    const kinds = (text: string) => scanInline(text).map((t) => t.kind);
    expect(scanInline("**a** b**")).toEqual([
      { kind: "strong", inner: "a" },
      { kind: "text", text: " b**" },
    ]);
    expect(kinds("my_long_name")).toEqual(["text"]);
    expect(scanInline("``a`b`` `c`")).toEqual([
      { kind: "code", text: "a`b" },
      { kind: "text", text: " " },
      { kind: "code", text: "c" },
    ]);
    expect(scanInline("see https://x.example/a_b. ok")).toEqual([
      { kind: "text", text: "see " },
      { kind: "url", url: "https://x.example/a_b" },
      { kind: "text", text: ". ok" },
    ]);
    expect(scanInline("[a](b c)")).toEqual([{ kind: "text", text: "[a](b c)" }]);
    expect(scanInline("* a*")).toEqual([{ kind: "text", text: "* a*" }]);
  });
});
