// The headless runner: execute notebooks in fresh kernels and export them as HTML.
export { runNotebook, prepareRun, executePrepared, RunUsageError, KernelStartError, type RunOptions, type RunResult, type PreparedRun } from "./run.js";
export type { CellFailure, CellProgress, FailureKind } from "./execute.js";
export { findKernelSpec, listKernelSpecs, kernelSearchPath, KernelNotFoundError, type KernelSpec } from "./kernelspec.js";
export { readNotebook, serializeNotebook, NotebookInputError, type Notebook, type Cell, type Output } from "./notebook.js";
export { parseAssignment, parseLiteral, readParametersFile, injectParameters, ParameterError, type Parameters, type ParameterValue } from "./parameters.js";
export { validateNotebook } from "./schema.js";
export { renderHtml, type HtmlOptions } from "./html/page.js";
