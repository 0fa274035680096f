// Turns a TypeScript cell into a script that runs at the top level of the kernel's global scope.
//
// The cell is transpiled without type checking. Then its top-level statements are rewritten so
// that declarations persist across cells. `const x = 1` becomes an assignment to a global
// `var x`, imports become awaited calls to the kernel's import function, and the last
// expression becomes the value the script returns. The body runs inside an async arrow so top-level
// `await` works. Rewrites never add or remove line breaks, so lines keep their numbers.
import { SourceMap } from "node:module";
import type * as TS from "typescript";
import { isPlainJavaScript } from "./plain-js.js";
import { applySplices, type Splice } from "./splice.js";

/** The name of the global function that cells call in place of `import`. */
export const IMPORT_FUNCTION = "__paramlabImport";

export interface CompiledCell {
  /** Script text for `vm.runInThisContext`; its completion value is a promise of the cell's value. */
  script: string;
  /** Names the cell declares at its top level. */
  declaredNames: string[];
  /** Maps a 1-based line and column in the script to the 1-based line and column in the cell. */
  toCellPosition(line: number, column: number): { line: number; column: number };
}

export class CellSyntaxError extends Error {
  override name = "SyntaxError";
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

export function compileCell(ts: typeof TS, source: string, fileName: string): CompiledCell {
  const parsed = ts.createSourceFile(`${fileName}.ts`, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  if (isPlainJavaScript(ts, parsed)) return finishCell(ts, parsed, source, undefined);

  const output = ts.transpileModule(source, {
    fileName: `${fileName}.ts`,
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      verbatimModuleSyntax: true,
      sourceMap: true,
      experimentalDecorators: true,
    },
  });
  const syntaxError = output.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (syntaxError !== undefined) throw toSyntaxError(ts, syntaxError);

  const js = stripSourceMapComment(output.outputText);
  const file = ts.createSourceFile(`${fileName}.js`, js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const map = output.sourceMapText === undefined ? undefined : new SourceMap(JSON.parse(output.sourceMapText));
  return finishCell(ts, file, js, map);
}

/** Rewrites the top level of `js` (parsed as `file`) into the script; `map` leads back to the cell. */
function finishCell(ts: typeof TS, file: TS.SourceFile, js: string, map: SourceMap | undefined): CompiledCell {
  const rewrite = rewriteTopLevel(ts, file);
  const { text, toOriginal } = applySplices(js, rewrite.splices);

  const functionExports = rewrite.functionNames.map((name) => `globalThis[${JSON.stringify(name)}] = ${name}; `).join("");
  const hoisted = rewrite.declaredNames.length > 0 ? `var ${rewrite.declaredNames.join(", ")}; ` : "";
  const prefix = `${hoisted}(async () => { ${functionExports}`;
  const script = `${prefix}${text}\n})()`;

  const scriptLineStarts = lineStarts(script);
  const jsLineStarts = lineStarts(js);
  const toCellPosition = (line: number, column: number): { line: number; column: number } => {
    const scriptOffset = (scriptLineStarts[line - 1] ?? 0) + column - 1;
    const jsOffset = toOriginal(Math.max(0, scriptOffset - prefix.length));
    const jsLine = Math.max(0, upperBound(jsLineStarts, jsOffset) - 1);
    const jsColumn = jsOffset - jsLineStarts[jsLine];
    const entry = map?.findEntry(jsLine, jsColumn) as { originalLine?: number; originalColumn?: number } | undefined;
    if (entry?.originalLine === undefined || entry.originalColumn === undefined) return { line: jsLine + 1, column: jsColumn + 1 };
    return { line: entry.originalLine + 1, column: entry.originalColumn + 1 };
  };
  return { script, declaredNames: [...rewrite.declaredNames, ...rewrite.functionNames], toCellPosition };
}

interface Rewrite {
  splices: Splice[];
  declaredNames: string[];
  functionNames: string[];
}

function rewriteTopLevel(ts: typeof TS, file: TS.SourceFile): Rewrite {
  const splices: Splice[] = [];
  const declared = new Set<string>();
  const functions = new Set<string>();
  const statements = file.statements;

  statements.forEach((statement, index) => {
    const isLast = index === statements.length - 1;
    if (ts.isImportDeclaration(statement)) {
      splices.push(replaceKeepingLines(file, statement, importToAssignment(ts, statement, declared)));
    } else if (ts.isVariableStatement(statement)) {
      splices.push(...variableToAssignment(ts, file, statement, declared));
    } else if (ts.isFunctionDeclaration(statement) && statement.name !== undefined) {
      functions.add(statement.name.text);
      splices.push(...removeModifiers(ts, file, statement));
    } else if (ts.isClassDeclaration(statement) && statement.name !== undefined) {
      declared.add(statement.name.text);
      splices.push(...classToAssignment(ts, file, statement));
    } else if (ts.isExportDeclaration(statement)) {
      splices.push(replaceKeepingLines(file, statement, ""));
    } else if (ts.isExportAssignment(statement)) {
      const start = statement.getStart(file);
      splices.push({ start, length: statement.expression.getStart(file) - start, text: isLast ? "return (" : ";(" });
      splices.push({ start: statement.expression.getEnd(), length: 0, text: ")" });
    } else if (isLast && ts.isExpressionStatement(statement)) {
      splices.push({ start: statement.expression.getStart(file), length: 0, text: "return (" });
      splices.push({ start: statement.expression.getEnd(), length: 0, text: ")" });
    }
  });
  splices.push(...rewriteDynamicImports(ts, file));

  for (const name of functions) declared.delete(name);
  return { splices, declaredNames: [...declared], functionNames: [...functions] };
}

function importToAssignment(ts: typeof TS, statement: TS.ImportDeclaration, declared: Set<string>): string {
  const specifier = (statement.moduleSpecifier as TS.StringLiteral).text;
  const load = `await ${IMPORT_FUNCTION}(${JSON.stringify(specifier)})`;
  const clause = statement.importClause;
  if (clause === undefined) return `${load};`;
  if (clause.isTypeOnly) return "";

  const defaultName = clause.name?.text;
  const bindings = clause.namedBindings;
  if (bindings !== undefined && ts.isNamespaceImport(bindings)) {
    const namespace = bindings.name.text;
    declared.add(namespace);
    if (defaultName === undefined) return `${namespace} = ${load};`;
    declared.add(defaultName);
    return `${namespace} = ${load}; ${defaultName} = ${namespace}.default;`;
  }

  const properties: string[] = [];
  if (defaultName !== undefined) {
    declared.add(defaultName);
    properties.push(`default: ${defaultName}`);
  }
  for (const element of bindings?.elements ?? []) {
    if (element.isTypeOnly) continue;
    const local = element.name.text;
    const imported = element.propertyName?.getText() ?? local;
    declared.add(local);
    properties.push(imported === local ? local : `${imported}: ${local}`);
  }
  return properties.length === 0 ? `${load};` : `;({ ${properties.join(", ")} } = ${load});`;
}

function variableToAssignment(ts: typeof TS, file: TS.SourceFile, statement: TS.VariableStatement, declared: Set<string>): Splice[] {
  const declarations = statement.declarationList.declarations;
  if (declarations.length === 0) return [];
  for (const declaration of declarations) collectBindingNames(ts, declaration.name, declared);

  const start = statement.getStart(file);
  // The leading semicolon keeps a previous line without one from being called with the parentheses.
  const splices: Splice[] = [{ start, length: declarations[0].getStart(file) - start, text: ";(" }];
  for (const declaration of declarations) {
    if (declaration.initializer === undefined) {
      splices.push({ start: declaration.name.getEnd(), length: 0, text: " = void 0" });
    }
  }
  splices.push({ start: declarations[declarations.length - 1].getEnd(), length: 0, text: ")" });
  return splices;
}

function classToAssignment(ts: typeof TS, file: TS.SourceFile, statement: TS.ClassDeclaration): Splice[] {
  const start = statement.getStart(file);
  const classKeyword = statement.getChildren(file).find((child) => child.kind === ts.SyntaxKind.ClassKeyword);
  const keywordStart = classKeyword?.getStart(file) ?? start;
  return [
    { start, length: keywordStart - start, text: `${statement.name!.text} = ` },
    { start: statement.getEnd(), length: 0, text: ";" },
  ];
}

function removeModifiers(ts: typeof TS, file: TS.SourceFile, statement: TS.FunctionDeclaration): Splice[] {
  const exported = statement.modifiers?.filter(
    (modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword || modifier.kind === ts.SyntaxKind.DefaultKeyword,
  );
  return (exported ?? []).map((modifier) => ({ start: modifier.getStart(file), length: modifier.getWidth(file), text: "" }));
}

function rewriteDynamicImports(ts: typeof TS, file: TS.SourceFile): Splice[] {
  const splices: Splice[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      splices.push({ start: node.expression.getStart(file), length: "import".length, text: IMPORT_FUNCTION });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return splices;
}

function collectBindingNames(ts: typeof TS, name: TS.BindingName, into: Set<string>): void {
  if (ts.isIdentifier(name)) {
    into.add(name.text);
    return;
  }
  for (const element of name.elements) {
    if (!ts.isOmittedExpression(element)) collectBindingNames(ts, element.name, into);
  }
}

function replaceKeepingLines(file: TS.SourceFile, node: TS.Node, text: string): Splice {
  const start = node.getStart(file);
  const original = file.text.slice(start, node.getEnd());
  const newlines = original.split("\n").length - 1;
  return { start, length: original.length, text: text + "\n".repeat(newlines) };
}

function toSyntaxError(ts: typeof TS, diagnostic: TS.Diagnostic): CellSyntaxError {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
  if (diagnostic.file === undefined || diagnostic.start === undefined) return new CellSyntaxError(message, 1, 1);
  const position = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return new CellSyntaxError(message, position.line + 1, position.character + 1);
}

function stripSourceMapComment(js: string): string {
  return js.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** Returns the number of entries in the sorted array that are at most `value`. */
function upperBound(sorted: number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid] <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}
