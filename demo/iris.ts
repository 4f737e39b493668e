// The article's Iris example (../shared/seed/ in the project; `--preset article` in
// the CLI): a 70/30 split, a 4-4-3 network with sigmoid layers, weights and biases
// from U[0,1), one-hot targets, full-batch gradient descent with learning rate 0.1
// on ½·Σ(ŷ−y)², 1000 iterations. The library is passed in, so that a test can run
// the very same code in Node and compare bits with the page.
import type * as Library from 'backprop-wasm';
import type { BackendName, FitOptions, History, Matrix, NetworkSpec } from 'backprop-wasm';

/** What this uses of a Network, stated structurally: the page passes the bundle, a test the sources
 *  (two declarations of the class, which TypeScript would not take for one another). */
interface IrisNetwork {
  backend: BackendName;
  fit(x: Matrix, y: Int32Array, options: FitOptions): Promise<History>;
  evaluate(x: Matrix, y: Int32Array): { loss: number };
  predictClasses(x: Matrix): Int32Array;
  dispose(): void;
}
type Lib = Pick<typeof Library, 'loadIris' | 'trainTestSplit' | 'accuracy'> & { createNetwork(spec: NetworkSpec): Promise<IrisNetwork> };

/** The CLI's `--preset article` (src/train.ts), with its default seed and test size. */
export const ARTICLE = { testSize: 0.3, seed: 0, hidden: 4, learningRate: 0.1, iterations: 1000 } as const;

export interface IrisRun {
  backend: BackendName;
  /** the article's "Error" of iteration i: the MSE of its forward pass, before its update */
  mse: number[];
  /** the MSE on the training split after the last update */
  finalMse: number;
  trainAccuracy: number;
  testAccuracy: number;
  seconds: number;
}

export async function runArticleIris(lib: Lib, backend?: BackendName): Promise<IrisRun> {
  const iris = lib.loadIris();
  const { xTrain, xTest, yTrain, yTest } = lib.trainTestSplit(iris.x, iris.y, { testSize: ARTICLE.testSize, seed: ARTICLE.seed, stratify: false });
  const outputs = iris.classNames.length;
  const net = await lib.createNetwork({
    inputSize: iris.x.cols,
    layers: [{ units: ARTICLE.hidden, activation: 'sigmoid' }, { units: outputs, activation: 'sigmoid' }],
    loss: 'sse', optimizer: { type: 'sgd', learningRate: ARTICLE.learningRate }, init: 'uniform', l2: 0, seed: ARTICLE.seed,
    ...(backend ? { backend } : {}),
  });
  try {
    // 'sse' is ½·Σ over rows and outputs; the article plots the mean of (ŷ−y)².
    const mseOf = (sse: number) => (2 * sse) / (xTrain.rows * outputs);
    const mse: number[] = [];
    const history = await net.fit(xTrain, yTrain, {
      epochs: ARTICLE.iterations, batchSize: 'full', shuffle: false,
      onEpochEnd: (_, logs) => { mse.push(mseOf(logs.loss)); },
    });
    return {
      backend: net.backend,
      mse,
      finalMse: mseOf(net.evaluate(xTrain, yTrain).loss),
      trainAccuracy: lib.accuracy(yTrain, net.predictClasses(xTrain)),
      testAccuracy: lib.accuracy(yTest, net.predictClasses(xTest)),
      seconds: history.seconds,
    };
  } finally {
    net.dispose();
  }
}
