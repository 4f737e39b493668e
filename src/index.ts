// backprop-wasm: the public API (DESIGN.md names every export).
export { BackpropError } from './errors.js';
export { matrix, fromRows, type Matrix } from './matrix.js';
export { loadIris, parseCsv, trainTestSplit, fitStandardizer, standardizer, oneHot, type Dataset, type Standardizer } from './data.js';
export { accuracy, confusionMatrix, meanSquaredError, precisionRecallF1, classificationReport, type ClassificationReport, type ClassScores } from './metrics.js';
export { loadMnist, readIdx, BUNDLED_SPLIT, type MnistDataset, type MnistOptions, type IdxArray } from './mnist.js';
export { createNetwork, Network, type FitOptions, type History, type EpochLogs, type LayerWeights, type ModelMetadata } from './network.js';
export { loadNetwork, type ModelJSON } from './model.js';
export { trainInWorker, serveTrainingWorker, type WorkerFitOptions, type WorkerResult } from './worker.js';
export type { NetworkSpec, LayerSpec, OptimizerSpec, Activation, Loss, OptimizerType, Init } from './spec.js';
export { simdSupported, type BackendName } from './backends/index.js';
export {
  createRecurrentNetwork, loadRecurrentNetwork, RecurrentNetwork,
  type RecurrentSpec, type RecurrentWeights, type RecurrentFitOptions, type RecurrentHistory, type SequenceTargets,
  type RecurrentActivation, type RecurrentOutput, type RecurrentModelJSON,
} from './recurrent.js';
export {
  createFixedPointNetwork, loadFixedPointNetwork, FixedPointNetwork,
  type FixedPointSpec, type FixedPointWeights, type FixedPointFitOptions, type FixedPointHistory, type Relaxation,
  type FixedPointActivation, type FixedPointLoss, type FixedPointModelJSON,
} from './fixedpoint.js';
