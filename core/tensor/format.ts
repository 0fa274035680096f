import type { Tensor } from "./tensor.js";

const SUMMARY_THRESHOLD = 1000;
const EDGE_ITEMS = 3;

/**
 * Formats a tensor the way PyTorch prints one: nested brackets, a common number format, and
 * "..." in place of the middle of each dimension when the tensor has more than 1000 elements.
 */
export function formatTensor(t: Tensor): string {
  const flat = t.dataSync();
  const summarize = flat.length > SUMMARY_THRESHOLD;
  const format = chooseFormat(t, flat, summarize);
  const strides: number[] = [];
  let step = 1;
  for (let i = t.ndim - 1; i >= 0; i--) {
    strides[i] = step;
    step *= t.shape[i];
  }
  const indent = "tensor(".length;
  const render = (dim: number, start: number): string => {
    if (dim === t.ndim) return format(flat[start]);
    const size = t.shape[dim];
    const pick = (i: number): string => render(dim + 1, start + i * strides[dim]);
    const parts: string[] = [];
    if (summarize && size > 2 * EDGE_ITEMS) {
      for (let i = 0; i < EDGE_ITEMS; i++) parts.push(pick(i));
      parts.push("...");
      for (let i = size - EDGE_ITEMS; i < size; i++) parts.push(pick(i));
    } else {
      for (let i = 0; i < size; i++) parts.push(pick(i));
    }
    const isLast = dim === t.ndim - 1;
    const separator = isLast ? ", " : "," + "\n".repeat(t.ndim - dim - 1) + " ".repeat(indent + dim + 1);
    return "[" + parts.join(separator) + "]";
  };
  const body = t.ndim === 0 ? format(flat[0]) : render(0, 0);
  const extras: string[] = [];
  if (t.dtype !== "float32" && t.dtype !== "int32" && t.dtype !== "bool") extras.push(`dtype=${t.dtype}`);
  if (t.dtype === "int32" && t.numel() === 0) extras.push("dtype=int32");
  if (t.numel() === 0 && t.ndim > 1) extras.push(`size=[${t.shape.join(", ")}]`);
  if (t.gradFn) extras.push(`gradFn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) extras.push("requiresGrad=true");
  return `tensor(${body}${extras.map((e) => ", " + e).join("")})`;
}

function chooseFormat(t: Tensor, flat: ArrayLike<number>, summarize: boolean): (v: number) => string {
  if (t.dtype === "bool") return (v) => (v ? "true" : "false").padStart(5);
  const sample = summarize ? sampleValues(flat) : Array.from(flat);
  const finite = sample.filter((v) => Number.isFinite(v));
  if (t.dtype === "int32") {
    const width = Math.max(1, ...sample.map((v) => String(v).length));
    return (v) => String(v).padStart(width);
  }
  const maxAbs = Math.max(0, ...finite.map(Math.abs));
  const minAbs = Math.min(Infinity, ...finite.filter((v) => v !== 0).map(Math.abs));
  const allIntegers = finite.every((v) => Number.isInteger(v));
  const scientific = maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs !== Infinity) || (maxAbs / minAbs > 1e3 && !allIntegers);
  const render = (v: number): string => {
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    if (scientific) return v.toExponential(4).replace(/e([+-])(\d)$/, "e$10$2");
    if (allIntegers) return v.toFixed(0) + ".";
    return v.toFixed(4);
  };
  const width = Math.max(1, ...sample.map((v) => render(v).length));
  return (v) => render(v).padStart(width);
}

function sampleValues(flat: ArrayLike<number>): number[] {
  const out: number[] = [];
  const step = Math.max(1, Math.floor(flat.length / 500));
  for (let i = 0; i < flat.length; i += step) out.push(flat[i]);
  out.push(flat[flat.length - 1]);
  return out;
}
