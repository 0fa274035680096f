// Static checks of the courseware in notebooks/. .ci/run executes each notebook with paramlab run.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Notebook } from "../../lab/runner/notebook.js";
import { readNotebook } from "../../lab/runner/notebook.js";
import { validateNotebook } from "../../lab/runner/schema.js";
import { root } from "./helpers.js";

const folder = join(root, "notebooks");
const names = existsSync(folder) ? readdirSync(folder).filter((name) => name.endsWith(".ipynb")).sort() : [];

describe("courseware notebooks", () => {
  if (names.length === 0) it.skip("has no notebooks in notebooks/ yet", () => undefined);

  for (const name of names) {
    it(`${name} is valid nbformat 4.5`, () => {
      const raw = JSON.parse(readFileSync(join(folder, name), "utf8")) as Notebook;
      expect(raw.nbformat_minor).toBe(5);
      expect(validateNotebook(raw)).toEqual([]);
    });

    it(`${name} is committed without outputs`, () => {
      const notebook = readNotebook(join(folder, name));
      for (const cell of notebook.cells.filter((each) => each.cell_type === "code")) {
        expect(cell.outputs, `cell ${cell.id} has outputs`).toEqual([]);
        expect(cell.execution_count ?? null, `cell ${cell.id} has an execution count`).toBeNull();
      }
    });

    it(`${name} has one parameters cell`, () => {
      const notebook = readNotebook(join(folder, name));
      const tagged = notebook.cells.filter((cell) => cell.metadata.tags?.includes("parameters"));
      expect(tagged).toHaveLength(1);
      expect(tagged[0].cell_type).toBe("code");
    });
  }
});
