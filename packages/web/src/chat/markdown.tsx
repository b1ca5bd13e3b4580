import { type ReactNode, useMemo, useState } from "react";

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
  const nodes = useMemo(() => renderBlocks(text.replace(/\r\n?/g, "\n").split("\n"), 0, "b"), [text]);
  return <div className="md">{nodes}</div>;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
const QUOTE = /^ {0,3}> ?(.*)$/;
const LIST_ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])\s+(.*)$/;

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
    const heading = HEADING.exec(line);
    if (heading) {
      const level = (heading[1] as string).length;
      const Tag = `h${Math.min(level + 2, 6)}` as "h3";
      out.push(<Tag key={key()}>{renderInline(heading[2] as string, depth, true)}</Tag>);
      i++;
      continue;
    }
    if (RULE.test(line)) {
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
      if (current.trim() === "" || FENCE.test(current) || HEADING.test(current) || QUOTE.test(current)) break;
      if (para.length > 0 && (LIST_ITEM.test(current) || RULE.test(current))) break;
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

// One alternative per inline construct; the earliest match wins, text between is literal.
const INLINE =
  /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)|\*\*(\S(?:[\s\S]*?\S)?)\*\*|~~(\S(?:[\s\S]*?\S)?)~~|\*(\S(?:[\s\S]*?\S)?)\*|(?<![\w])_(\S(?:[\s\S]*?\S)?)_(?![\w])|\[([^\]\n]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>()]*[^\s<>().,;:!?'"*_~`])/;

export function renderInline(text: string, depth: number, allowLinks: boolean): ReactNode[] {
  const out: ReactNode[] = [];
  let rest = text;
  let n = 0;
  while (rest.length > 0) {
    const m = INLINE.exec(rest);
    if (!m) {
      out.push(rest);
      break;
    }
    if (m.index > 0) out.push(rest.slice(0, m.index));
    const k = `i${n++}`;
    const inner = (s: string, links = allowLinks) =>
      depth < MAX_DEPTH ? renderInline(s, depth + 1, links) : s;
    if (m[2] !== undefined) out.push(<code key={k}>{m[2]}</code>);
    else if (m[3] !== undefined) out.push(<strong key={k}>{inner(m[3])}</strong>);
    else if (m[4] !== undefined) out.push(<del key={k}>{inner(m[4])}</del>);
    else if (m[5] !== undefined) out.push(<em key={k}>{inner(m[5])}</em>);
    else if (m[6] !== undefined) out.push(<em key={k}>{inner(m[6])}</em>);
    else if (m[7] !== undefined) {
      const href = allowLinks ? safeHref(m[8] as string) : undefined;
      out.push(
        href ? (
          <a key={k} href={href} target="_blank" rel="noopener noreferrer nofollow">
            {inner(m[7], false)}
          </a>
        ) : (
          m[0]
        ),
      );
    } else if (m[9] !== undefined) {
      const href = allowLinks ? safeHref(m[9]) : undefined;
      out.push(
        href ? (
          <a key={k} href={href} target="_blank" rel="noopener noreferrer nofollow">
            {m[9]}
          </a>
        ) : (
          m[9]
        ),
      );
    }
    rest = rest.slice(m.index + m[0].length);
  }
  return out;
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
