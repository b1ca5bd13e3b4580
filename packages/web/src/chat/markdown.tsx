import { type ReactNode, useMemo, useState } from "react";
import { scanInline } from "./markdown-inline";

/**
 * A small Markdown renderer that cannot inject HTML, chosen over marked + DOMPurify:
 * - it never builds an HTML string: it returns React elements whose text React escapes, so
 *   `<script>`, `<img onerror>` and friends in agent or user text show up as literal text;
 * - it only emits a fixed set of elements (p, br, h1–h6, ul, ol, li, blockquote, hr, pre,
 *   code, strong, em, del, a) and never passes through attributes from the input;
 * - links keep only http:, https: and mailto: URLs (checked with the URL parser), so no
 *   `javascript:` or `data:` URL can be clicked;
 * - it costs ~2 KB instead of ~30 KB gzipped, which keeps the initial bundle within budget.
 * It covers what chat replies use (fences, inline code, emphasis, lists, quotes, headings,
 * links); anything else renders as plain text, which is the safe failure.
 * Its cost is linear in the text (inline constructs: markdown-inline.ts; block patterns are anchored
 * and cannot backtrack over a line more than once), because a streamed reply is rendered again on
 * every delta and the agent decides what the text is.
 */

const MAX_DEPTH = 6;
const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

export function safeHref(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export function Markdown({ text }: { text: string }) {
  // Every line terminator becomes \n, so `.` in the block patterns below always reaches the line's end.
  const nodes = useMemo(
    () => renderBlocks(text.replace(/\r\n?|[\u2028\u2029]/g, "\n").split("\n"), 0, "b"),
    [text],
  );
  return <div className="md">{nodes}</div>;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)/;
const HEADING = /^ {0,3}(#{1,6})\s/;
const RULE = /^ {0,3}([-*_])[-*_\s]*$/;
const QUOTE = /^ {0,3}> ?(.*)$/;
const LIST_ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])\s+(.*)$/;

/** `# Title ##` → level 1, "Title" (closing #s dropped); done by hand: a lazy regex was cubic on spaces. */
function heading(line: string): { level: number; text: string } | undefined {
  const m = HEADING.exec(line);
  if (!m) return undefined;
  const text = line.slice(m[0].length).trim();
  let end = text.length;
  while (end > 0 && text[end - 1] === "#") end--;
  return { level: (m[1] as string).length, text: text.slice(0, end).trimEnd() };
}

/** Three or more of one of - * _ and nothing else but spaces. */
function isRule(line: string): boolean {
  const m = RULE.exec(line);
  if (!m) return false;
  const c = m[1] as string;
  let count = 0;
  for (const ch of line) {
    if (ch === c) count++;
    else if (ch.trim() !== "") return false;
  }
  return count >= 3;
}

