// One seeded Iris run, the same code in Node (with ../../src/index.ts) and in
// Chromium (with the browser bundle): core API only (loadIris, createNetwork,
// fit, predict, toJSON, loadNetwork). Weights come back as hex of their bytes.
const hex = (a) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), (b) => b.toString(16).padStart(2, '0')).join('');

export async function trainIris(bp, backend) {
  const iris = bp.loadIris();
  const x = bp.fitStandardizer(iris.x).transform(iris.x);
  const net = await bp.createNetwork({
    inputSize: 4,
    layers: [{ units: 8, activation: 'relu' }, { units: 3, activation: 'softmax' }],
    loss: 'cross-entropy', optimizer: 'adam', learningRate: 0.01, seed: 42,
    ...(backend ? { backend } : {}),
  });
  const history = await net.fit(x, iris.y, { epochs: 5, batchSize: 16 });
  const out = net.predict(x);
  const accuracy = bp.accuracy(iris.y, net.predictClasses(x));
  const again = await bp.loadNetwork(JSON.stringify(net.toJSON()), { backend: net.backend });
  const out2 = again.predict(x);
  const result = {
    backend: net.backend,
    loss: history.loss,
    accuracy,
    predictHex: hex(out.data),
    reloadedSame: hex(out2.data) === hex(out.data),
    layers: net.getWeights().map((l) => ({ weights: hex(l.weights), bias: hex(l.bias) })),
  };
  net.dispose();
  again.dispose();
  return result;
}

/** Hex of float32 bytes back to numbers (for the tolerance check of the ts backend). */
export function floats(h) {
  const bytes = new Uint8Array(h.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return Array.from(new Float32Array(bytes.buffer));
}
