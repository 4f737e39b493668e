// One seeded Iris run for the worker and threads tests, the same code in Node
// (dist/index.js) and in Chromium (the browser bundle): trained in this thread
// ('here') or with trainInWorker ('worker'), on 1 or more threads. Weights come
// back as hex of their bytes.
const hex = (a) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), (b) => b.toString(16).padStart(2, '0')).join('');

export const SPEC = {
  inputSize: 4, layers: [{ units: 16, activation: 'relu' }, { units: 3, activation: 'softmax' }],
  loss: 'cross-entropy', optimizer: 'adam', learningRate: 0.01, seed: 7,
};

export async function trainSeeded(bp, { where = 'here', threads = 1, backend = 'simd', epochs = 8 } = {}) {
  const iris = bp.loadIris();
  const spec = { ...SPEC, backend, threads };
  const options = { epochs, batchSize: 32 };
  let streamed = 0, net, history, usedThreads;
  if (where === 'worker') {
    ({ network: net, history } = await bp.trainInWorker(spec, iris.x, iris.y, { ...options, onEpochEnd: () => { streamed++; } }));
  } else {
    net = await bp.createNetwork(spec);
    usedThreads = net.threads;
    history = await net.fit(iris.x, iris.y, options);
  }
  const result = {
    backend: net.backend, threads: usedThreads, streamed, loss: history.loss,
    layers: net.getWeights().map((l) => ({ weights: hex(l.weights), bias: hex(l.bias) })),
  };
  net.dispose();
  return result;
}
