// Renders TeX with KaTeX at export time, so the page needs no script to show math.
import katex from "katex";
import { escapeHtml } from "./sanitize.js";

/** Renders `tex` to HTML and MathML; a TeX error shows the source in red instead of failing the export. */
export function renderTex(tex: string, displayMode: boolean): string {
  try {
    return katex.renderToString(tex, { displayMode, throwOnError: true, output: "htmlAndMathml", trust: false, strict: "ignore" });
  } catch (error) {
    const message = error instanceof katex.ParseError ? error.message : String(error);
    return `<span class="tex-error" title="${escapeHtml(message)}">${escapeHtml(tex)}</span>`;
  }
}

/**
 * Renders a text/latex output: "$$…$$", "\[…\]" and environments such as "\begin{align}" in
 * display mode, "$…$" inline.
 */
export function renderLatexOutput(text: string): string {
  const trimmed = text.trim();
  const display = /^\$\$([\s\S]*)\$\$$/.exec(trimmed) ?? /^\\\[([\s\S]*)\\\]$/.exec(trimmed);
  if (display !== null) return renderTex(display[1], true);
  const inline = /^\$([\s\S]*)\$$/.exec(trimmed) ?? /^\\\(([\s\S]*)\\\)$/.exec(trimmed);
  if (inline !== null) return renderTex(inline[1], false);
  return renderTex(trimmed, true);
}
