// The page's CSS: one readable column that fits a phone; wide content scrolls inside its own box.
export const PAGE_CSS = `
:root { color-scheme: light; --border: #d0d7de; --muted: #57606a; --code-bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.6 -apple-system, "Segoe UI", Roboto, "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; background: #fff; }
main { max-width: 56rem; margin: 0 auto; padding: 1rem; }
.cell { margin: 0 0 1rem; min-width: 0; }
.prompt { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--muted); margin-bottom: 0.2rem; }
pre { margin: 0; padding: 0.6rem 0.8rem; overflow-x: auto; font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre; }
.source pre { background: var(--code-bg); border: 1px solid var(--border); border-radius: 6px; }
.output { margin-top: 0.4rem; overflow-x: auto; max-width: 100%; }
.output.stderr { background: #fff8c5; }
.output.error { background: #ffebe9; border-left: 3px solid #cf222e; }
.image { max-width: 100%; height: auto; display: block; }
.html table, .markdown table { border-collapse: collapse; font-size: 14px; }
.html th, .html td, .markdown th, .markdown td { border: 1px solid var(--border); padding: 0.25rem 0.5rem; text-align: right; }
.markdown { overflow-wrap: break-word; }
.markdown table { display: block; overflow-x: auto; }
.markdown img { max-width: 100%; height: auto; }
.markdown code { background: var(--code-bg); padding: 0.1em 0.3em; border-radius: 4px; font-size: 90%; }
.markdown pre code { background: none; padding: 0; }
.math-display, .katex-display { overflow-x: auto; overflow-y: hidden; }
.plotly-figure { width: 100%; min-height: 360px; }
.tex-error { color: #cf222e; font-family: monospace; }
.failed-banner { border: 1px solid #cf222e; background: #ffebe9; padding: 0.6rem 0.8rem; border-radius: 6px; margin-bottom: 1rem; }
@media (max-width: 40rem) {
  main { padding: 0.5rem; }
  pre { font-size: 12px; }
  .plotly-figure { min-height: 280px; }
}
@media print { .plotly-figure { break-inside: avoid; } }
`;
