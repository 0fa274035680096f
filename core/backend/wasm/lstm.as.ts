// @ts-nocheck: AssemblyScript source, compiled to WebAssembly by `asc` in scripts/build.mjs.
//
// LSTM kernels for float32, four hidden units per iteration: the elementwise half of one step,
// and a whole sequence forward and backward with the recurrent products inside linear memory.

import { packAllB32, sgemmPackedB } from "./gemm.as";
import { sigmoid32, tanh32 } from "./math32.as";

/**
 * From pre-activations `gates` ([rows, 4·hidden], gate order i, f, g, o) and the cell state `c`
 * ([rows, hidden]), writes out = [h' | c'] ([rows, 2·hidden]) and activations = [i | f | g | o |
 * tanh(c')] ([rows, 5·hidden]), all contiguous float32 at byte addresses. hidden is a multiple of 4.
 */
export function lstmGatesF32(gates: usize, c: usize, out: usize, activations: usize, rows: i32, hidden: i32): void {
  const width = <usize>hidden << 2;
  gateRows(gates, c, width, out, out + width, 2 * width, activations, rows, hidden);
}

/**
 * Computes the gate step of lstmGatesF32 with separate outputs: row r of c' goes to cOut + r·stride and of
 * h' to hOut + r·stride (byte strides). cOut may be c itself when stride equals cStride.
 */
function gateRows(gates: usize, c: usize, cStride: usize, hOut: usize, cOut: usize, stride: usize, activations: usize, rows: i32, hidden: i32): void {
  const width = <usize>hidden << 2;
  for (let r = 0; r < rows; r++) {
    const gRow = gates + <usize>r * 4 * width;
    const cRow = c + <usize>r * cStride;
    const hRow = hOut + <usize>r * stride;
    const cNextRow = cOut + <usize>r * stride;
    const aRow = activations + <usize>r * 5 * width;
    for (let j: usize = 0; j < width; j += 16) {
      const i = sigmoid32(v128.load(gRow + j));
      const f = sigmoid32(v128.load(gRow + width + j));
      const g = tanh32(v128.load(gRow + 2 * width + j));
      const o = sigmoid32(v128.load(gRow + 3 * width + j));
      const cNext = f32x4.add(f32x4.mul(f, v128.load(cRow + j)), f32x4.mul(i, g));
      const tc = tanh32(cNext);
      v128.store(aRow + j, i);
      v128.store(aRow + width + j, f);
      v128.store(aRow + 2 * width + j, g);
      v128.store(aRow + 3 * width + j, o);
      v128.store(aRow + 4 * width + j, tc);
      v128.store(hRow + j, f32x4.mul(o, tc));
      v128.store(cNextRow + j, cNext);
    }
  }
}

/**
 * Runs one LSTM direction over `steps` steps (in reverse time order when `reverse` is 1). Inputs:
 * projected = W_ih x_t + b ([steps, batch, 4·hidden]), weight = W_hh ([4·hidden, hidden]), and
 * the initial states in h and c ([batch, hidden]; c ends as the last cell state). Outputs: out
 * ([steps + 1, batch, hidden]: h_t at row t, the last c at row steps), activations ([steps, batch,
 * 5·hidden], as lstmGatesF32 writes them), and hPrevious and cPrevious ([steps, batch, hidden]:
 * the states step t started from). Scratch: `gates` ([batch, 4·hidden]), `packed`
 * (packedBytesB32(hidden, 4·hidden) bytes, for W_hhᵀ packed once) and sgemm's `work`.
 */