function renderBlocks(lines: string[], depth: number, keyPrefix: string): ReactNode[] {
  const out: ReactNode[] = [];
  let i = 0;
  const key = () => `${keyPrefix}${out.length}`;
  while (i < lines.length) {
    const line = lines[i] as string;
    if (line.trim() === "") {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1] as string;
      const body: string[] = [];
      i++;
      // An unclosed fence runs to the end: a streaming reply shows its code block as it grows.
      while (i < lines.length && !(lines[i] as string).trimStart().startsWith(marker))
        body.push(lines[i++] as string);
      i++;
      out.push(<CodeBlock key={key()} code={body.join("\n")} lang={fence[2] ?? ""} />);
      continue;
    }
    const head = heading(line);
    if (head) {
      const Tag = `h${Math.min(head.level + 2, 6)}` as "h3";
      out.push(<Tag key={key()}>{renderInline(head.text, depth, true)}</Tag>);
      i++;
      continue;
    }
    if (isRule(line)) {
      out.push(<hr key={key()} />);
      i++;
      continue;
    }
    if (QUOTE.test(line) && depth < MAX_DEPTH) {
      const body: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i] as string))
        body.push(QUOTE.exec(lines[i++] as string)?.[1] ?? "");
      out.push(<blockquote key={key()}>{renderBlocks(body, depth + 1, `${key()}q`)}</blockquote>);
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item && depth < MAX_DEPTH) {
      const ordered = /\d/.test((item[2] as string)[0] as string);
      const items: string[][] = [];
      while (i < lines.length) {
        const current = lines[i] as string;
        const m = LIST_ITEM.exec(current);
        const sibling = m && (m[1] as string).length <= (item[1] as string).length + 1;
        if (m && sibling && /\d/.test((m[2] as string)[0] as string) === ordered) {
          items.push([m[3] as string]);
          i++;
        } else if (items.length > 0 && /^\s{2,}\S/.test(current)) {
          items[items.length - 1]?.push(current.replace(/^\s{2,4}/, ""));
          i++;
        } else if (current.trim() === "" && /^\s{2,}\S/.test(lines[i + 1] ?? "")) {
          items[items.length - 1]?.push("");
          i++;
        } else break;
      }
      const children = items.map((body, n) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: items are positional and never reordered
        <li key={n}>{renderItem(body, depth + 1, `${key()}l${n}`)}</li>
      ));
      const start = ordered ? Number.parseInt(item[2] as string, 10) : undefined;
      out.push(
        ordered ? (
          <ol key={key()} start={start !== 1 ? start : undefined}>
            {children}
          </ol>
        ) : (
          <ul key={key()}>{children}</ul>
        ),
      );
      continue;
    }
    const para: string[] = [];
    while (i < lines.length) {
      const current = lines[i] as string;
      // A quote nested deeper than MAX_DEPTH is paragraph text (breaking on it would never advance).
      const quote = QUOTE.test(current) && depth < MAX_DEPTH;
      if (current.trim() === "" || FENCE.test(current) || heading(current) || quote) break;
      if (para.length > 0 && (LIST_ITEM.test(current) || isRule(current))) break;
      para.push(current.trim());
      i++;
    }
    out.push(<p key={key()}>{withBreaks(para, depth)}</p>);
  }
  return out;
}

function renderItem(body: string[], depth: number, keyPrefix: string): ReactNode {
  // A one-paragraph item renders inline (tight list); anything more is parsed as blocks.
  if (body.every((l) => l.trim() !== "" && !LIST_ITEM.test(l) && !FENCE.test(l)))
    return withBreaks(body, depth);
  return renderBlocks(body, depth, keyPrefix);
}

function withBreaks(lines: string[], depth: number): ReactNode[] {
  const out: ReactNode[] = [];
  lines.forEach((line, n) => {
    // biome-ignore lint/suspicious/noArrayIndexKey: line breaks are positional
    if (n > 0) out.push(<br key={`br${n}`} />);
    // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
    out.push(<span key={`s${n}`}>{renderInline(line, depth, true)}</span>);
  });
  return out;
}

export function renderInline(text: string, depth: number, allowLinks: boolean): ReactNode[] {
  const inner = (s: string, links = allowLinks) =>
    depth < MAX_DEPTH ? renderInline(s, depth + 1, links) : s;
  return scanInline(text).map((token, n) => {
    const k = `i${n}`;
    switch (token.kind) {
      case "text":
        return token.text;
      case "code":
        return <code key={k}>{token.text}</code>;
      case "strong":
        return <strong key={k}>{inner(token.inner)}</strong>;
      case "del":
        return <del key={k}>{inner(token.inner)}</del>;
      case "em":
        return <em key={k}>{inner(token.inner)}</em>;
      case "link": {
        const href = allowLinks ? safeHref(token.href) : undefined;
        return href ? (
          <a key={k} href={href} target="_blank" rel="noopener noreferrer nofollow">
            {inner(token.label, false)}
          </a>
        ) : (
          token.raw
        );
      }
      default: {
        // a bare URL
        const href = allowLinks ? safeHref(token.url) : undefined;
        return href ? (
          <a key={k} href={href} target="_blank" rel="noopener noreferrer nofollow">
            {token.url}
          </a>
        ) : (
          token.url
        );
      }
    }
  });
}

function CodeBlock({ code, lang }: { code: string; lang: string }) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    void navigator.clipboard?.writeText(code).then(() => {
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    });
  };
  return (
    <div className="code-block">
      <div className="code-bar">
        <span>{lang}</span>
        <button type="button" className="link-button" onClick={copy} aria-label="Copy code">
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <pre>
        <code>{code}</code>
      </pre>
    </div>
  );
}
