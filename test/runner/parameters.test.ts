import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Cell, Notebook } from "../../lab/runner/notebook.js";
import { injectParameters, parseAssignment, parseLiteral, ParameterError, parametersSource, readParametersFile } from "../../lab/runner/parameters.js";

function code(source: string, tags?: string[]): Cell {
  return { id: `c${Math.random().toString(16).slice(2, 8)}`, cell_type: "code", metadata: tags ? { tags } : {}, source, outputs: [], execution_count: null };
}

function notebook(cells: Cell[]): Notebook {
  return { nbformat: 4, nbformat_minor: 5, metadata: {}, cells };
}

describe("parseLiteral", () => {
  const cases: [string, unknown][] = [
    ["0.01", 0.01],
    ["1e-3", 0.001],
    ["-2", -2],
    [".5", 0.5],
    ["Infinity", Infinity],
    ["true", true],
    ["false", false],
    ["null", null],
    ["[64, 32]", [64, 32]],
    ['{"hidden": [8], "act": "relu"}', { hidden: [8], act: "relu" }],
    ['"42"', "42"],
    ["adam", "adam"],
    ["hello world", "hello world"],
    ["", ""],
  ];
  for (const [text, expected] of cases) {
    it(`parses ${JSON.stringify(text)}`, () => {
      expect(parseLiteral(text, "-p x")).toEqual(expected);
    });
  }

  it("parses NaN as a number", () => {
    expect(Number.isNaN(parseLiteral("NaN", "-p x"))).toBe(true);
  });

  it("rejects broken JSON", () => {
    expect(() => parseLiteral("[1, 2", "-p sizes=[1, 2")).toThrow(ParameterError);
    expect(() => parseLiteral("{lr: 1}", "-p o={lr: 1}")).toThrow(/looks like JSON but does not parse/);
  });
});

describe("parseAssignment", () => {
  it("splits at the first equals sign", () => {
    expect(parseAssignment("query=a=b")).toEqual(["query", "a=b"]);
  });

  it("rejects an argument without a value", () => {
    expect(() => parseAssignment("lr")).toThrow(/expected name=value/);
  });

  it("rejects names that are not identifiers", () => {
    expect(() => parseAssignment("learning-rate=1")).toThrow(/"learning-rate" is invalid/);
    expect(() => parseAssignment("2x=1")).toThrow(ParameterError);
    expect(() => parseAssignment("class=1")).toThrow(/"class" is invalid/);
  });
});

describe("readParametersFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "paramlab-params-"));

  it("reads a JSON object", () => {
    const file = join(dir, "ok.json");
    writeFileSync(file, '{"lr": 0.5, "layers": [2, 3]}');
    expect(readParametersFile(file)).toEqual({ lr: 0.5, layers: [2, 3] });
  });

  it("rejects a missing file, invalid JSON and arrays", () => {
    expect(() => readParametersFile(join(dir, "missing.json"))).toThrow(/file not found/);
    writeFileSync(join(dir, "bad.json"), "{");
    expect(() => readParametersFile(join(dir, "bad.json"))).toThrow(/invalid JSON/);
    writeFileSync(join(dir, "array.json"), "[1]");
    expect(() => readParametersFile(join(dir, "array.json"))).toThrow(/expected a JSON object/);
    writeFileSync(join(dir, "name.json"), '{"a b": 1}');
    expect(() => readParametersFile(join(dir, "name.json"))).toThrow(/"a b" is invalid/);
  });
});

describe("injectParameters", () => {
  it("inserts after the parameters cell", () => {
    const nb = notebook([code("setup()"), code("const lr = 0.1;", ["parameters"]), code("train(lr)")]);
    const warning = injectParameters(nb, { lr: 0.01 });
    expect(warning).toBeUndefined();
    expect(nb.cells).toHaveLength(4);
    expect(nb.cells[2].metadata.tags).toEqual(["injected-parameters"]);
    expect(nb.cells[2].source).toEqual(["// Parameters injected by paramlab run\n", "const lr = 0.01;"]);
  });

  it("replaces an earlier injected cell", () => {
    const nb = notebook([code("const lr = 0.1;", ["parameters"]), code("const lr = 5;", ["injected-parameters"]), code("lr")]);
    injectParameters(nb, { lr: 2 });
    expect(nb.cells).toHaveLength(3);
    expect(nb.cells[1].source).toContain("const lr = 2;");
  });

  it("injects at the top with a warning", () => {
    const nb = notebook([code("console.log(1)")]);
    const warning = injectParameters(nb, { n: 3 });
    expect(warning).toMatch(/no cell is tagged "parameters"/);
    expect(nb.cells[0].metadata.tags).toEqual(["injected-parameters"]);
  });

  it("leaves the notebook alone without parameters", () => {
    const nb = notebook([code("1")]);
    expect(injectParameters(nb, {})).toBeUndefined();
    expect(nb.cells).toHaveLength(1);
  });

  it("keeps let for names the parameters cell declares with let", () => {
    const source = parametersSource({ epochs: 5, lr: 1, name: "x\"y", sizes: [1, 2] }, code("let epochs = 2;\nconst lr = 0.1;"));
    expect(source.split("\n")).toEqual([
      "// Parameters injected by paramlab run",
      "let epochs = 5;",
      "const lr = 1;",
      'const name = "x\\"y";',
      "const sizes = [1,2];",
    ]);
  });
});

describe("parameters the notebook does not declare", () => {
  it("warn with their names", () => {
    const notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [{ id: "p", cell_type: "code", metadata: { tags: ["parameters"] }, source: "const steps = 10;\nlet lr = 0.1;", outputs: [], execution_count: null }],
    } as unknown as Parameters<typeof injectParameters>[0];
    expect(injectParameters(notebook, { steps: 5, lr: 0.2 })).toBeUndefined();
    expect(injectParameters(notebook, { epochs: 2 })).toMatch(/the parameters cell does not declare "epochs"; they were injected anyway/);
  });
});
