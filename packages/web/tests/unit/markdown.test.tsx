import { fuzzRuns } from "@serverless-openclaw/testkit/fuzz";
import fc from "fast-check";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown, safeHref } from "../../src/chat/markdown";

const render = (text: string) => renderToStaticMarkup(<Markdown text={text} />);

const ALLOWED_TAGS = new Set([
  "div",
  "p",
  "br",
  "span",
  "h3",
  "h4",
  "h5",
  "h6",
  "ul",
  "ol",
  "li",
  "blockquote",
  "hr",
  "pre",
  "code",
  "strong",
  "em",
  "del",
  "a",
  "button",
]);
const ALLOWED_ATTRS = new Set(["class", "href", "target", "rel", "start", "type", "aria-label"]);

/** Every tag React emitted (text `<` is escaped to &lt;, so a literal `<` is always a real tag). */
function tags(html: string): { name: string; attrs: [string, string][] }[] {
  return [...html.matchAll(/<([a-zA-Z0-9]+)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*\/?>/g)].map((m) => ({
    name: (m[1] as string).toLowerCase(),
    attrs: [...(m[2] as string).matchAll(/([^\s=>]+)(?:="([^"]*)")?/g)].map((a) => [
      (a[1] as string).toLowerCase(),
      a[2] ?? "",
    ]),
  }));
}

function assertSafe(html: string) {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<(iframe|img|svg|object|embed|style|form|input|math)/i);
  for (const tag of tags(html)) {
    expect(ALLOWED_TAGS, `tag <${tag.name}> in ${html}`).toContain(tag.name);
    for (const [name, value] of tag.attrs) {
      expect(name.startsWith("on"), `event attribute ${name}`).toBe(false);
      expect(ALLOWED_ATTRS, `attribute ${name} in ${html}`).toContain(name);
      if (name === "href") expect(value).toMatch(/^(https?:|mailto:)/);
    }
  }
  expect(html).not.toMatch(/href="\s*(javascript|data|vbscript):/i);
}

const HOSTILE = [
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  '<a href="javascript:alert(1)">x</a>',
  "[x](javascript:alert(1))",
  "[x](JaVaScRiPt:alert(1))",
  "[x](java\tscript:alert(1))",
  "[x](data:text/html,<b>)",
  "[x](vbscript:msgbox)",
  '[x](https://ok.example/"onmouseover="alert(1))',
  'https://a.example/?q="><script>',
  '" onclick="alert(1)',
  "' onfocus='x'",
  "<svg onload=alert(1)>",
  "<iframe src=//evil>",
  "&lt;script&gt;",
  "**",
  "*",
  "_",
  "`",
  "```",
  "```html\n",
  "~~",
  "\n",
  "\n\n",
  "> ",
  "- ",
  "1. ",
  "# ",
  "[",
  "](",
  ")",
  "http://x.example/a_b*c",
  "mailto:a@b.example",
  " ",
  "text",
  "<",
  ">",
  "&",
  '"',
  "'",
];

describe("Markdown rendering is safe", () => {
  it("never emits script, event handlers, foreign tags or non-http(s) links (property)", () => {
    const hostileText = fc
      .array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 8 })), { maxLength: 40 })
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(hostileText, (text) => assertSafe(render(text))),
      { numRuns: fuzzRuns(600) },
    );
  });

  it("shows HTML in a message as text", () => {
    const html = render("hi <img src=x onerror=alert(1)> <script>alert(1)</script>");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).toContain("&lt;script&gt;");
    assertSafe(html);
  });

  it("keeps a javascript: link as plain text", () => {
    const html = render("[click](javascript:alert(1))");
    expect(html).not.toContain("<a");
    expect(html).toContain("[click](javascript:alert(1))");
  });

  it("accepts only http, https and mailto URLs", () => {
    expect(safeHref("https://example.com/x")).toBe("https://example.com/x");
    expect(safeHref("mailto:me@example.com")).toBe("mailto:me@example.com");
    for (const bad of [
      "javascript:alert(1)",
      " javascript:alert(1)",
      "java\nscript:x",
      "data:text/html,x",
      "/relative",
      "ftp://x",
    ])
      expect(safeHref(bad)).toBeUndefined();
  });
});

describe("Markdown rendering covers chat replies", () => {
  it("renders fenced code blocks with their text escaped", () => {
    const html = render('Here:\n```ts\nconst a = 1 < 2 && "<b>";\n```\ndone');
    expect(html).toContain("<pre><code>const a = 1 &lt; 2 &amp;&amp; &quot;&lt;b&gt;&quot;;</code></pre>");
    expect(html).toContain("<span>ts</span>");
    expect(html).toContain("<p><span>done</span></p>");
  });

  it("shows an unclosed fence (still streaming) as code", () => {
    expect(render("```\nline 1\nline 2")).toContain("<pre><code>line 1\nline 2</code></pre>");
  });

  it("renders inline code, emphasis, strike-through and links", () => {
    const html = render(
      "**bold** *it* _it2_ ~~gone~~ `a*b*c` [docs](https://example.com/docs) https://x.example/y.",
    );
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain("<em>it</em>");
    expect(html).toContain("<em>it2</em>");
    expect(html).toContain("<del>gone</del>");
    expect(html).toContain("<code>a*b*c</code>");
    expect(html).toContain(
      '<a href="https://example.com/docs" target="_blank" rel="noopener noreferrer nofollow">docs</a>',
    );
    expect(html).toContain(
      '<a href="https://x.example/y" target="_blank" rel="noopener noreferrer nofollow">https://x.example/y</a>.',
    );
  });

  it("does not treat snake_case words as emphasis", () => {
    expect(render("call my_long_name now")).not.toContain("<em>");
  });

  it("renders lists, nested lists, quotes, headings and rules", () => {
    const html = render("# Title\n\n- one\n- two\n  - two.a\n\n3. three\n4. four\n\n> quoted\n\n---");
    expect(html).toContain("<h3>Title</h3>");
    expect(html).toMatch(
      /<ul><li><span>one<\/span><\/li><li><p><span>two<\/span><\/p><ul><li><span>two\.a<\/span><\/li><\/ul><\/li><\/ul>/,
    );
    expect(html).toContain('<ol start="3"><li><span>three</span></li><li><span>four</span></li></ol>');
    expect(html).toContain("<blockquote><p><span>quoted</span></p></blockquote>");
    expect(html).toContain("<hr/>");
  });

  it("keeps single line breaks inside a paragraph", () => {
    expect(render("a\nb")).toBe('<div class="md"><p><span>a</span><br/><span>b</span></p></div>');
  });
});
