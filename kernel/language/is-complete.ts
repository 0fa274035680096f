// Decides is_complete_request: whether a console should run the code or ask for another line.
import type * as TS from "typescript";

const OPENERS = new Set(["(", "[", "{"]);
const CLOSERS = new Set([")", "]", "}"]);

export function checkComplete(ts: typeof TS, code: string): Record<string, unknown> {
  if (code.trim() === "") return { status: "complete" };

  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, false, ts.LanguageVariant.Standard, code);
  const open: string[] = [];
  let unbalanced = false;
  let unterminated = false;
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    const text = scanner.getTokenText();
    if (token === ts.SyntaxKind.TemplateHead) {
      open.push("${");
    } else if (token === ts.SyntaxKind.CloseBraceToken && open[open.length - 1] === "${") {
      // The scanner returns a close brace first. Inside a template it continues the template.
      if (scanner.reScanTemplateToken(false) === ts.SyntaxKind.TemplateTail) open.pop();
    } else if (OPENERS.has(text)) {
      open.push(text);
    } else if (CLOSERS.has(text)) {
      if (open.pop() === undefined) unbalanced = true;
    }
    if (scanner.isUnterminated()) unterminated = true;
  }
  const depth = open.length;
  if (unbalanced) return { status: "invalid" };
  if (depth > 0 || unterminated) return { status: "incomplete", indent: "  ".repeat(Math.max(depth, 0)) };

  const file = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.ES2022, false);
  const diagnostics = (file as unknown as { parseDiagnostics?: TS.Diagnostic[] }).parseDiagnostics ?? [];
  if (diagnostics.length === 0) return { status: "complete" };
  const end = code.trimEnd().length;
  const atEnd = diagnostics.every((diagnostic) => (diagnostic.start ?? 0) >= end);
  return atEnd ? { status: "incomplete", indent: "" } : { status: "invalid" };
}
