// Renders Markdown with TeX math: $…$ and $$…$$ go through KaTeX, the rest through marked,
// and the HTML is sanitized unless the notebook is trusted.
import DOMPurify from "dompurify";
import katex from "katex";
import { marked } from "marked";

const MATH = /\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\]|\$([^$\n]+?)\$|\\\(([\s\S]+?)\\\)/g;

/** Returns KaTeX HTML for `tex`; a TeX error shows as red text rather than an exception. */
export function renderTex(tex: string, displayMode: boolean): string {
  return katex.renderToString(tex, { displayMode, throwOnError: false, output: "htmlAndMathml" });
}

export function renderMarkdown(source: string, trusted: boolean): string {
  const formulas: string[] = [];
  const withPlaceholders = source.replace(MATH, (_match, display: string | undefined, bracket: string | undefined, inline: string | undefined, paren: string | undefined) => {
    const tex = display ?? bracket ?? inline ?? paren ?? "";
    formulas.push(renderTex(tex, display !== undefined || bracket !== undefined));
    return `PARAMLABMATH${formulas.length - 1}END`;
  });
  const html = marked.parse(withPlaceholders, { async: false, gfm: true }) as string;
  const safe = trusted ? html : sanitize(html);
  return safe.replace(/PARAMLABMATH(\d+)END/g, (_match, index: string) => formulas[Number(index)]);
}

export function sanitize(html: string): string {
  return DOMPurify.sanitize(html, { ADD_ATTR: ["target"] });
}

/** Strips an outer $…$ or $$…$$ from a text/latex output. */
export function latexBody(text: string): { tex: string; display: boolean } {
  const trimmed = text.trim();
  const display = /^\$\$([\s\S]*)\$\$$/.exec(trimmed);
  if (display !== null) return { tex: display[1], display: true };
  const inline = /^\$([\s\S]*)\$$/.exec(trimmed);
  if (inline !== null) return { tex: inline[1], display: false };
  return { tex: trimmed, display: true };
}