export function lstmForwardF32(
  steps: i32, batch: i32, hidden: i32, reverse: i32,
  projected: usize, weight: usize, h: usize, c: usize, gates: usize,
  out: usize, activations: usize, hPrevious: usize, cPrevious: usize, packed: usize, work: usize,
): void {
  packAllB32(1, hidden, 4 * hidden, weight, hidden, packed);
  const stateBytes = <usize>(batch * hidden) << 2;
  const gateBytes = stateBytes * 4;
  const activationBytes = stateBytes * 5;
  let hNow = h;
  for (let s = 0; s < steps; s++) {
    const t = reverse ? steps - 1 - s : s;
    memory.copy(hPrevious + <usize>t * stateBytes, hNow, stateBytes);
    memory.copy(cPrevious + <usize>t * stateBytes, c, stateBytes);
    // gates = projected[t] + h·W_hhᵀ
    memory.copy(gates, projected + <usize>t * gateBytes, gateBytes);
    sgemmPackedB(0, batch, 4 * hidden, hidden, hNow, hidden, packed, gates, 4 * hidden, 1, work);
    const hNext = out + <usize>t * stateBytes;
    gateRows(gates, c, <usize>hidden << 2, hNext, c, <usize>hidden << 2, activations + <usize>t * activationBytes, batch, hidden);
    hNow = hNext;
  }
  memory.copy(out + <usize>steps * stateBytes, c, stateBytes);
}

/**
 * Backpropagates through the steps of lstmForwardF32. Inputs: grad, the gradient of its `out`
 * ([steps + 1, batch, hidden]); weight = W_hh ([4·hidden, hidden]); activations and cPrevious as
 * the forward wrote them. Outputs: gradGates ([steps, batch, 4·hidden], the gradient of each
 * step's pre-activations), and dh and dc ([batch, hidden]: the gradients of the initial states).
 * Scratch: `packed` (packedBytesB32(4·hidden, hidden) bytes, for W_hh packed once) and `work`.
 */
export function lstmBackwardF32(
  steps: i32, batch: i32, hidden: i32, reverse: i32,
  grad: usize, weight: usize, activations: usize, cPrevious: usize,
  gradGates: usize, dh: usize, dc: usize, packed: usize, work: usize,
): void {
  packAllB32(0, 4 * hidden, hidden, weight, hidden, packed);
  const width = <usize>hidden << 2;
  const stateBytes = <usize>batch * width;
  memory.copy(dc, grad + <usize>steps * stateBytes, stateBytes);
  memory.fill(dh, 0, stateBytes);
  const ones = f32x4.splat(1);
  for (let s = steps - 1; s >= 0; s--) {
    const t = reverse ? steps - 1 - s : s;
    const gStep = grad + <usize>t * stateBytes;
    const cStep = cPrevious + <usize>t * stateBytes;
    const aStep = activations + <usize>t * stateBytes * 5;
    const dStep = gradGates + <usize>t * stateBytes * 4;
    for (let r = 0; r < batch; r++) {
      const aRow = aStep + <usize>r * 5 * width;
      const dRow = dStep + <usize>r * 4 * width;
      const row = <usize>r * width;
      for (let j: usize = 0; j < width; j += 16) {
        const i = v128.load(aRow + j);
        const f = v128.load(aRow + width + j);
        const g = v128.load(aRow + 2 * width + j);
        const o = v128.load(aRow + 3 * width + j);
        const tc = v128.load(aRow + 4 * width + j);
        const dhTotal = f32x4.add(v128.load(gStep + row + j), v128.load(dh + row + j));
        const dcTotal = f32x4.add(v128.load(dc + row + j), f32x4.mul(f32x4.mul(dhTotal, o), f32x4.sub(ones, f32x4.mul(tc, tc))));
        v128.store(dRow + j, f32x4.mul(f32x4.mul(f32x4.mul(dcTotal, g), i), f32x4.sub(ones, i)));
        v128.store(dRow + width + j, f32x4.mul(f32x4.mul(f32x4.mul(dcTotal, v128.load(cStep + row + j)), f), f32x4.sub(ones, f)));
        v128.store(dRow + 2 * width + j, f32x4.mul(f32x4.mul(dcTotal, i), f32x4.sub(ones, f32x4.mul(g, g))));
        v128.store(dRow + 3 * width + j, f32x4.mul(f32x4.mul(f32x4.mul(dhTotal, tc), o), f32x4.sub(ones, o)));
        v128.store(dc + row + j, f32x4.mul(dcTotal, f));
      }
    }
    // dh_{t−1} = dgates_t · W_hh
    sgemmPackedB(0, batch, hidden, 4 * hidden, dStep, 4 * hidden, packed, dh, hidden, 0, work);
  }
}
