// Structure of the courseware notebooks: nbformat 4.5 without outputs, the paramlab kernelspec,
// cell ids, a parameters cell that `paramlab run -p` can override, and cells the kernel compiles.
// Executing the notebooks is left to .ci/run, which runs each one with `paramlab run`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Script } from "node:vm";
import * as ts from "typescript";
import { describe, expect, it } from "vitest";
import { compileCell } from "../../kernel/executor/compile.js";
import { validateNotebook } from "../../lab/runner/schema.js";

const NOTEBOOKS = ["00-tour", "01-building-blocks", "02-architectures", "03-optimizers", "04-second-order-and-hessian"];
const folder = join(import.meta.dirname, "..", "..", "notebooks");

interface Cell {
  cell_type: "code" | "markdown" | "raw";
  id?: string;
  metadata: { tags?: string[] } & Record<string, unknown>;
  source: string | string[];
  outputs?: unknown[];
  execution_count?: number | null;
}

interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

function load(name: string): Notebook {
  return JSON.parse(readFileSync(join(folder, `${name}.ipynb`), "utf8")) as Notebook;
}

function sourceOf(cell: Cell): string {
  return Array.isArray(cell.source) ? cell.source.join("") : cell.source;
}

function codeCells(notebook: Notebook): Cell[] {
  return notebook.cells.filter((cell) => cell.cell_type === "code");
}

/** Checks that `node` is a literal that `paramlab run -p` can replace: a number, string, boolean, null or an array of them. */
function isLiteral(node: ts.Expression): boolean {
  if (ts.isNumericLiteral(node) || ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return true;
  if (node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword || node.kind === ts.SyntaxKind.NullKeyword) return true;
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken) return ts.isNumericLiteral(node.operand);
  if (ts.isArrayLiteralExpression(node)) return node.elements.every(isLiteral);
  return false;
}

/** Lists the names the parameters cell declares, and raises on a statement other than `const NAME = literal` or `let NAME = literal`. */
function parameterNames(source: string): string[] {
  const file = ts.createSourceFile("parameters.ts", source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const names: string[] = [];
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) throw new Error(`parameters cell: "${statement.getText()}" is not a declaration; write const NAME = literal.`);
    for (const declaration of statement.declarationList.declarations) {
      if (!ts.isIdentifier(declaration.name) || declaration.initializer === undefined || !isLiteral(declaration.initializer)) {
        throw new Error(`parameters cell: "${declaration.getText()}" does not assign a literal; write const NAME = literal.`);
      }
      names.push(declaration.name.text);
    }
  }
  return names;
}

describe.each(NOTEBOOKS)("notebook %s", (name) => {
  const notebook = load(name);

  it("validates against nbformat 4.5", () => {
    expect(notebook.nbformat).toBe(4);
    expect(notebook.nbformat_minor).toBe(5);
    expect(validateNotebook(notebook)).toEqual([]);
  });

  it("uses the paramlab kernelspec", () => {
    expect(notebook.metadata.kernelspec).toEqual({ name: "paramlab", display_name: "TypeScript (paramlab)", language: "typescript" });
    expect(notebook.metadata.language_info).toEqual({ name: "typescript" });
  });

  it("gives every cell a unique id", () => {
    const ids = notebook.cells.map((cell) => cell.id);
    for (const id of ids) expect(id).toMatch(/^[a-zA-Z0-9-_]{1,64}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("has no outputs or execution counts", () => {
    for (const cell of codeCells(notebook)) {
      expect(cell.outputs, `cell ${cell.id}`).toEqual([]);
      expect(cell.execution_count, `cell ${cell.id}`).toBeNull();
    }
  });

  it("starts its code with the parameters cell", () => {
    const tagged = notebook.cells.filter((cell) => cell.metadata.tags?.includes("parameters"));
    expect(tagged).toHaveLength(1);
    expect(codeCells(notebook)[0]).toBe(tagged[0]);
  });

  it("declares parameters as literals", () => {
    const names = parameterNames(sourceOf(codeCells(notebook)[0]));
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names).size).toBe(names.length);
  });

  it("never redeclares a parameter later", () => {
    // A later `const epochs = ...` would silently undo a value injected by `paramlab run -p`.
    const [parameters, ...rest] = codeCells(notebook);
    const names = new Set(parameterNames(sourceOf(parameters)));
    rest.forEach((cell) => {
      const declared = compileCell(ts, sourceOf(cell), cell.id ?? "cell").declaredNames;
      expect(declared.filter((each) => names.has(each)), `cell ${cell.id}`).toEqual([]);
    });
  });

  it("compiles every code cell as the kernel does", () => {
    for (const cell of codeCells(notebook)) {
      const compiled = compileCell(ts, sourceOf(cell), cell.id ?? "cell");
      expect(() => new Script(compiled.script, { filename: `${name}/${cell.id}` }), `cell ${cell.id}`).not.toThrow();
    }
  });

  it("explains with math and shows pictures", () => {
    const markdown = notebook.cells.filter((cell) => cell.cell_type === "markdown").map(sourceOf).join("\n");
    const code = codeCells(notebook).map(sourceOf).join("\n");
    expect(markdown).toMatch(/^# /m);
    expect(markdown).toMatch(/\$\$[^$]+\$\$/);
    expect(code).toMatch(/display\.plotly\(|display\(/);
  });
});
