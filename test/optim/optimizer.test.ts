import { afterEach, describe, expect, it } from "vitest";
import * as pl from "../../core/index.js";
import type { Tensor } from "../../core/index.js";

const O = pl.optim;
const F64 = { dtype: "float64" } as const;

function leaf(values: number[], dtype: "float32" | "float64" = "float64"): Tensor {
  return pl.tensor(values, { dtype, requiresGrad: true });
}

/** Sets `param.grad` by backpropagating Σ c·param, so the gradient is exactly `c`. */
function setGrad(param: Tensor, c: number[]): void {
  param.mul(pl.tensor(c, { dtype: param.dtype })).sum().backward();
}

function values(t: Tensor): number[] {
  return Array.from(t.dataSync());
}

describe("optimizer options", () => {
  const p = () => [leaf([1, 2])];

  it("rejects a negative lr", () => {
    expect(() => new O.SGD(p(), { lr: -0.1 })).toThrow("SGD: invalid lr=-0.1; expected a number >= 0.");
  });

  it("rejects a NaN lr", () => {
    expect(() => new O.Adam(p(), { lr: NaN })).toThrow("Adam: invalid lr=NaN; expected a number >= 0.");
  });

  it("rejects betas outside [0, 1)", () => {
    expect(() => new O.Adam(p(), { betas: [0.9, 1] })).toThrow("Adam: invalid betas[1]=1; expected a number in [0, 1).");
    expect(() => new O.AdamW(p(), { betas: [-0.1, 0.9] })).toThrow("AdamW: invalid betas[0]=-0.1; expected a number in [0, 1).");
    expect(() => new O.Adam(p(), { betas: [0.9] as unknown as [number, number] })).toThrow("invalid betas=[0.9]; expected a pair");
  });

  it("names the valid options for an unknown one", () => {
    expect(() => new O.Adam(p(), { learningRate: 0.1 } as never)).toThrow(
      'Adam: unknown option "learningRate"; valid options are lr, betas, eps, weightDecay, amsgrad, maximize.',
    );
    expect(() => new O.SGD([{ params: p(), lrr: 1 } as never])).toThrow('SGD.addParamGroup: unknown option "lrr"');
  });

  it("rejects a bare value in place of the options object, showing the object form", () => {
    const constructors = [O.SGD, O.Adam, O.AdamW, O.RMSprop, O.Adagrad, O.LBFGS, O.BFGS, O.Newton, O.NewtonCG, O.AdaHessian];
    for (const Optimizer of constructors) {
      expect(() => new Optimizer(p(), 0.1 as never)).toThrow(`${Optimizer.name}: options must be an object such as { lr: 0.1 }, got 0.1`);
    }
    expect(() => pl.optim.clipGradNorm(p(), 1, 2, true as never)).toThrow("clipGradNorm: options must be an object such as { errorIfNonfinite: true }");
  });

  it("rejects invalid values of every optimizer", () => {
    expect(() => new O.RMSprop(p(), { alpha: -1 })).toThrow("RMSprop: invalid alpha=-1");
    expect(() => new O.RMSprop(p(), { centered: 1 as never })).toThrow("RMSprop: invalid centered=1; expected true or false.");
    expect(() => new O.Adagrad(p(), { lrDecay: -1 })).toThrow("Adagrad: invalid lrDecay=-1");
    expect(() => new O.Adagrad(p(), { initialAccumulatorValue: -1 })).toThrow("Adagrad: invalid initialAccumulatorValue=-1");
    expect(() => new O.SGD(p(), { weightDecay: -0.5 })).toThrow("SGD: invalid weightDecay=-0.5");
    expect(() => new O.Adam(p(), { eps: -1 })).toThrow("Adam: invalid eps=-1");
  });

  it("requires momentum and no dampening for nesterov", () => {
    expect(() => new O.SGD(p(), { nesterov: true })).toThrow("SGD: nesterov=true requires momentum > 0 and dampening = 0, got momentum=0 and dampening=0.");
    expect(() => new O.SGD(p(), { nesterov: true, momentum: 0.9, dampening: 0.1 })).toThrow("dampening=0.1");
  });

  it("rejects an lr set to NaN after construction at step", () => {
    const params = p();
    const optimizer = new O.SGD(params, { lr: 0.1 });
    optimizer.paramGroups[0].lr = NaN;
    setGrad(params[0], [1, 1]);
    expect(() => optimizer.step()).toThrow("SGD: invalid lr=NaN");
  });

  it("rejects bad parameter lists", () => {
    expect(() => new O.SGD([])).toThrow("SGD: the parameter list is empty");
    expect(() => new O.SGD(3 as never)).toThrow("SGD: params must be an array of tensors or of groups");
    const x = leaf([1]);
    expect(() => new O.SGD([x.mul(2)])).toThrow("params[0] (shape [1]) is not a leaf tensor");
    expect(() => new O.SGD([pl.tensor([1, 2], { dtype: "int32" })])).toThrow("params[0] has dtype int32");
    expect(() => new O.SGD([{ params: [x] }, { params: [x] }])).toThrow("parameter 0 (shape [1]) is already in another group");
    expect(() => new O.SGD([{ params: [x] }, { lr: 0.1 } as never])).toThrow("SGD.addParamGroup: expected a group such as { params: [w, b], lr: 0.01 }, got an object (Object).");
  });

  it("fills the defaults into every group", () => {
    const optimizer = new O.Adam([{ params: p(), lr: 0.5 }, { params: p() }], { eps: 1e-6 });
    expect(optimizer.paramGroups[0]).toMatchObject({ lr: 0.5, eps: 1e-6, betas: [0.9, 0.999], weightDecay: 0, amsgrad: false });
    expect(optimizer.paramGroups[1]).toMatchObject({ lr: 1e-3, eps: 1e-6 });
    expect(new O.AdamW(p()).defaults.weightDecay).toBe(0.01);
  });
});

