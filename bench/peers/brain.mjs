// brain.js 1.6.1: NeuralNetwork, the closest it comes to the MLP workloads. It
// trains per sample (batch size 1: no mini-batches), every layer has the same
// activation (sigmoid here: with relu its output layer would be relu too), the
// loss is ½·Σ(ŷ−y)² with no softmax, and SGD is its default rule with the
// momentum set to 0. It starts from the shared initial weights (written into
// its arrays); `train(data, { iterations: epochs })` is one pass per iteration,
// in the order given (brain.js does not shuffle).
import { createRequire } from 'node:module';
import { now } from '../lib/timing.mjs';
import { oneHotF32 } from '../lib/mnist.mjs';

const require = createRequire(import.meta.url);
const brain = require('brain.js');
// brain.js rejects momentum 0 (it accepts (0, 1)); 1e-300 is a normal double whose
// contribution underflows to 0 at once: plain SGD, as close as brain.js allows.
const MOMENTUM = 1e-300;
export const brainVersion = require('brain.js/package.json').version;

export async function createBrain(spec) {
  const { sizes, optimizer, initial } = spec;
  const net = new brain.NeuralNetwork({ hiddenLayers: sizes.slice(1, -1), activation: 'sigmoid' });
  net.sizes = sizes.slice();
  net.initialize();
  const setWeights = (layers) => layers.forEach((l, i) => {
    const inputs = sizes[i], units = sizes[i + 1];
    for (let j = 0; j < units; j++) {
      net.biases[i + 1][j] = l.bias[j];
      const row = net.weights[i + 1][j]; // brain.js keeps weights[layer][unit][input]
      for (let p = 0; p < inputs; p++) row[p] = l.weights[p * units + j];
    }
  });
  setWeights(initial);
  let data = null; // [dataset, brain.js samples]: converted once, outside the timing
  return {
    system: 'brain.js',
    config: `brain.js ${brainVersion} NeuralNetwork: sigmoid on every layer (no relu/softmax mix), ½·Σ(ŷ−y)² per sample, ` +
      `SGD per sample (batch 1) with learningRate ${optimizer.lr}, momentum 1e-300 (it rejects 0); train(data, { iterations: epochs }) over plain-array samples in the given order; same initial weights`,
    async fitEpochs(ds, epochs) {
      if (!data || data[0] !== ds) {
        const k = sizes[sizes.length - 1], t = oneHotF32(ds.y, k), n = sizes[0];
        data = [ds, Array.from({ length: ds.rows }, (_, i) => ({
          input: Array.from(ds.x.subarray(i * n, (i + 1) * n)), output: Array.from(t.subarray(i * k, (i + 1) * k)),
        }))];
      }
      const marks = [now()];
      const status = net.train(data[1], {
        iterations: epochs, errorThresh: 1e-12, learningRate: optimizer.lr, momentum: MOMENTUM, log: false,
        callback: () => { marks.push(now()); }, callbackPeriod: 1, timeout: Infinity,
      });
      return { epochSeconds: marks.slice(1).map((t, i) => (t - marks[i]) / 1000), loss: status.error };
    },
    getWeights: () => sizes.slice(1).map((units, i) => {
      const inputs = sizes[i], weights = new Float32Array(inputs * units), bias = Float32Array.from(net.biases[i + 1]);
      for (let j = 0; j < units; j++) for (let p = 0; p < inputs; p++) weights[p * units + j] = net.weights[i + 1][j][p];
      return { weights, bias };
    }),
    setWeights,
    dispose() { data = null; },
  };
}
