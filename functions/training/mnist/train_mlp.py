#!/usr/bin/python3
"""Trains the 784 -> 128 -> 10 ReLU MLP for secure serving by secret sharing and writes its model file.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 functions/training/mnist/train_mlp.py

Data: data/mnist-10k-*.gz (the same digits as train.py): the first 8,000 train, the last 2,000 test. Pixels are
scaled to [0, 1]. Model: h = relu(W1 x + b1), scores = W2 h + b2, prediction = argmax(scores). The shared
evaluation reproduces exactly this in fixed point (16 fractional bits), so nothing about the model is
approximated for the secure version.
Deterministic: numpy's PCG64 with a fixed seed for the initialisation and the batch order, mini-batch Adam,
fixed epoch count, single-threaded BLAS (set OPENBLAS_NUM_THREADS=1 so sums are always added in one order).
"""
import json
import os
import pathlib

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402

from train import load  # the logistic model's loader: same files, same scaling  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
MODEL = HERE.parent.parent / "src" / "main" / "resources" / "models" / "mnist-mlp.json"

TRAIN = 8000
HIDDEN = 128
EPOCHS = 25
BATCH = 64
LEARNING_RATE = 1e-3
L2 = 1e-4
SEED = 20260101


def forward(params, x):
    w1, b1, w2, b2 = params
    pre = x @ w1.T + b1
    h = np.maximum(pre, 0)
    return pre, h, h @ w2.T + b2


def train(x, y):
    rng = np.random.default_rng(SEED)
    params = [rng.normal(0, np.sqrt(2 / 784), (HIDDEN, 784)), np.zeros(HIDDEN),
              rng.normal(0, np.sqrt(2 / HIDDEN), (10, HIDDEN)), np.zeros(10)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    beta1, beta2, eps, step = 0.9, 0.999, 1e-8, 0
    onehot = np.eye(10)[y]
    for _ in range(EPOCHS):
        order = rng.permutation(len(y))
        for start in range(0, len(y), BATCH):
            idx = order[start:start + BATCH]
            xb, tb = x[idx], onehot[idx]
            pre, h, s = forward(params, xb)
            e = np.exp(s - s.max(axis=1, keepdims=True))
            d2 = (e / e.sum(axis=1, keepdims=True) - tb) / len(idx)
            dh = (d2 @ params[2]) * (pre > 0)
            grads = [dh.T @ xb + L2 * params[0], dh.sum(axis=0), d2.T @ h + L2 * params[2], d2.sum(axis=0)]
            step += 1
            for i, g in enumerate(grads):
                m[i] = beta1 * m[i] + (1 - beta1) * g
                v[i] = beta2 * v[i] + (1 - beta2) * g * g
                params[i] = params[i] - LEARNING_RATE * (m[i] / (1 - beta1 ** step)) / (
                    np.sqrt(v[i] / (1 - beta2 ** step)) + eps)
    return params


def accuracy(params, x, y):
    correct = int(np.sum(forward(params, x)[2].argmax(axis=1) == y))
    return {"samples": int(len(y)), "correct": correct, "accuracy": correct / len(y)}


def main():
    x, y = load()
    params = train(x[:TRAIN], y[:TRAIN])
    # round to float32 precision: what is written is the model (the Java reference evaluates exactly these)
    params = [p.astype(np.float32).astype(np.float64) for p in params]
    train_m, test_m = accuracy(params, x[:TRAIN], y[:TRAIN]), accuracy(params, x[TRAIN:], y[TRAIN:])
    pre, _, scores = forward(params, x[TRAIN:])
    top2 = np.sort(scores, axis=1)[:, -2:]
    w1, b1, w2, b2 = params
    model = {
        "format": "veil-relu-mlp/1",
        "name": "mnist-mlp",
        "description": "ReLU MLP 784-128-10 on 28x28 MNIST digits, pixels scaled to [0,1] (row-major, 784 values); "
                       "h = relu(W1 x + b1), scores = W2 h + b2, prediction = argmax.",
        "layers": [
            {"weights": [[float(f"{v:.8g}") for v in row] for row in w1], "bias": [float(f"{v:.8g}") for v in b1],
             "activation": "relu"},
            {"weights": [[float(f"{v:.8g}") for v in row] for row in w2], "bias": [float(f"{v:.8g}") for v in b2],
             "activation": "none"},
        ],
        "split": {"data": "functions/training/data/mnist-10k-*-idx*-ubyte.gz",
                  "train": [0, TRAIN], "test": [TRAIN, len(y)]},
        "metrics": {"test": test_m, "train": train_m,
                    "maxAbsWeight": float(max(np.abs(w1).max(), np.abs(w2).max())),
                    "maxAbsPreActivation": float(np.abs(pre).max()), "maxAbsScore": float(np.abs(scores).max()),
                    "minTestTop2Margin": float((top2[:, 1] - top2[:, 0]).min())},
    }
    MODEL.write_text(json.dumps(model, separators=(",", ":")) + "\n")
    print(f"train: accuracy {train_m['accuracy']:.4f} ({train_m['correct']}/{train_m['samples']})")
    print(f"test:  accuracy {test_m['accuracy']:.4f} ({test_m['correct']}/{test_m['samples']})")
    print(json.dumps(model["metrics"]))
    print(f"wrote {MODEL}")


if __name__ == "__main__":
    main()