describe("optimizer steps", () => {
  it("takes one plain SGD step as θ − lr·g", () => {
    const x = leaf([1, -2, 3]);
    const optimizer = new O.SGD([x], { lr: 0.5 });
    setGrad(x, [2, 4, -6]);
    optimizer.step();
    expect(values(x)).toEqual([0, -4, 6]);
  });

  it("takes a first Adam step of lr·g / (|g| + ε)", () => {
    const x = leaf([0, 0]);
    const optimizer = new O.Adam([x], { lr: 0.1, eps: 1e-8 });
    setGrad(x, [3, -0.5]);
    optimizer.step();
    const [a, b] = values(x);
    expect(a).toBeCloseTo(-0.1 * (3 / (3 + 1e-8)), 14);
    expect(b).toBeCloseTo(0.1 * (0.5 / (0.5 + 1e-8)), 14);
  });

  it("applies each group's own lr", () => {
    const a = leaf([1]);
    const b = leaf([1]);
    const optimizer = new O.SGD([{ params: [a] }, { params: [b], lr: 0.25 }], { lr: 0.5 });
    setGrad(a, [1]);
    setGrad(b, [1]);
    optimizer.step();
    expect(values(a)).toEqual([0.5]);
    expect(values(b)).toEqual([0.75]);
  });

  it("trains a group added later", () => {
    const a = leaf([1]);
    const b = leaf([2]);
    const optimizer = new O.SGD([a], { lr: 0.5, momentum: 0.9 });
    optimizer.addParamGroup({ params: [b], lr: 0.1 });
    expect(optimizer.paramGroups[1]).toMatchObject({ lr: 0.1, momentum: 0.9 });
    setGrad(b, [1]);
    optimizer.step();
    expect(values(b)[0]).toBeCloseTo(1.9, 15);
    expect(optimizer.state.has(a)).toBe(false);
    expect(() => optimizer.addParamGroup({ params: [a] })).toThrow("already in another group");
  });

  it("skips parameters without a gradient", () => {
    const a = leaf([1, 2]);
    const b = leaf([3]);
    const optimizer = new O.Adam([a, b], { lr: 0.1 });
    setGrad(a, [1, 1]);
    optimizer.step();
    expect(values(b)).toEqual([3]);
    expect(optimizer.state.has(b)).toBe(false);
    expect(optimizer.state.get(a)?.step).toBe(1);
  });

  it("returns the closure's loss with gradients computed", () => {
    const x = leaf([3]);
    const optimizer = new O.SGD([x], { lr: 0.25 });
    const loss = optimizer.step(() => {
      optimizer.zeroGrad();
      const value = x.mul(x).sum();
      value.backward();
      return value;
    });
    expect(loss?.item()).toBe(9);
    expect(values(x)).toEqual([1.5]);
  });

  it("runs the closure with grad mode on inside noGrad", () => {
    const x = leaf([1]);
    const optimizer = new O.SGD([x], { lr: 0.1 });
    const loss = pl.noGrad(() =>
      optimizer.step(() => {
        const value = x.mul(x).sum();
        value.backward();
        return value;
      }),
    );
    expect(loss?.requiresGrad).toBe(true);
    expect(values(x)[0]).toBeCloseTo(0.8, 15);
  });

  it("updates in place, bumping the storage version", () => {
    const x = leaf([1, 2]);
    const storage = x.storage;
    const before = x.version;
    const optimizer = new O.SGD([x], { lr: 0.1 });
    const saved = x.mul(x).sum();
    setGrad(x, [1, 1]);
    optimizer.step();
    expect(x.storage).toBe(storage);
    expect(x.version).toBeGreaterThan(before);
    expect(() => saved.backward()).toThrow(pl.AutogradError);
  });

  it("records no graph for the update", () => {
    const x = leaf([1, 2]);
    const optimizer = new O.Adam([x], { lr: 0.1 });
    setGrad(x, [1, 1]);
    optimizer.step();
    expect(x.isLeaf).toBe(true);
    const state = optimizer.state.get(x) ?? {};
    expect((state.expAvg as Tensor).requiresGrad).toBe(false);
  });

  it("keeps float32 parameters and state in float32", () => {
    const x = leaf([1, 2], "float32");
    const optimizer = new O.RMSprop([x], { lr: 0.1, centered: true, momentum: 0.5 });
    setGrad(x, [0.5, -0.5]);
    optimizer.step();
    expect(x.dtype).toBe("float32");
    for (const key of ["squareAvg", "gradAvg", "momentumBuffer"]) expect((optimizer.state.get(x)?.[key] as Tensor).dtype).toBe("float32");
  });

  it("takes the same Adam step for a strided gradient", () => {
    const run = (strided: boolean) => {
      const x = pl.tensor([[1, 2], [3, 4]], { ...F64, requiresGrad: true });
      const optimizer = new O.Adam([x], { lr: 0.1, amsgrad: true });
      for (let i = 0; i < 3; i++) {
        const g = pl.tensor([[0.5, -1], [2, 0.25]], F64).mul(i + 1);
        x.grad = strided ? g.t().contiguous().t() : g;
        expect(x.grad.isContiguous()).toBe(!strided);
        optimizer.step();
      }
      return values(x);
    };
    expect(run(true)).toEqual(run(false));
  });

  it("rejects a gradient of the wrong shape", () => {
    const x = leaf([1, 2]);
    const optimizer = new O.SGD([x], { lr: 0.1 });
    x.grad = pl.tensor([1, 2, 3], F64);
    expect(() => optimizer.step()).toThrow("SGD.step: a gradient of shape [3] was set on a parameter of shape [2]");
  });

  it("initializes state a changed option needs", () => {
    const x = leaf([1]);
    const optimizer = new O.Adam([x], { lr: 0.1 });
    setGrad(x, [1]);
    optimizer.step();
    optimizer.paramGroups[0].amsgrad = true;
    optimizer.zeroGrad();
    setGrad(x, [1]);
    optimizer.step();
    expect(optimizer.state.get(x)?.maxExpAvgSq).toBeInstanceOf(pl.Tensor);
  });
});

