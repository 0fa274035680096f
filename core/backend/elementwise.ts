import type { TypedArray } from "../tensor/dtype.js";
import { activeKernels } from "./backend.js";
import { binaryRoute, runBinary, runUnary, unaryRoute } from "./wasm/elementwise.js";

/**
 * Elementwise loops over strided operands, generated once per expression with `new Function`, so
 * the expression is inlined into the loop instead of called through a closure per element.
 * Outputs are always contiguous. Operand strides may be 0 along broadcast dimensions.
 *
 * On the wasm backend, unaryLoop and binaryLoop send the expressions that have a SIMD kernel
 * (see wasm/elementwise.ts) to it when the dtypes, the operand layouts and the size fit, and run
 * the generated loop otherwise.
 */

/** A strided read-only view of storage: data, offset and strides in elements. */
export interface StridedOperand {
  readonly data: TypedArray;
  readonly offset: number;
  readonly strides: readonly number[];
}

export type UnaryLoop = (out: TypedArray, x: StridedOperand, shape: readonly number[]) => void;
export type BinaryLoop = (out: TypedArray, a: StridedOperand, b: StridedOperand, shape: readonly number[]) => void;
export type TernaryLoop = (
  out: TypedArray,
  a: StridedOperand,
  b: StridedOperand,
  c: StridedOperand,
  shape: readonly number[],
) => void;

const cache = new Map<string, UnaryLoop | BinaryLoop | TernaryLoop>();

/**
 * Builds the loop for `arity` operands named x, y, z in `expression`, for example "x + y".
 * The loop walks the output in row-major order, the last dimension innermost.
 */
function compile(arity: 1 | 2 | 3, expression: string): UnaryLoop | BinaryLoop | TernaryLoop {
  const names = ["x", "y", "z"].slice(0, arity);
  const operands = ["a", "b", "c"].slice(0, arity);
  const lines: string[] = [];
  const allContiguous = operands.map((o) => `${o}Flat`).join(" && ");
  lines.push(`const rank = shape.length;`);
  lines.push(`let size = 1; for (let d = 0; d < rank; d++) size *= shape[d];`);
  lines.push(`if (size === 0) return;`);
  for (const o of operands) {
    lines.push(`const ${o}d = ${o}.data, ${o}s = ${o}.strides;`);
    lines.push(`let ${o}Flat = true, ${o}Step = 1;`);
    lines.push(`for (let d = rank - 1; d >= 0; d--) { if (shape[d] !== 1 && ${o}s[d] !== ${o}Step) { ${o}Flat = false; break; } ${o}Step *= shape[d]; }`);
  }
  // Fast path: every operand contiguous with the output's shape.
  lines.push(`if (${allContiguous}) {`);
  lines.push(`  ${operands.map((o) => `const ${o}o = ${o}.offset;`).join(" ")}`);
  lines.push(`  for (let i = 0; i < size; i++) { ${names.map((n, k) => `const ${n} = ${operands[k]}d[${operands[k]}o + i];`).join(" ")} out[i] = ${expression}; }`);
  lines.push(`  return;`);
  lines.push(`}`);
  lines.push(`if (rank === 0) { ${names.map((n, k) => `const ${n} = ${operands[k]}d[${operands[k]}.offset];`).join(" ")} out[0] = ${expression}; return; }`);
  lines.push(`const inner = shape[rank - 1];`);
  lines.push(`const index = new Int32Array(rank);`);
  for (const o of operands) lines.push(`let ${o}p = ${o}.offset; const ${o}Inner = ${o}s[rank - 1];`);
  lines.push(`for (let start = 0; start < size; start += inner) {`);
  lines.push(`  ${operands.map((o) => `let ${o}q = ${o}p;`).join(" ")}`);
  lines.push(`  for (let i = 0; i < inner; i++) { ${names.map((n, k) => `const ${n} = ${operands[k]}d[${operands[k]}q];`).join(" ")} out[start + i] = ${expression}; ${operands.map((o) => `${o}q += ${o}Inner;`).join(" ")} }`);
  lines.push(`  for (let d = rank - 2; d >= 0; d--) {`);
  lines.push(`    index[d]++; ${operands.map((o) => `${o}p += ${o}s[d];`).join(" ")}`);
  lines.push(`    if (index[d] < shape[d]) break;`);
  lines.push(`    ${operands.map((o) => `${o}p -= ${o}s[d] * shape[d];`).join(" ")} index[d] = 0;`);
  lines.push(`  }`);
  lines.push(`}`);
  return new Function("out", ...operands, "shape", lines.join("\n")) as UnaryLoop;
}

/**
 * Returns the loop for `expression`, compiled once per combination of array classes (for example
 * Float32Array output with Float64Array input). Each compiled copy reads one array class per
 * operand, so V8 keeps its element accesses monomorphic when one expression serves several dtypes.
 * NOTE: the float32 training benchmarks did not change measurably with this, because they use one
 * dtype throughout.
 */
function specialized(arity: 1 | 2 | 3, expression: string): (...arrays: TypedArray[]) => UnaryLoop | BinaryLoop | TernaryLoop {
  return (...arrays) => {
    let key = `${arity}:${expression}`;
    for (const array of arrays) key += `:${array.constructor.name}`;
    let loop = cache.get(key);
    if (!loop) cache.set(key, (loop = compile(arity, expression)));
    return loop;
  };
}

function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const extent of shape) size *= extent;
  return size;
}

/** The loop computing `out = expression(x)`; `expression` may use Math functions. */
export function unaryLoop(expression: string): UnaryLoop {
  const pick = specialized(1, expression);
  const route = unaryRoute(expression);
  if (route === undefined) return (out, x, shape) => (pick(out, x.data) as UnaryLoop)(out, x, shape);
  return (out, x, shape) => {
    const size = sizeOf(shape);
    if (size >= route.minSize) {
      const kernels = activeKernels();
      if (kernels !== null && runUnary(kernels, route, out, x, shape, size)) return;
    }
    (pick(out, x.data) as UnaryLoop)(out, x, shape);
  };
}

/** The loop computing `out = expression(x, y)`. */
export function binaryLoop(expression: string): BinaryLoop {
  const pick = specialized(2, expression);
  const route = binaryRoute(expression);
  if (route === undefined) return (out, a, b, shape) => (pick(out, a.data, b.data) as BinaryLoop)(out, a, b, shape);
  return (out, a, b, shape) => {
    const size = sizeOf(shape);
    if (size >= route.minSize) {
      const kernels = activeKernels();
      if (kernels !== null && runBinary(kernels, route, out, a, b, shape, size)) return;
    }
    (pick(out, a.data, b.data) as BinaryLoop)(out, a, b, shape);
  };
}

/** The loop computing `out = expression(x, y, z)`. */
export function ternaryLoop(expression: string): TernaryLoop {
  const pick = specialized(3, expression);
  return (out, a, b, c, shape) => (pick(out, a.data, b.data, c.data) as TernaryLoop)(out, a, b, c, shape);
}
