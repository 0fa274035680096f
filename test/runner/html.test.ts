import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../lab/runner/html/markdown.js";
import { renderLatexOutput } from "../../lab/runner/html/math.js";
import { renderHtml } from "../../lab/runner/html/page.js";
import { sanitizeHtml } from "../../lab/runner/html/sanitize.js";
import type { Cell, Notebook, Output } from "../../lab/runner/notebook.js";

describe("sanitizeHtml", () => {
  const cases: [string, string, string][] = [
    ["keeps tables", "<table><tr><td colspan=2>1</td></tr></table>", '<table><tr><td colspan="2">1</td></tr></table>'],
    ["drops scripts with their content", "a<script>alert(1)</script>b", "ab"],
    ["drops an unclosed script to the end", "a<script>alert(1)", "a"],
    ["drops styles", "<style>body{display:none}</style>x", "x"],
    ["drops event handlers", '<b onclick="alert(1)">x</b>', "<b>x</b>"],
    ["drops javascript links", '<a href="javascript:alert(1)">x</a>', "<a>x</a>"],
    ["drops encoded javascript links", '<a href="&#106;avascript:alert(1)">x</a>', "<a>x</a>"],
    ["keeps https links", '<a href="https://example.org/?a=1&amp;b=2">x</a>', '<a href="https://example.org/?a=1&amp;b=2">x</a>'],
    ["drops remote images", '<img src="http://example.org/x.png" onerror="alert(1)">', "<img>"],
    ["keeps data images", '<img src="data:image/png;base64,AAAA">', '<img src="data:image/png;base64,AAAA">'],
    ["drops unknown tags but keeps text", "<blink>hi</blink>", "hi"],
    ["drops iframes", '<iframe src="https://example.org"></iframe>x', "x"],
    ["escapes stray brackets", "1 < 2 > 0", "1 &lt; 2 &gt; 0"],
    ["escapes a broken tag", '<img src="x" onerror=alert(1)//', '&lt;img src="x" onerror=alert(1)//'],
    ["keeps entities", "&lambda; &amp; &#955;", "&lambda; &amp; &#955;"],
    ["escapes bare ampersands", "a & b", "a &amp; b"],
    ["closes open elements", "<div><b>x", "<div><b>x</b></div>"],
    ["ignores unmatched end tags", "x</div></main>", "x"],
    ["drops url() in style", '<span style="background:url(http://e.org/a)">x</span>', "<span>x</span>"],
    ["keeps plain style", '<span style="color:red">x</span>', '<span style="color:red">x</span>'],
    ["drops comments", "a<!-- <script>x</script> -->b", "ab"],
    ["keeps svg shapes", '<svg viewBox="0 0 2 2"><path d="M0 0L1 1" /></svg>', '<svg viewBox="0 0 2 2"><path d="M0 0L1 1" /></svg>'],
    ["drops svg scripts", "<svg><script>alert(1)</script></svg>", "<svg></svg>"],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      expect(sanitizeHtml(input)).toBe(expected);
    });
  }
});

describe("renderMarkdown", () => {
  it("renders inline and display math with KaTeX", () => {
    const { html, hasMath } = renderMarkdown("Energy $E = mc^2$ and\n\n$$\\sum_{i=1}^n i$$\n");
    expect(hasMath).toBe(true);
    expect(html).toContain('<span class="katex">');
    expect(html).toContain('<span class="katex-display">');
    expect(html).toContain("<annotation encoding=\"application/x-tex\">E = mc^2</annotation>");
  });

  it("keeps dollar amounts as text", () => {
    const { html, hasMath } = renderMarkdown("It costs $5 and $10.");
    expect(hasMath).toBe(false);
    expect(html).toBe("<p>It costs $5 and $10.</p>\n");
  });

  it("keeps underscores inside math", () => {
    const { html } = renderMarkdown("$a_1 + a_2$ and _b_");
    expect(html).toContain("a_1 + a_2</annotation>");
    expect(html).toContain("<em>b</em>");
  });

  it("sanitizes raw HTML", () => {
    const { html } = renderMarkdown('Hi <script>alert(1)</script><img src=x onerror="alert(2)">');
    expect(html).not.toMatch(/script|onerror|alert/);
  });

  it("shows a TeX error instead of failing", () => {
    const { html } = renderMarkdown("$\\frac{1$");
    expect(html).toContain('class="tex-error"');
  });

  it("inlines attachments", () => {
    const { html } = renderMarkdown("![dot](attachment:dot.png)", { "dot.png": { "image/png": "iVBORw0KGgo=" } });
    expect(html).toContain('src="data:image/png;base64,iVBORw0KGgo="');
  });
});

