/**
 * The inline half of the chat's Markdown: splits one line into text, code spans, emphasis, links and
 * bare URLs, in time linear in its length. A reply streams in and is re-rendered on every delta, and
 * an agent can be steered into writing anything, so no input may cost more than a pass or two: the
 * closer of every construct is looked up in a table built right to left in one pass, instead of a
 * regex that searches the rest of the line again from every unmatched `*`, `_`, `[` or backtick.
 *
 * The rules (what the earlier regex did, kept): at each position the first construct that can close
 * wins, in this order: code span, `**strong**`, `~~strike~~`, `*em*`, `_em_`, `[label](url)`, bare
 * http(s) URL; the closer is the nearest one allowed; emphasis must not start or end inside with a
 * space; `_` emphasis is not taken inside words (snake_case). A code span is a backtick run closed by
 * the next run of the same length, as in CommonMark.
 */

export type InlineToken =
  | { kind: "text"; text: string }
  | { kind: "code"; text: string }
  | { kind: "strong" | "del" | "em"; inner: string }
  | { kind: "link"; label: string; href: string; raw: string }
  | { kind: "url"; url: string };

// JavaScript's \s, by code unit.
const SPACE = /\s/;
const isWord = (c: number) =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const URL_STOP = new Set(["<", ">", "(", ")"]);
const URL_TRAILING = new Set([".", ",", ";", ":", "!", "?", "'", '"', "*", "_", "~", "`"]);

/** out[p] = the smallest j >= p with at(j), or -1; one pass from the right. */
function nextWhere(n: number, at: (j: number) => boolean): Int32Array {
  const out = new Int32Array(n + 1);
  out[n] = -1;
  for (let j = n - 1; j >= 0; j--) out[j] = at(j) ? j : (out[j + 1] as number);
  return out;
}

export function scanInline(text: string): InlineToken[] {
  const n = text.length;
  const space = new Uint8Array(n);
  for (let j = 0; j < n; j++) space[j] = SPACE.test(text[j] as string) ? 1 : 0;
  const ch = (j: number) => text[j] ?? "";
  const nonSpace = (j: number) => j >= 0 && j < n && space[j] === 0;
  // Closers: the delimiter, preceded by a non-space (the emphasis ends on a non-space).
  const strongAt = nextWhere(n, (j) => ch(j) === "*" && ch(j + 1) === "*" && nonSpace(j - 1));
  const delAt = nextWhere(n, (j) => ch(j) === "~" && ch(j + 1) === "~" && nonSpace(j - 1));
  const starAt = nextWhere(n, (j) => ch(j) === "*" && nonSpace(j - 1));
  const underAt = nextWhere(
    n,
    (j) => ch(j) === "_" && nonSpace(j - 1) && !(j + 1 < n && isWord(text.charCodeAt(j + 1))),
  );
  const bracketAt = nextWhere(n, (j) => ch(j) === "]");
  const newlineAt = nextWhere(n, (j) => ch(j) === "\n");
  const parenOrSpaceAt = nextWhere(n, (j) => ch(j) === ")" || space[j] === 1);
  const urlStopAt = nextWhere(n, (j) => space[j] === 1 || URL_STOP.has(ch(j)));
  const tickRunEnd = nextWhere(n, (j) => ch(j) !== "`");
  // lastUrlEnd[p]: the largest q <= p a URL may end on (not space, bracket or trailing punctuation).
  const lastUrlEnd = new Int32Array(n);
  for (let q = 0; q < n; q++) {
    const c = ch(q);
    const good = space[q] === 0 && !URL_STOP.has(c) && !URL_TRAILING.has(c);
    lastUrlEnd[q] = good ? q : q > 0 ? (lastUrlEnd[q - 1] as number) : -1;
  }
  // Code spans: each backtick run (maximal) closes at the next run of the same length.
  const codeClose = new Map<number, number>();
  const nextRunOfLength = new Map<number, number>();
  for (let j = n - 1; j >= 0; j--) {
    if (ch(j) !== "`" || ch(j - 1) === "`") continue;
    const length = runEnd(j) - j;
    const close = nextRunOfLength.get(length);
    if (close !== undefined) codeClose.set(j, close);
    nextRunOfLength.set(length, j);
  }
  function runEnd(j: number): number {
    const end = tickRunEnd[j] as number;
    return end < 0 ? n : end;
  }
  const next = (table: Int32Array, from: number) => (from <= n ? (table[from] as number) : -1);

  const tokens: InlineToken[] = [];
  let textFrom = 0;
  let i = 0;
  const take = (token: InlineToken, end: number) => {
    if (i > textFrom) tokens.push({ kind: "text", text: text.slice(textFrom, i) });
    tokens.push(token);
    i = end;
    textFrom = end;
  };
  while (i < n) {
    const c = text[i];
    if (c === "`") {
      const end = runEnd(i);
      const close = ch(i - 1) === "`" ? undefined : codeClose.get(i);
      if (close === undefined)
        i = end; // an unmatched run is literal, all of it
      else take({ kind: "code", text: text.slice(end, close) }, close + (end - i));
      continue;
    }
    if ((c === "*" || c === "~") && ch(i + 1) === c && nonSpace(i + 2)) {
      const close = next(c === "*" ? strongAt : delAt, i + 3);
      if (close >= 0) {
        take({ kind: c === "*" ? "strong" : "del", inner: text.slice(i + 2, close) }, close + 2);
        continue;
      }
    }
    if (c === "*" && nonSpace(i + 1)) {
      const close = next(starAt, i + 2);
      if (close >= 0) {
        take({ kind: "em", inner: text.slice(i + 1, close) }, close + 1);
        continue;
      }
    }
    if (c === "_" && !(i > 0 && isWord(text.charCodeAt(i - 1))) && nonSpace(i + 1)) {
      const close = next(underAt, i + 2);
      if (close >= 0) {
        take({ kind: "em", inner: text.slice(i + 1, close) }, close + 1);
        continue;
      }
    }
    if (c === "[") {
      const close = next(bracketAt, i + 1);
      const newline = next(newlineAt, i + 1);
      if (close > i + 1 && (newline < 0 || newline > close) && ch(close + 1) === "(") {
        const end = next(parenOrSpaceAt, close + 2);
        if (end > close + 2 && ch(end) === ")") {
          const href = text.slice(close + 2, end);
          const raw = text.slice(i, end + 1);
          take({ kind: "link", label: text.slice(i + 1, close), href, raw }, end + 1);
          continue;
        }
      }
    }
    if (c === "h" && (text.startsWith("http://", i) || text.startsWith("https://", i))) {
      const from = i + (text[i + 4] === "s" ? 8 : 7);
      const stop = next(urlStopAt, from);
      const runStop = stop < 0 ? n : stop;
      const last = runStop > from ? (lastUrlEnd[runStop - 1] as number) : -1;
      if (last >= from) {
        take({ kind: "url", url: text.slice(i, last + 1) }, last + 1);
        continue;
      }
    }
    i++;
  }
  if (n > textFrom) tokens.push({ kind: "text", text: text.slice(textFrom) });
  return tokens;
}
