import * as pl from "../../core/index.js";
import type { Tensor } from "../../core/index.js";

/**
 * The small float64 MLP the Hessian tests analyze: 4 → 12 → 12 → 3 with tanh, 255 parameters.
 * It sees 64 random points labeled by a random linear rule and is trained for 30 Adam steps, so
 * the Hessian is not the one at initialization.
 */
export interface MlpProblem {
  model: pl.nn.Module;
  batch: [Tensor, Tensor];
  lossFn: (output: Tensor, target: Tensor) => Tensor;
}

export function mlpProblem(seed = 7): MlpProblem {
  pl.manualSeed(seed);
  const F64 = { dtype: "float64" } as const;
  const model = new pl.nn.Sequential(
    new pl.nn.Linear(4, 12, F64),
    new pl.nn.Tanh(),
    new pl.nn.Linear(12, 12, F64),
    new pl.nn.Tanh(),
    new pl.nn.Linear(12, 3, F64),
  );
  const inputs = pl.randn([64, 4], F64);
  const rule = pl.randn([4, 3], F64);
  const targets = inputs.matmul(rule).argmax(1).int();
  const lossFn = (output: Tensor, target: Tensor): Tensor => pl.nn.functional.crossEntropy(output, target);
  const optimizer = new pl.optim.Adam(model.parameters(), { lr: 0.02 });
  for (let step = 0; step < 30; step++) {
    optimizer.zeroGrad();
    lossFn(model.forward(inputs) as Tensor, targets).backward();
    optimizer.step();
  }
  return { model, batch: [inputs, targets], lossFn };
}
