import { grad as autogradGrad } from "../../autograd/engine.js";
import { isGradEnabled } from "../../autograd/grad_mode.js";
import { record } from "../../autograd/node.js";
import { activeKernels } from "../../backend/backend.js";
import { gemm } from "../../backend/gemm.js";
import { type LstmBackwardArrays, type LstmSequenceArrays, wasmLstmBackward, wasmLstmSequence } from "../../backend/wasm/lstm.js";
import { empty } from "../../tensor/convert.js";
import type { FloatArray } from "../../tensor/dtype.js";
import type { Tensor } from "../../tensor/tensor.js";
import { add } from "../../ops/arithmetic.js";
import { stack } from "../../ops/join.js";
import { matmul } from "../../ops/matmul.js";
import { contiguous, narrow, select, transpose } from "../../ops/shape.js";
import { gateForward, lstmGates } from "./lstm_gates.js";

/**
 * Runs one direction of one LSTM layer over a whole sequence as one op, and returns the output
 * h_t of every step ([T, B, H], in time order), the last h and the last c. The inputs are the
 * input projections `projected` = W_ih x_t + b_ih + b_hh ([T, B, 4·H]), the initial states h0
 * and c0 ([B, H]) and W_hh ([4·H, H]); the steps run in reverse time order when `reverse`.
 *
 * The three results are views of one [T + 1, B, H] tensor: rows 0 to T − 1 hold h_t, row T the
 * last c. Without createGraph its backward is backpropagation through time in one loop, and the
 * gradient of W_hh is one product over all steps instead of one per step. With createGraph the
 * rule rebuilds the steps from lstmGates and tensor ops, so higher-order gradients work. In
 * float32 on the wasm backend, with H a multiple of 4, forward and backward each run as one kernel
 * call over the whole sequence.
 */
export function lstmSequence(projected: Tensor, h0: Tensor, c0: Tensor, weightHh: Tensor, reverse: boolean): [Tensor, Tensor, Tensor] {
  const [steps, batch, fourHidden] = projected.shape;
  const hidden = fourHidden / 4;
  const dtype = projected.dtype;
  const x = contiguous(projected).dataSync() as FloatArray;
  const w = contiguous(weightHh).dataSync() as FloatArray;

  const out = empty([steps + 1, batch, hidden], dtype);
  const y = out.storage.data as FloatArray;
  // What backward reads again: the gate activations, and the states each step started from.
  const activations = empty([steps, batch, 5 * hidden], dtype);
  const hPrevious = empty([steps, batch, hidden], dtype);
  const cPrevious = empty([steps, batch, hidden], dtype);
  const acts = activations.storage.data as FloatArray;
  const hp = hPrevious.storage.data as FloatArray;
  const cp = cPrevious.storage.data as FloatArray;

  const h = contiguous(h0).dataSync() as FloatArray;
  const c = contiguous(c0).dataSync() as FloatArray;
  const kernels = dtype === "float32" ? activeKernels() : null;
  const arrays: ForwardArrays = { projected: x, weight: w, h0: h, c0: c, out: y, activations: acts, hPrevious: hp, cPrevious: cp };
  // With dtype float32, every array is a Float32Array.
  if (kernels === null || !wasmLstmSequence(kernels, arrays as LstmSequenceArrays, steps, batch, hidden, reverse)) {
    loopForward(arrays, steps, batch, hidden, reverse);
  }

  record(out, "lstmSequence", [projected, h0, c0, weightHh], (g, saved, needs) => {
    const [savedProjected, savedH0, savedC0, savedWeight, savedActivations, savedH, savedC] = saved;
    if (isGradEnabled()) return composedBackward(g, [savedProjected, savedH0, savedC0, savedWeight], reverse, needs);
    return loopBackward(g, savedWeight, savedActivations, savedH, savedC, reverse, needs);
  }, [projected, h0, c0, weightHh, activations, hPrevious, cPrevious]);

  const lastTime = reverse ? 0 : steps - 1;
  return [narrow(out, 0, 0, steps), select(out, 0, lastTime), select(out, 0, steps)];
}

/** The arrays of one direction's forward pass. The last four are outputs. */
interface ForwardArrays {
  projected: FloatArray;
  weight: FloatArray;
  h0: FloatArray;
  c0: FloatArray;
  out: FloatArray;
  activations: FloatArray;
  hPrevious: FloatArray;
  cPrevious: FloatArray;
}

