// Unit tests of the cell compiler: declarations persist, imports and results are rewritten, and
// positions map back to the cell.
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { loadTypeScript } from "../../kernel/executor/typescript.js";
import { CellSyntaxError, compileCell, IMPORT_FUNCTION } from "../../kernel/executor/compile.js";
import { isPlainJavaScript } from "../../kernel/executor/plain-js.js";

const ts = await loadTypeScript();

async function run(source: string, name = "cell-1"): Promise<unknown> {
  return vm.runInThisContext(compileCell(ts, source, name).script, { filename: name });
}

describe("compileCell", () => {
  it("returns the last expression", async () => {
    expect(await run("const a: number = 2\na * 21")).toBe(42);
  });

  it("returns undefined when the cell ends with a declaration", async () => {
    expect(await run("const b = 1")).toBeUndefined();
  });

  it("lets a later cell redeclare a const", async () => {
    await run("const redeclared = 1");
    await run("const redeclared = 2");

    expect((globalThis as Record<string, unknown>).redeclared).toBe(2);
  });

  it("hoists functions within the cell", async () => {
    expect(await run("hoisted()\nfunction hoisted() { return 'up' }")).toBeUndefined();
    expect(await run("hoisted()")).toBe("up");
  });

  it("declares destructured names", async () => {
    await run("const { p, q: [r] } = { p: 1, q: [2] }");

    expect(await run("[p, r]")).toEqual([1, 2]);
  });

  it("rewrites static and dynamic imports", () => {
    const compiled = compileCell(ts, 'import def, { a as b } from "m"\nimport * as ns from "n"\nconst lazy = import("o")', "cell-2");

    expect(compiled.script).toContain(`;({ default: def, a: b } = await ${IMPORT_FUNCTION}("m"));`);
    expect(compiled.script).toContain(`ns = await ${IMPORT_FUNCTION}("n");`);
    expect(compiled.script).toContain(`${IMPORT_FUNCTION}("o")`);
    expect(compiled.declaredNames).toEqual(expect.arrayContaining(["def", "b", "ns", "lazy"]));
  });

  it("drops type-only imports", () => {
    const compiled = compileCell(ts, 'import type { T } from "m"\nconst v: T = 1 as T', "cell-3");

    expect(compiled.script).not.toContain(IMPORT_FUNCTION);
  });

  it("keeps line numbers so positions map back", async () => {
    const source = "const first = 1\n\ninterface Gap { a: number }\nconst holder: any = null\nconst target =   holder.value";
    const compiled = compileCell(ts, source, "cell-4");
    const promise = vm.runInThisContext(compiled.script, { filename: "cell-4" }) as Promise<unknown>;
    const error = await promise.then(() => undefined, (caught: Error) => caught);

    const match = /cell-4:(\d+):(\d+)/.exec(error?.stack ?? "");
    expect(match).not.toBeNull();
    expect(compiled.toCellPosition(Number(match![1]), Number(match![2]))).toEqual({ line: 5, column: 25 });
  });

  it("reports a syntax error with its position", () => {
    let error: CellSyntaxError | undefined;
    try {
      compileCell(ts, "const ok = 1\nconst = 2", "cell-5");
    } catch (caught) {
      error = caught as CellSyntaxError;
    }

    expect(error).toBeInstanceOf(CellSyntaxError);
    expect([error!.line, error!.column]).toEqual([2, 7]);
  });
});

describe("isPlainJavaScript", () => {
  const parse = (code: string) => ts.createSourceFile("cell.ts", code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const plain = ["1 + 1", "const a = [1, 2].map((x) => x * 2)", "class A { #p = 1; static m() {} }", "for await (const x of y) {}", 'import x from "m"'];
  const typed = [
    "const a: number = 1",
    "let b!: string",
    "f<number>(1)",
    "x as any",
    "y!",
    "interface I {}",
    "type T = 1",
    "enum E { A }",
    "class B { constructor(private v: number) {} }",
    "function g(p?) {}",
    'import type { T } from "m"',
    "class C implements D {}",
  ];

  for (const code of plain) it(`treats ${JSON.stringify(code)} as JavaScript`, () => expect(isPlainJavaScript(ts, parse(code))).toBe(true));
  for (const code of typed) it(`treats ${JSON.stringify(code)} as TypeScript`, () => expect(isPlainJavaScript(ts, parse(code))).toBe(false));

  it("sends a cell with a syntax error through the TypeScript path", () => {
    expect(isPlainJavaScript(ts, parse("const = 1"))).toBe(false);
  });
});

describe("compileCell without semicolons", () => {
  it("keeps a call on the previous line apart from a rewritten declaration", async () => {
    const calls: unknown[] = [];
    (globalThis as Record<string, unknown>).record = (value: unknown) => calls.push(value);

    expect(await run("record(1)\nconst afterCall = 2\nafterCall")).toBe(2);
    expect(calls).toEqual([1]);
  });
});
