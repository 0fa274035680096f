// Decides whether a cell is plain JavaScript, which runs without the TypeScript emit step.
// Transpiling costs milliseconds per cell, while parsing and this walk take a fraction of that.
import type * as TS from "typescript";

/** Returns true when `file` parsed without errors and uses no TypeScript-only syntax. */
export function isPlainJavaScript(ts: typeof TS, file: TS.SourceFile): boolean {
  const diagnostics = (file as unknown as { parseDiagnostics?: TS.Diagnostic[] }).parseDiagnostics ?? [];
  if (diagnostics.length > 0) return false;
  const tsOnlyKinds = new Set<TS.SyntaxKind>([
    ts.SyntaxKind.InterfaceDeclaration,
    ts.SyntaxKind.TypeAliasDeclaration,
    ts.SyntaxKind.EnumDeclaration,
    ts.SyntaxKind.ModuleDeclaration,
    ts.SyntaxKind.ImportEqualsDeclaration,
    ts.SyntaxKind.TypeParameter,
    ts.SyntaxKind.AsExpression,
    ts.SyntaxKind.SatisfiesExpression,
    ts.SyntaxKind.TypeAssertionExpression,
    ts.SyntaxKind.NonNullExpression,
    ts.SyntaxKind.Decorator,
    ts.SyntaxKind.PublicKeyword,
    ts.SyntaxKind.PrivateKeyword,
    ts.SyntaxKind.ProtectedKeyword,
    ts.SyntaxKind.ReadonlyKeyword,
    ts.SyntaxKind.AbstractKeyword,
    ts.SyntaxKind.DeclareKeyword,
    ts.SyntaxKind.OverrideKeyword,
    ts.SyntaxKind.ExpressionWithTypeArguments,
  ]);
  let plain = true;
  const visit = (node: TS.Node): void => {
    if (!plain) return;
    if (tsOnlyKinds.has(node.kind) || ts.isTypeNode(node) || hasTypeScriptMarker(ts, node)) {
      plain = false;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return plain;
}

/** Optional (`?`) and definite (`!`) markers, type-only imports and exports, `export =`. */
function hasTypeScriptMarker(ts: typeof TS, node: TS.Node): boolean {
  const marked = node as { questionToken?: unknown; exclamationToken?: unknown };
  if ((ts.isParameter(node) || ts.isPropertyDeclaration(node) || ts.isMethodDeclaration(node)) && marked.questionToken !== undefined) {
    return true;
  }
  if (marked.exclamationToken !== undefined && (ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node))) return true;
  if ((ts.isImportClause(node) || ts.isImportSpecifier(node) || ts.isExportDeclaration(node) || ts.isExportSpecifier(node)) && node.isTypeOnly) {
    return true;
  }
  return ts.isExportAssignment(node) && node.isExportEquals === true;
}
