// @ts-nocheck: AssemblyScript source, compiled to WebAssembly by `asc` in scripts/build.mjs.
//
// The elementwise half of an LSTM step for float32, four hidden units per iteration.

import { sigmoid32, tanh32 } from "./math32.as";

/**
 * From pre-activations `gates` ([rows, 4·hidden], gate order i, f, g, o) and the cell state `c`
 * ([rows, hidden]), writes out = [h' | c'] ([rows, 2·hidden]) and activations = [i | f | g | o |
 * tanh(c')] ([rows, 5·hidden]), all contiguous float32 at byte addresses. hidden is a multiple of 4.
 */
export function lstmGatesF32(gates: usize, c: usize, out: usize, activations: usize, rows: i32, hidden: i32): void {
  const width = <usize>hidden << 2;
  for (let r = 0; r < rows; r++) {
    const gRow = gates + <usize>r * 4 * width;
    const cRow = c + <usize>r * width;
    const oRow = out + <usize>r * 2 * width;
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
      v128.store(oRow + j, f32x4.mul(o, tc));
      v128.store(oRow + width + j, cNext);
    }
  }
}
