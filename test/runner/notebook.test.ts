import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NotebookInputError, readNotebook, serializeNotebook, splitLines, writeFileAtomic } from "../../lab/runner/notebook.js";
import { validateNotebook } from "../../lab/runner/schema.js";

const fixtures = join(import.meta.dirname, "..", "fixtures", "notebooks");

describe("readNotebook", () => {
  it("reads a 4.5 notebook and keeps its ids", () => {
    const notebook = readNotebook(join(fixtures, "params.ipynb"));
    expect(notebook.nbformat_minor).toBe(5);
    expect(notebook.cells.map((cell) => cell.id)).toEqual(["md-1", "code-2", "code-3", "code-4"]);
  });

  it("upgrades 4.4 by adding cell ids", () => {
    const notebook = readNotebook(join(fixtures, "v44.ipynb"));
    expect(notebook.nbformat_minor).toBe(5);
    for (const cell of notebook.cells) expect(cell.id).toMatch(/^[0-9a-f]{8}$/);
    expect(validateNotebook(notebook)).toEqual([]);
  });

  const bad: [string, RegExp][] = [
    ["missing.ipynb", /file not found/],
    ["invalid.ipynb", /is not valid JSON/],
    ["not-a-notebook.txt", /is not a notebook: expected a \.ipynb file/],
    ["no-nbformat.ipynb", /has no "nbformat" field/],
    ["v3.ipynb", /uses nbformat 3.*convert it with "jupyter nbconvert --to notebook --nbformat 4 .*v3\.ipynb"/],
  ];
  for (const [name, message] of bad) {
    it(`rejects ${name}`, () => {
      expect(() => readNotebook(join(fixtures, name))).toThrow(NotebookInputError);
      expect(() => readNotebook(join(fixtures, name))).toThrow(message);
    });
  }

  it("rejects a folder", () => {
    expect(() => readNotebook(fixtures)).toThrow(/is a folder/);
  });

  it("rejects a notebook that breaks the schema", () => {
    const dir = mkdtempSync(join(tmpdir(), "paramlab-nb-"));
    const path = join(dir, "bad-cell.ipynb");
    writeFileSync(path, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: "code", id: "a", source: "", metadata: {} }] }));
    expect(() => readNotebook(path)).toThrow(/not a valid nbformat 4.5 notebook:\n {2}\/cells\/0/);
  });

  it("renumbers repeated cell ids", () => {
    const dir = mkdtempSync(join(tmpdir(), "paramlab-nb-"));
    const path = join(dir, "twice.ipynb");
    const cell = { cell_type: "markdown", id: "same", source: "", metadata: {} };
    writeFileSync(path, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [cell, cell] }));
    const ids = readNotebook(path).cells.map((each) => each.id);
    expect(ids[0]).toBe("same");
    expect(ids[1]).not.toBe("same");
  });
});

describe("validateNotebook", () => {
  it("requires cell ids in 4.5", () => {
    const problems = validateNotebook({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: "markdown", source: "", metadata: {} }] });
    expect(problems.join("\n")).toMatch(/must have required property 'id'/);
  });
});

describe("serializeNotebook", () => {
  it("sorts keys and indents by one space", () => {
    const text = serializeNotebook({ nbformat: 4, nbformat_minor: 5, metadata: { b: 1, a: 2 }, cells: [] });
    expect(text).toBe('{\n "cells": [],\n "metadata": {\n  "a": 2,\n  "b": 1\n },\n "nbformat": 4,\n "nbformat_minor": 5\n}\n');
  });
});

describe("writeFileAtomic", () => {
  it("replaces the file and leaves no temporary file", () => {
    const dir = mkdtempSync(join(tmpdir(), "paramlab-write-"));
    mkdirSync(join(dir, "sub"));
    const path = join(dir, "sub", "out.ipynb");
    writeFileAtomic(path, "one");
    writeFileAtomic(path, "two");
    expect(readFileSync(path, "utf8")).toBe("two");
  });
});

describe("splitLines", () => {
  it("keeps line ends", () => {
    expect(splitLines("a\nb\n")).toEqual(["a\n", "b\n"]);
    expect(splitLines("a\n\nb")).toEqual(["a\n", "\n", "b"]);
    expect(splitLines("")).toEqual([]);
  });
});
