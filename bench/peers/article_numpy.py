# The article's numpy training loop (../../../shared/seed/: its Iris example),
# as written there — float64, sigmoid recomputed where the article recomputes
# it, the MSE computed every iteration and printed every 100 — with the two
# fixes the library makes too: one-hot targets, and no plot. The weights and the
# 105-row training split come from the bench, so numpy starts where every other
# system starts. A long-lived peer, so the bench can time it in turn with the
# other systems: the first stdin line is the request (JSON); the first stdout
# line answers it:
#   { numpy, python, verify: { W1, b1, W2, b2 after `verifySteps` } }
# after `warmup` untimed runs. Then each stdin line `run` times one run of
# `steps` from the initial weights and answers { seconds }; EOF ends it.
import io
import json
import sys
import time
from contextlib import redirect_stdout

import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def mean_squared_error(y_true, y_pred):
    return np.mean((y_true - y_pred) ** 2)


def train(x_train, y_train, W1, b1, W2, b2, iterations, learning_rate=0.1):
    W1, b1, W2, b2 = W1.copy(), b1.copy(), W2.copy(), b2.copy()
    for i in range(iterations):
        # feedforward propagation
        z1 = np.dot(x_train, W1) + b1
        a1 = sigmoid(z1)
        z2 = np.dot(a1, W2) + b2
        y_pred = sigmoid(z2)
        # error calculation phase
        error = y_pred - y_train
        mse = mean_squared_error(y_train, y_pred)
        # backpropagation phase
        delta_output = error * sigmoid(z2) * (1 - sigmoid(z2))
        dW2 = np.dot(a1.T, delta_output)
        db2 = np.sum(delta_output, axis=0)
        delta_hidden = np.dot(delta_output, W2.T) * sigmoid(z1) * (1 - sigmoid(z1))
        dW1 = np.dot(x_train.T, delta_hidden)
        db1 = np.sum(delta_hidden, axis=0)
        # weight optimization
        W1 -= learning_rate * dW1
        b1 -= learning_rate * db1
        W2 -= learning_rate * dW2
        b2 -= learning_rate * db2
        if i % 100 == 0:
            print(f'Iterations: {i} | Error: {mse}')
    return W1, b1, W2, b2


def main():
    req = json.loads(sys.stdin.readline())
    x = np.array(req['x'], dtype=np.float64)
    t = np.array(req['t'], dtype=np.float64)
    w = [np.array(req[k], dtype=np.float64) for k in ('W1', 'b1', 'W2', 'b2')]
    out = sys.stdout
    sink = io.StringIO()
    with redirect_stdout(sink):
        verify = train(x, t, *w, iterations=req['verifySteps'])
        for _ in range(req['warmup']):
            train(x, t, *w, iterations=req['steps'])
    answer(out, {
        'numpy': np.__version__, 'python': sys.version.split()[0],
        'verify': {k: v.ravel().tolist() for k, v in zip(('W1', 'b1', 'W2', 'b2'), verify)},
    })
    for line in sys.stdin:
        if line.strip() != 'run':
            raise SystemExit(f'article_numpy.py: unknown command {line.strip()!r} (expected run)')
        with redirect_stdout(sink):
            t0 = time.perf_counter()
            train(x, t, *w, iterations=req['steps'])
            seconds = time.perf_counter() - t0
        sink.seek(0)
        sink.truncate()
        answer(out, {'seconds': seconds})


def answer(out, obj):
    out.write(json.dumps(obj) + '\n')
    out.flush()


if __name__ == '__main__':
    main()
