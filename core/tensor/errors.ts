/**
 * The typed errors of paramlab. Each kind of failure has its own class, so callers can catch
 * one kind, and each message names the op, the argument, the values involved and the fix.
 */

/** Base class of every error paramlab raises on purpose. */
export class ParamlabError extends Error {
  override name = "ParamlabError";
}

/** Shapes that cannot be combined: broadcasting, matmul inner dimensions, reshape sizes. */
export class ShapeError extends ParamlabError {
  override name = "ShapeError";
}

/** A dtype that an op cannot accept, or two dtypes that cannot be mixed. */
export class DTypeError extends ParamlabError {
  override name = "DTypeError";
}

/** An argument with an invalid value: a dimension out of range, a negative size, a bad option. */
export class InvalidArgumentError extends ParamlabError {
  override name = "InvalidArgumentError";
}

/** Misuse of autograd: backward twice, a non-scalar root without a gradient, a stale saved tensor. */
export class AutogradError extends ParamlabError {
  override name = "AutogradError";
}

/** Formats a shape as `[2, 3]` for error messages. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}