describe("renderLatexOutput", () => {
  it("renders $$ as display math", () => {
    expect(renderLatexOutput("$$x^2$$")).toContain("katex-display");
  });

  it("renders $ as inline math", () => {
    expect(renderLatexOutput("$x^2$")).not.toContain("katex-display");
  });
});

function codeCell(outputs: Output[], count = 1): Cell {
  return { id: "cell-a", cell_type: "code", metadata: {}, source: "x <b>", outputs, execution_count: count };
}

function page(cells: Cell[]): string {
  const notebook: Notebook = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells };
  return renderHtml(notebook);
}

describe("renderHtml", () => {
  it("sets a viewport and a strict content security policy", () => {
    const html = page([codeCell([])]);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toMatch(/content="default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; script-src 'nonce-[A-Za-z0-9+/=]+'/);
    expect(html).toContain("<code>x &lt;b&gt;</code>");
    expect(html).toContain("In [1]:");
  });

  it("inlines Plotly and KaTeX only when needed", () => {
    const plain = page([codeCell([{ output_type: "stream", name: "stdout", text: ["hi\n"] }])]);
    expect(plain).not.toContain("@font-face");
    expect(plain).not.toContain("<script");
    const figure = { data: [{ x: [1], y: [2], name: "</script><script>alert(1)</script>" }] };
    const rich = page([codeCell([
      { output_type: "display_data", data: { "application/vnd.plotly.v1+json": figure, "text/plain": ["fig"] }, metadata: {} },
      { output_type: "execute_result", data: { "text/latex": ["$$x$$"], "text/plain": ["x"] }, metadata: {}, execution_count: 1 },
    ])]);
    expect(rich).toContain("url(data:font/woff2;base64,");
    expect(rich).not.toMatch(/url\(fonts\//);
    expect(rich).toMatch(/<div class="plotly-figure" id="(plot-[0-9a-f]{8}-1)"><\/div><script type="application\/json" data-plot="\1">/);
    expect(rich).toContain("\\u003c/script>\\u003cscript>alert(1)");
  });

  it("embeds PNG images and rejects bad base64", () => {
    const html = page([codeCell([
      { output_type: "display_data", data: { "image/png": ["iVBORw0K\n", "Ggo=\n"], "text/plain": ["img"] }, metadata: {} },
      { output_type: "display_data", data: { "image/jpeg": ['"><script>alert(1)</script>'] }, metadata: {} },
    ])]);
    expect(html).toContain('<img class="image" alt="figure" src="data:image/png;base64,iVBORw0KGgo=">');
    expect(html).toContain("<pre>invalid image/jpeg data</pre>");
    expect(html).not.toContain("alert(1)");
  });

  it("falls back when a Plotly figure is not JSON", () => {
    const html = page([codeCell([{ output_type: "display_data", data: { "application/vnd.plotly.v1+json": "{broken", "text/plain": ["Figure"] }, metadata: {} }])]);
    expect(html).toContain("<pre>Figure</pre>");
    expect(html).not.toContain("<script");
  });

  it("renders ANSI colors and escapes stream text", () => {
    const html = page([codeCell([{ output_type: "stream", name: "stderr", text: ["\u001b[31m<red>\u001b[0m\n"] }])]);
    expect(html).toContain('<pre class="output stream stderr"><span style="color:rgb(187,0,0)">&lt;red&gt;</span>');
  });

  it("shows SVG as an image and sanitizes HTML outputs", () => {
    const html = page([codeCell([
      { output_type: "display_data", data: { "image/svg+xml": ["<svg><script>alert(1)</script></svg>"] }, metadata: {} },
      { output_type: "display_data", data: { "text/html": ["<p onclick='x()'>p</p><script>alert(2)</script>"] }, metadata: {} },
    ])]);
    expect(html).toContain('<img class="image" alt="figure" src="data:image/svg+xml;base64,');
    expect(html).toContain('<div class="html"><p>p</p></div>');
    expect(html).not.toContain("alert(2)");
  });

  it("names the failed cell in a banner", () => {
    const notebook: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { paramlab: { status: "failed", failed_cell: { id: "cell-a", index: 0, ename: "Error", evalue: "<boom>" } } },
      cells: [codeCell([])],
    };
    expect(renderHtml(notebook)).toContain('stopped at <a href="#cell-cell-a">a cell</a> that raised Error: &lt;boom&gt;');
  });
});
