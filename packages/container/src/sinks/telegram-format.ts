/** Telegram refuses messages longer than this (UTF-16 code units after entity parsing). */
export const TELEGRAM_MAX_CHARS = 4096;

/**
 * Splits a reply into Telegram-sized pieces whose concatenation is the reply, byte for byte.
 * A piece ends at a line break (or else a space) in its last quarter when there is one, and never
 * between the halves of a surrogate pair. The cut depends only on the first `max` characters of
 * what is left, so while a reply streams, pieces that are full never change.
 */
export function splitForTelegram(text: string, max = TELEGRAM_MAX_CHARS): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    const floor = Math.floor(max * 0.75);
    let cut = window.lastIndexOf("\n") + 1;
    if (cut <= floor) cut = window.lastIndexOf(" ") + 1;
    if (cut <= floor) cut = max;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1; // keep a surrogate pair together
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length > 0 || pieces.length === 0) pieces.push(rest);
  return pieces;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const FENCE = /^ {0,3}(```+|~~~+)\s*([\w+#.-]*)\s*$/;

/**
 * The Markdown most model replies use, as Telegram HTML: fenced and inline code, bold, italic,
 * strikethrough, links and headings. Every other character is escaped, and every tag opened is
 * closed, so the result always parses (an unclosed fence, common mid-stream, runs to the end).
 * `openFence` renders the text as the inside of a code block that an earlier piece opened.
 */
export function markdownToTelegramHtml(markdown: string, openFence?: { lang: string }): string {
  const out: string[] = [];
  let code: { lang: string; lines: string[] } | undefined = openFence
    ? { lang: openFence.lang, lines: [] }
    : undefined;
  const closeCode = () => {
    if (!code) return;
    const cls = code.lang ? ` class="language-${escapeHtml(code.lang)}"` : "";
    out.push(`<pre><code${cls}>${escapeHtml(code.lines.join("\n"))}</code></pre>`);
    code = undefined;
  };
  for (const line of markdown.split("\n")) {
    const fence = FENCE.exec(line);
    if (code) {
      if (fence && !fence[2]) closeCode();
      else code.lines.push(line);
      continue;
    }
    if (fence) {
      code = { lang: fence[2] ?? "", lines: [] };
      continue;
    }
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    out.push(heading ? `<b>${inline(heading[1] ?? "")}</b>` : inline(line));
  }
  closeCode();
  // Lines were pushed one per entry, code blocks as one: join them back with the line breaks.
  return out.join("\n");
}

/** Whether a piece ends inside a fenced code block (and with which language). */
export function fenceStateAfter(
  markdown: string,
  openFence?: { lang: string },
): { lang: string } | undefined {
  let open = openFence;
  for (const line of markdown.split("\n")) {
    const fence = FENCE.exec(line);
    if (!fence) continue;
    if (open && !fence[2]) open = undefined;
    else if (!open) open = { lang: fence[2] ?? "" };
  }
  return open;
}

const INLINE =
  /`([^`\n]+)`|\*\*(?=\S)([^*\n]+?)\*\*|__(?=\S)([^_\n]+?)__|~~(?=\S)([^~\n]+?)~~|\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)|(?<![\w*])\*(?=\S)([^*\n]+?)\*(?![\w*])|(?<![\w_])_(?=\S)([^_\n]+?)_(?![\w_])/g;

function inline(text: string): string {
  let out = "";
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    out += escapeHtml(text.slice(last, m.index));
    last = m.index + m[0].length;
    const [, code, bold, bold2, strike, linkText, href, italic, italic2] = m;
    if (code !== undefined) out += `<code>${escapeHtml(code)}</code>`;
    else if (bold !== undefined || bold2 !== undefined) out += `<b>${escapeHtml(bold ?? bold2 ?? "")}</b>`;
    else if (strike !== undefined) out += `<s>${escapeHtml(strike)}</s>`;
    else if (linkText !== undefined && href !== undefined)
      out += `<a href="${escapeHtml(href).replace(/"/g, "&quot;")}">${escapeHtml(linkText)}</a>`;
    else out += `<i>${escapeHtml(italic ?? italic2 ?? "")}</i>`;
  }
  return out + escapeHtml(text.slice(last));
}