describe("zeroGrad", () => {
  it("drops gradients by default", () => {
    const x = leaf([1]);
    const optimizer = new O.SGD([x]);
    setGrad(x, [2]);
    optimizer.zeroGrad();
    expect(x.grad).toBeNull();
  });

  it("zeros gradients in place with setToNone false", () => {
    const x = leaf([1, 2]);
    const optimizer = new O.SGD([x]);
    setGrad(x, [2, 3]);
    const grad = x.grad;
    optimizer.zeroGrad({ setToNone: false });
    expect(x.grad).toBe(grad);
    expect(values(grad as Tensor)).toEqual([0, 0]);
  });

  it("rejects unknown options", () => {
    expect(() => new O.SGD([leaf([1])]).zeroGrad({ setToNull: true } as never)).toThrow('SGD.zeroGrad: unknown option "setToNull"; valid options are setToNone.');
  });
});

describe("stateDict", () => {
  function train(optimizer: pl.optim.Optimizer<pl.optim.BaseOptions>, params: Tensor[], steps: number): void {
    for (let i = 0; i < steps; i++) {
      optimizer.zeroGrad();
      params[0].mul(params[0]).sum().add(params[1].mul(params[0].sum()).sum()).backward();
      optimizer.step();
    }
  }

  it("resumes training exactly after loading", () => {
    const make = () => [leaf([1, -2, 0.5]), leaf([0.3, 0.7])];
    const reference = make();
    const refOptimizer = new O.Adam([{ params: [reference[0]] }, { params: [reference[1]], lr: 0.01 }], { lr: 0.05, amsgrad: true });
    train(refOptimizer, reference, 10);

    const first = make();
    const firstOptimizer = new O.Adam([{ params: [first[0]] }, { params: [first[1]], lr: 0.01 }], { lr: 0.05, amsgrad: true });
    train(firstOptimizer, first, 5);
    const saved = firstOptimizer.stateDict();
    expect(saved.paramGroups.map((g) => g.params)).toEqual([[0], [1]]);
    expect(Object.keys(saved.state[0]).sort()).toEqual(["expAvg", "expAvgSq", "maxExpAvgSq", "step"]);

    const resumed = first.map((p) => leaf(values(p)));
    const resumedOptimizer = new O.Adam([{ params: [resumed[0]] }, { params: [resumed[1]] }], { lr: 0.9 });
    resumedOptimizer.loadStateDict(saved);
    expect(resumedOptimizer.paramGroups[1].lr).toBe(0.01);
    train(resumedOptimizer, resumed, 5);
    resumed.forEach((p, i) => expect(values(p)).toEqual(values(reference[i])));
  });

  it("copies array options per group", () => {
    const optimizer = new O.Adam([{ params: [leaf([1])] }, { params: [leaf([2])] }], { betas: [0.8, 0.9] });
    optimizer.paramGroups[0].betas[0] = 0.5;
    expect(optimizer.paramGroups[1].betas).toEqual([0.8, 0.9]);
    expect(optimizer.defaults.betas).toEqual([0.8, 0.9]);
    expect(new O.Adam([leaf([1])]).defaults.betas).toEqual([0.9, 0.999]);
  });

  it("copies group options so later changes do not leak", () => {
    const optimizer = new O.Adam([leaf([1])]);
    const saved = optimizer.stateDict();
    optimizer.paramGroups[0].betas[0] = 0.5;
    expect(saved.paramGroups[0].betas).toEqual([0.9, 0.999]);
  });

  it("casts loaded state to the parameter dtype", () => {
    const x = leaf([1, 2]);
    const optimizer = new O.SGD([x], { momentum: 0.9 });
    setGrad(x, [1, 1]);
    optimizer.step();
    const y = leaf([1, 2], "float32");
    const other = new O.SGD([y], { momentum: 0.9 });
    other.loadStateDict(optimizer.stateDict());
    expect((other.state.get(y)?.momentumBuffer as Tensor).dtype).toBe("float32");
  });

  it("rejects mismatched groups and shapes", () => {
    const x = leaf([1, 2]);
    const optimizer = new O.SGD([x], { momentum: 0.9 });
    setGrad(x, [1, 1]);
    optimizer.step();
    const saved = optimizer.stateDict();
    expect(() => new O.SGD([leaf([1, 2]), leaf([3])]).loadStateDict(saved)).toThrow(
      "SGD.loadStateDict: the saved state has parameter groups of sizes [1], but this optimizer has [2]",
    );
    expect(() => new O.SGD([leaf([1, 2, 3])]).loadStateDict(saved)).toThrow(
      'SGD.loadStateDict: state field "momentumBuffer" of parameter 0 has shape [2], but the parameter has shape [3].',
    );
    expect(() => new O.SGD([leaf([1, 2])]).loadStateDict({ state: { 4: {} }, paramGroups: saved.paramGroups })).toThrow(
      "has an entry for parameter 4, but the valid indices are 0 to 0",
    );
    expect(() => new O.SGD([leaf([1, 2])]).loadStateDict({ state: {}, paramGroups: [{ ...saved.paramGroups[0], lr: -1 }] })).toThrow("SGD: invalid lr=-1");
  });
});

