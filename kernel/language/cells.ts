// Builds the one virtual module that the language service reads: the earlier cells, with
// declarations that a later cell repeats removed, followed by the current cell.
import type * as TS from "typescript";

export interface CellText {
  text: string;
  /** Offset of the current cell in `text`. */
  cellStart: number;
}

export function buildModuleText(ts: typeof TS, history: string[], current: string): CellText {
  const laterNames = declaredNames(ts, current);
  const kept: string[] = [];
  for (let i = history.length - 1; i >= 0; i--) {
    const { text, names } = removeDeclarations(ts, history[i], laterNames);
    kept.unshift(text);
    for (const name of names) laterNames.add(name);
  }
  const prefix = kept.map((text) => `${text}\n;\n`).join("");
  return { text: `${prefix}${current}\n;export {};\n`, cellStart: prefix.length };
}

function declaredNames(ts: typeof TS, code: string): Set<string> {
  const names = new Set<string>();
  const file = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.ES2022, true);
  for (const statement of file.statements) for (const name of statementNames(ts, statement)) names.add(name);
  return names;
}

/** Blanks out statements of `code` that declare one of `names`; returns the text and the names it keeps. */
function removeDeclarations(ts: typeof TS, code: string, names: Set<string>): { text: string; names: string[] } {
  const file = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.ES2022, true);
  let text = code;
  const kept: string[] = [];
  for (const statement of [...file.statements].reverse()) {
    const declared = statementNames(ts, statement);
    if (declared.some((name) => names.has(name))) {
      const start = statement.getStart(file);
      text = text.slice(0, start) + text.slice(start, statement.getEnd()).replace(/[^\n]/g, " ") + text.slice(statement.getEnd());
    } else {
      kept.push(...declared);
    }
  }
  return { text, names: kept };
}

function statementNames(ts: typeof TS, statement: TS.Statement): string[] {
  if (ts.isVariableStatement(statement)) {
    const names: string[] = [];
    for (const declaration of statement.declarationList.declarations) collect(ts, declaration.name, names);
    return names;
  }
  if (
    (ts.isFunctionDeclaration(statement) ||
      ts.isClassDeclaration(statement) ||
      ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) ||
      ts.isEnumDeclaration(statement)) &&
    statement.name !== undefined
  ) {
    return [statement.name.text];
  }
  if (ts.isImportDeclaration(statement) && statement.importClause !== undefined) {
    const clause = statement.importClause;
    const names = clause.name === undefined ? [] : [clause.name.text];
    const bindings = clause.namedBindings;
    if (bindings !== undefined) {
      if (ts.isNamespaceImport(bindings)) names.push(bindings.name.text);
      else names.push(...bindings.elements.map((element) => element.name.text));
    }
    return names;
  }
  return [];
}

function collect(ts: typeof TS, name: TS.BindingName, into: string[]): void {
  if (ts.isIdentifier(name)) into.push(name.text);
  else for (const element of name.elements) if (!ts.isOmittedExpression(element)) collect(ts, element.name, into);
}