/** Runs the forward steps one by one: a product per step, then the gate step. */
function loopForward(arrays: ForwardArrays, steps: number, batch: number, hidden: number, reverse: boolean): void {
  const { projected: x, weight: w, out: y, activations: acts, hPrevious: hp, cPrevious: cp } = arrays;
  const fourHidden = 4 * hidden;
  const rowsPerStep = batch * hidden;
  const gates = new (x.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(batch * fourHidden);
  const state = new (x.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(batch * 2 * hidden);
  const h = arrays.h0.slice();
  const c = arrays.c0.slice();
  for (let s = 0; s < steps; s++) {
    const t = reverse ? steps - 1 - s : s;
    hp.set(h, t * rowsPerStep);
    cp.set(c, t * rowsPerStep);
    // gates = projected[t] + h·W_hhᵀ
    gates.set(x.subarray(t * batch * fourHidden, (t + 1) * batch * fourHidden));
    gemm(false, true, batch, fourHidden, hidden, h, 0, hidden, w, 0, hidden, gates, 0, fourHidden, true);
    const rows = { data: gates, offset: 0, rowStride: fourHidden, colStride: 1 };
    const cells = { data: c, offset: 0, rowStride: hidden, colStride: 1 };
    gateForward(rows, cells, state, acts.subarray(t * batch * 5 * hidden, (t + 1) * batch * 5 * hidden), batch, hidden);
    for (let r = 0; r < batch; r++) {
      h.set(state.subarray(r * 2 * hidden, r * 2 * hidden + hidden), r * hidden);
      c.set(state.subarray(r * 2 * hidden + hidden, (r + 1) * 2 * hidden), r * hidden);
    }
    y.set(h, t * rowsPerStep);
  }
  y.set(c, steps * rowsPerStep);
}

/** Backpropagates through time in one loop, from the saved activations and states. */
function loopBackward(
  grad: Tensor, weightHh: Tensor, activations: Tensor, hPrevious: Tensor, cPrevious: Tensor, reverse: boolean, needs: readonly boolean[],
): (Tensor | null)[] {
  const [steps, batch, hidden] = hPrevious.shape;
  const fourHidden = 4 * hidden;
  const dtype = hPrevious.dtype;
  const g = contiguous(grad).dataSync() as FloatArray;
  const w = contiguous(weightHh).dataSync() as FloatArray;
  const acts = activations.storage.data as FloatArray;
  const cp = cPrevious.storage.data as FloatArray;
  const rowsPerStep = batch * hidden;

  const gradGates = empty([steps, batch, fourHidden], dtype);
  const dg = gradGates.storage.data as FloatArray;
  // The gradients carried from a step to the one before it, starting from those of the last h and c.
  const dh = empty([batch, hidden], dtype);
  const dc = empty([batch, hidden], dtype);
  const dhData = dh.storage.data as FloatArray;
  const dcData = dc.storage.data as FloatArray;
  const gradWeight = needs[3] ? empty([fourHidden, hidden], dtype) : null;
  const gradWeightData = gradWeight === null ? null : (gradWeight.storage.data as FloatArray);
  const gradients = [needs[0] ? gradGates : null, needs[1] ? dh : null, needs[2] ? dc : null, gradWeight];

  const kernels = dtype === "float32" ? activeKernels() : null;
  const arrays = { grad: g, weight: w, activations: acts, hPrevious: hPrevious.storage.data as FloatArray, cPrevious: cp, gradGates: dg, dh: dhData, dc: dcData, gradWeight: gradWeightData };
  // With dtype float32, every array is a Float32Array.
  if (kernels !== null && wasmLstmBackward(kernels, arrays as LstmBackwardArrays, steps, batch, hidden, reverse)) return gradients;

  dcData.set(g.subarray(steps * rowsPerStep, (steps + 1) * rowsPerStep));
  for (let s = steps - 1; s >= 0; s--) {
    const t = reverse ? steps - 1 - s : s;
    const a = t * batch * 5 * hidden;
    const d = t * batch * fourHidden;
    for (let r = 0; r < batch; r++) {
      for (let j = 0; j < hidden; j++) {
        const at = a + r * 5 * hidden + j;
        const i = acts[at];
        const f = acts[at + hidden];
        const gg = acts[at + 2 * hidden];
        const o = acts[at + 3 * hidden];
        const tc = acts[at + 4 * hidden];
        const k = r * hidden + j;
        const dhTotal = g[t * rowsPerStep + k] + dhData[k];
        const dcTotal = dcData[k] + dhTotal * o * (1 - tc * tc);
        const out = d + r * fourHidden + j;
        dg[out] = dcTotal * gg * i * (1 - i);
        dg[out + hidden] = dcTotal * cp[t * rowsPerStep + k] * f * (1 - f);
        dg[out + 2 * hidden] = dcTotal * i * (1 - gg * gg);
        dg[out + 3 * hidden] = dhTotal * tc * o * (1 - o);
        dcData[k] = dcTotal * f;
      }
    }
    // dh_{t−1} = dgates_t · W_hh
    gemm(false, false, batch, hidden, fourHidden, dg, d, fourHidden, w, 0, hidden, dhData, 0, hidden, false);
  }

  if (gradWeightData !== null) {
    // dW_hh = Σ_t dgates_tᵀ · h_{t−1}, one product over every step and batch row.
    gemm(true, false, fourHidden, hidden, steps * batch, dg, 0, fourHidden, arrays.hPrevious, 0, hidden, gradWeightData, 0, hidden, false);
  }
  return gradients;
}

/**
 * Computes the same gradients by rebuilding the steps from lstmGates and tensor ops on the saved
 * inputs and differentiating them with the graph on, for createGraph.
 */
function composedBackward(grad: Tensor, inputs: readonly Tensor[], reverse: boolean, needs: readonly boolean[]): (Tensor | null)[] {
  const [projected, h0, c0, weightHh] = inputs;
  const steps = projected.shape[0];
  const hidden = h0.shape[1];
  const weightT = transpose(weightHh, 0, 1);
  const outputs: Tensor[] = new Array(steps);
  let h = h0;
  let c = c0;
  for (let s = 0; s < steps; s++) {
    const t = reverse ? steps - 1 - s : s;
    [h, c] = lstmGates(add(select(projected, 0, t), matmul(h, weightT)), c, hidden);
    outputs[t] = h;
  }
  const rebuilt = stack([...outputs, c], 0);
  const differentiated = inputs.filter((_, k) => needs[k]);
  const grads = autogradGrad([rebuilt], differentiated, { gradOutputs: [grad], createGraph: true, allowUnused: true });
  let next = 0;
  return inputs.map((_, k) => (needs[k] ? grads[next++] : null));
}