describe("update transforms", () => {
  it("match the class when used functionally", () => {
    const options = { lr: 0.1, betas: [0.9, 0.99] as [number, number], eps: 1e-8, weightDecay: 0.1, amsgrad: false, maximize: false };
    const transform = O.adamw(options);
    const param = pl.tensor([1, -1], F64);
    const grad = pl.tensor([0.5, 2], F64);
    let state = transform.init(param);
    let current = param;
    for (let i = 0; i < 3; i++) {
      const result = transform.update(grad, state, current);
      state = { ...state, ...result.state };
      current = current.add(result.update);
    }

    const x = leaf([1, -1]);
    const optimizer = new O.AdamW([x], options);
    for (let i = 0; i < 3; i++) {
      x.grad = pl.tensor([0.5, 2], F64);
      optimizer.step();
    }
    expect(values(x)).toEqual(values(current));
    expect(state.step).toBe(3);
  });

  it("leave their input state unchanged", () => {
    const transform = O.chain(O.scaleByAdam({ beta1: 0.9, beta2: 0.999, eps: 1e-8, amsgrad: true }), O.scaleByLearningRate(0.1));
    const param = pl.tensor([1, 2], F64);
    const state = transform.init(param);
    transform.update(pl.tensor([1, 1], F64), state, param);
    expect(state.step).toBe(0);
    expect(values(state.expAvg as Tensor)).toEqual([0, 0]);
  });

  it("compose into a custom optimizer", () => {
    const signDescent = O.chain(O.stateless((update) => pl.sign(update)), O.scaleByLearningRate(0.5));
    const param = pl.tensor([1, 1], F64);
    const { update } = signDescent.update(pl.tensor([3, -0.1], F64), signDescent.init(param), param);
    expect(values(update)).toEqual([-0.5, 0.5]);
  });

  it("stay differentiable with grad mode on", () => {
    const transform = O.adam({ lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: true, maximize: false });
    const param = pl.tensor([1, -2, 3], F64);
    const grad = pl.tensor([0.5, -1, 2], { ...F64, requiresGrad: true });
    const state = transform.init(param);
    const graphed = transform.update(grad, state, param).update;
    const fused = pl.noGrad(() => transform.update(grad, state, param).update);

    expect(graphed.requiresGrad).toBe(true);
    expect(fused.requiresGrad).toBe(false);
    values(graphed).forEach((v, i) => expect(v).toBeCloseTo(values(fused)[i], 15));
    // On the first step the update is −lr·g/(|g| + ε), so its derivative by g is −lr·ε/(|g| + ε)².
    // The autograd result comes from terms that cancel to 1e-8 of their size, hence the 1e-6 tolerance.
    const [derivative] = pl.autograd.grad([graphed.sum()], [grad]);
    values(derivative as Tensor).forEach((d, i) => {
      const exact = (-0.1 * 1e-8) / (Math.abs(values(grad)[i]) + 1e-8) ** 2;
      expect(Math.abs(d - exact), `element ${i}: ${d} != ${exact}`).toBeLessThan(1e-6 * Math.abs(exact));
    });
  });

  it("reject two transforms that own one field", () => {
    const momentum = O.traceMomentum({ momentum: 0.9, dampening: 0, nesterov: false });
    expect(() => O.chain(momentum, momentum)).toThrow('chain: two transforms own the state field "momentumBuffer"');
  });
});

