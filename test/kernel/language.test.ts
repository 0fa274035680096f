// Tests of completion, inspection, is_complete and type checking from the language service.
import { beforeAll, describe, expect, it } from "vitest";
import { loadTypeScript } from "../../kernel/executor/typescript.js";
import { checkComplete } from "../../kernel/language/is-complete.js";
import { codePointsToUtf16, utf16ToCodePoints } from "../../kernel/language/positions.js";
import { LanguageService } from "../../kernel/language/service.js";

const ts = await loadTypeScript();
let service: LanguageService;

beforeAll(async () => {
  (globalThis as Record<string, unknown>).pl = await import("../../dist/core/index.js" as string);
  (globalThis as Record<string, unknown>).tensor = ((globalThis as Record<string, unknown>).pl as Record<string, unknown>).tensor;
  service = await LanguageService.create(["/** Adds two numbers and returns the sum. */\nfunction add(a: number, b: number): number { return a + b }", "const greeting = 'hi'"]);
}, 60_000);

describe("language service", () => {
  it("completes members of an earlier cell's value", async () => {
    const reply = await service.complete("greeting.toUpp", 14);

    expect(reply.matches).toEqual(["toUpperCase"]);
    expect([reply.cursor_start, reply.cursor_end]).toEqual([9, 14]);
  });

  it("completes members of a core tensor", async () => {
    const code = "const t = pl.tensor([1, 2])\nt.";
    const reply = await service.complete(code, [...code].length);

    expect(reply.matches).toEqual(expect.arrayContaining(["toArray", "item", "detach"]));
  });

  it("completes members of a core module", async () => {
    const code = "const layer = new pl.nn.Linear(2, 3)\nlayer.";
    const reply = await service.complete(code, [...code].length);

    expect(reply.matches).toEqual(expect.arrayContaining(["forward", "parameters"]));
  });

  it("completes a preloaded global", async () => {
    const reply = await service.complete("tens", 4);

    expect(reply.matches).toContain("tensor");
  });

  it("counts the cursor in code points", async () => {
    const code = "'😀😀'; greeting.len";
    const reply = await service.complete(code, [...code].length);

    expect(reply.matches).toEqual(["length"]);
    expect(reply.cursor_end).toBe([...code].length);
    expect(reply.cursor_start).toBe([...code].length - 3);
  });

  it("inspects a function with its signature and TSDoc", async () => {
    const reply = await service.inspect("add(1, 2)", 1, 0);
    const data = reply.data as Record<string, string>;

    expect(reply.found).toBe(true);
    expect(data["text/plain"]).toContain("function add(a: number, b: number): number");
    expect(data["text/plain"]).toContain("Adds two numbers and returns the sum.");
  });

  it("reports nothing found in whitespace", async () => {
    const reply = await service.inspect("   ", 1, 0);

    expect(reply.found).toBe(false);
  });

  it("finds a type error before a cell runs", async () => {
    const error = await service.typeCheck("const wrong: number = add(1, '2')");

    expect(error?.ename).toBe("TypeScriptError");
    expect(error?.traceback[0]).toMatch(/^cell:1:30 - error TS2345/);
  });

  it("accepts a well-typed cell that redeclares an earlier name", async () => {
    expect(await service.typeCheck("const greeting = 3\nconst doubled: number = greeting * 2")).toBeUndefined();
  });

  it("accepts top-level await", async () => {
    expect(await service.typeCheck("const later = await Promise.resolve(1)")).toBeUndefined();
  });
});

describe("is_complete", () => {
  const cases: [string, string][] = [
    ["1 + 1", "complete"],
    ["for (let i = 0; i < 3; i++) {", "incomplete"],
    ["const s = `a ${1 +", "incomplete"],
    ["f(`${x}`)", "complete"],
    ["function f() { return 1 }", "complete"],
    ["1 +", "incomplete"],
    ["x)", "invalid"],
    ["'unterminated", "incomplete"],
  ];
  for (const [code, status] of cases) {
    it(`classifies ${JSON.stringify(code)} as ${status}`, () => {
      expect(checkComplete(ts, code).status).toBe(status);
    });
  }

  it("suggests indentation inside a block", () => {
    expect(checkComplete(ts, "if (x) {\n  while (y) {")).toEqual({ status: "incomplete", indent: "    " });
  });
});

describe("code point positions", () => {
  it("converts across astral characters", () => {
    const text = "a😀b";

    expect(codePointsToUtf16(text, 2)).toBe(3);
    expect(utf16ToCodePoints(text, 3)).toBe(2);
  });
});
