// Renders markdown cells: marked for the markdown, KaTeX for the math, then the sanitizer.
import { randomBytes } from "node:crypto";
import { Marked, type TokenizerAndRendererExtension } from "marked";
import { renderTex } from "./math.js";
import { sanitizeHtml } from "./sanitize.js";

interface MathToken {
  type: "blockMath" | "inlineMath";
  raw: string;
  tex: string;
}

/** Math is rendered after sanitizing: the markdown pass leaves a placeholder with a random tag. */
class MathPlaceholders {
  readonly tag = `plmath${randomBytes(6).toString("hex")}`;
  readonly rendered: string[] = [];

  add(tex: string, display: boolean): string {
    this.rendered.push(renderTex(tex, display));
    return `${this.tag}:${this.rendered.length - 1}:`;
  }

  restore(html: string): string {
    return html.replace(new RegExp(`${this.tag}:(\\d+):`, "g"), (_, index: string) => this.rendered[Number(index)] ?? "");
  }
}

function mathExtensions(placeholders: MathPlaceholders): TokenizerAndRendererExtension[] {
  const block: TokenizerAndRendererExtension = {
    name: "blockMath",
    level: "block",
    start: (src) => src.match(/^ {0,3}(\$\$|\\\[)/m)?.index,
    tokenizer(src) {
      const match = /^ {0,3}\$\$([\s\S]+?)\$\$[ \t]*(?:\n|$)/.exec(src) ?? /^ {0,3}\\\[([\s\S]+?)\\\][ \t]*(?:\n|$)/.exec(src);
      if (match === null) return undefined;
      return { type: "blockMath", raw: match[0], tex: match[1] } satisfies MathToken;
    },
    renderer: (token) => `<div class="math-display">${placeholders.add((token as unknown as MathToken).tex, true)}</div>\n`,
  };
  const inline: TokenizerAndRendererExtension = {
    name: "inlineMath",
    level: "inline",
    start: (src) => src.match(/\$|\\\(/)?.index,
    tokenizer(src) {
      // "$$…$$" inside a paragraph is display math. "$…$" follows pandoc's rule, which allows no
      // space inside the dollars and no digit right after the closing one, so "$5 and $10" stays text.
      const match =
        /^\$\$([\s\S]+?)\$\$/.exec(src) ?? /^\$(?!\s)((?:\\.|[^\\$])+?)(?<!\s)\$(?!\d)/.exec(src) ?? /^\\\(([\s\S]+?)\\\)/.exec(src);
      if (match === null) return undefined;
      return { type: "inlineMath", raw: match[0], tex: match[1], display: match[0].startsWith("$$") } as MathToken;
    },
    renderer: (token) => placeholders.add((token as unknown as MathToken).tex, (token as unknown as { display: boolean }).display),
  };
  return [block, inline];
}

/**
 * Renders a markdown cell to sanitized HTML with KaTeX math. `attachments` maps the names in
 * "attachment:NAME" image links to their MIME bundles, which become data URLs.
 */
export function renderMarkdown(source: string, attachments: Record<string, Record<string, unknown>> = {}): { html: string; hasMath: boolean } {
  const placeholders = new MathPlaceholders();
  const marked = new Marked({ gfm: true, async: false });
  marked.use({ extensions: mathExtensions(placeholders) });
  const raw = marked.parse(source) as string;
  const html = sanitizeHtml(inlineAttachments(raw, attachments));
  return { html: placeholders.restore(html), hasMath: placeholders.rendered.length > 0 };
}

function inlineAttachments(html: string, attachments: Record<string, Record<string, unknown>>): string {
  return html.replace(/src="attachment:([^"]+)"/g, (whole, name: string) => {
    const bundle = attachments[decodeURIComponent(name)];
    const mime = bundle === undefined ? undefined : Object.keys(bundle).find((type) => type.startsWith("image/"));
    if (mime === undefined || bundle === undefined) return whole;
    const data = bundle[mime];
    return `src="data:${mime};base64,${(Array.isArray(data) ? data.join("") : String(data)).replace(/\s/g, "")}"`;
  });
}