describe("in-place Adam step", () => {
  type Case = { name: string; make: (params: Tensor[]) => pl.optim.Optimizer<pl.optim.AdamOptions>; transform: (o: pl.optim.AdamOptions) => pl.optim.UpdateTransform };
  const cases: Case[] = [
    { name: "Adam", make: (p) => new pl.optim.Adam(p, { lr: 0.01 }), transform: O.adam },
    { name: "Adam with L2, amsgrad and maximize", make: (p) => new pl.optim.Adam(p, { lr: 0.03, weightDecay: 0.1, amsgrad: true, maximize: true }), transform: O.adam },
    { name: "AdamW", make: (p) => new pl.optim.AdamW(p, { lr: 0.02, weightDecay: 0.05, betas: [0.8, 0.99] }), transform: O.adamw },
  ];

  afterEach(() => pl.setBackend("wasm"));

  for (const { name, make, transform } of cases) {
    for (const [dtype, backend] of [["float32", "wasm"], ["float64", "wasm"], ["float32", "typescript"], ["float64", "typescript"]] as const) {
      it(`${name} in ${dtype} on the ${backend} backend gives the transforms' parameters and state`, () => {
        pl.setBackend(backend);
        pl.manualSeed(3);
        const param = pl.randn([5, 7], { dtype, requiresGrad: true });
        const optimizer = make([param]);
        const chain = transform(optimizer.paramGroups[0]);
        let reference = param.detach().clone();
        let state = chain.init(reference);
        let firstBuffer: unknown;
        for (let step = 0; step < 4; step++) {
          const grad = pl.randn([5, 7], { dtype });
          param.grad = grad.clone();
          const versionBefore = param.version;
          optimizer.step();
          expect(param.version).toBeGreaterThan(versionBefore);
          firstBuffer ??= optimizer.state.get(param)!.expAvg;
          const result = chain.update(grad, state, reference);
          state = { ...state, ...result.state };
          reference = reference.add(result.update);
        }
        // The float32 wasm kernel computes in float32 lanes; every other path rounds as the chain does.
        const exact = dtype === "float64" || backend === "typescript";
        const same = (actual: Tensor, expected: Tensor, what: string): void => {
          if (exact) {
            expect(Array.from(actual.dataSync()), what).toEqual(Array.from(expected.dataSync()));
            return;
          }
          const e = expected.dataSync();
          actual.dataSync().forEach((value, i) => expect(Math.abs(value - e[i]), `${what}[${i}]`).toBeLessThanOrEqual(1e-5 * Math.abs(e[i])));
        };
        same(param, reference, "param");
        const own = optimizer.state.get(param)!;
        // The in-place path keeps the buffers it started with.
        expect(own.expAvg).toBe(firstBuffer);
        expect(own.step).toBe(4);
        for (const key of ["expAvg", "expAvgSq", "maxExpAvgSq"]) {
          if (state[key] !== undefined) same(own[key] as Tensor, state[key] as Tensor, key);
        }
      });
    }
  }

  it("falls back to the transforms for a non-contiguous parameter", () => {
    const base = pl.tensor([[1, 2], [3, 4]], { ...F64, requiresGrad: true });
    const param = base.detach().t().requiresGrad_();
    const optimizer = new pl.optim.Adam([param], { lr: 0.1 });
    param.grad = pl.tensor([[1, -1], [2, -2]], F64);
    optimizer.step();
    // The first step moves each entry by lr against the sign of its gradient.
    values(param).forEach((v, i) => expect(v).toBeCloseTo([0.9, 3.1, 1.9, 4.1][i], 6));
  });
});
