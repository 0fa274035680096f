// Validates notebooks against the official nbformat 4.5 JSON schema (copied from nbformat 5.5.0).
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../kernel/paths.js";

// Read from the sources, because the build copies only transpiled TypeScript to dist/.
const SCHEMA_PATH = join(packageRoot(), "lab", "runner", "nbformat.v4.5.schema.json");

let validator: ValidateFunction | undefined;

function compile(): ValidateFunction {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, "utf8")) as Record<string, unknown>;
  // NOTE: the schema declares draft-04, which Ajv 8 does not ship. It uses no keyword whose
  // meaning differs between draft-04 and draft-07 (no "id", "exclusiveMinimum" or "format"),
  // so it is compiled as draft-07.
  delete schema.$schema;
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

/** Returns the schema violations in `notebook`, each as "path: message"; empty when it is valid. */
export function validateNotebook(notebook: unknown): string[] {
  validator ??= compile();
  if (validator(notebook)) return [];
  return (validator.errors ?? []).filter(isUseful).map((error) => `${error.instancePath || "/"}: ${error.message ?? "is invalid"}`);
}

// A "oneOf" failure repeats the errors of its branches.
function isUseful(error: ErrorObject): boolean {
  return error.keyword !== "oneOf";
}
