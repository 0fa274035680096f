// Datasets, batching and built-in data: `pl.data`.
export { Dataset, TensorDataset, Subset, MapDataset, gatherRows } from "./dataset.js";
export { randomSplit, type RandomSplitOptions } from "./split.js";
export { defaultCollate, stackTensors, padSequences, type PaddedSequences } from "./collate.js";
export { DataLoader, type DataLoaderOptions, type DefaultBatch } from "./loader.js";
export { normalize, randomCrop, randomFlip, compose, type Transform, type RandomCropOptions, type RandomFlipOptions } from "./transforms.js";
export { mnist, type MnistOptions, type MnistData } from "./mnist.js";
export { iris, IrisDataset } from "./iris.js";
export { Vocabulary, PAD, BOS, EOS } from "./vocabulary.js";
export { Seq2SeqDataset, PackedSequences, type Seq2SeqItem, type Seq2SeqBatch } from "./seq2seq.js";
export { cmudict, type CmudictOptions, type CmudictTask } from "./cmudict.js";
export { spirals, moons, type SpiralsOptions, type MoonsOptions } from "./synthetic.js";
export { sinusoidTasks, SinusoidTask, type SinusoidOptions, type SinusoidTasks } from "./sinusoid.js";
export { copySequences, reverseSequences, type SequenceTaskOptions } from "./sequences.js";
