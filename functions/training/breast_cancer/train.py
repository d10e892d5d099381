#!/usr/bin/python3
"""Trains the breast-cancer diagnosis MLP (30 -> 16 -> 2) and writes the model file the Java function loads.

    /usr/bin/python3 functions/training/breast_cancer/train.py

Model (exactly what BreastCancerModel and the encrypted function evaluate):
    z      = (x - mean) / std                      standard scaling, statistics of the training rows
    h      = act(W1 z + b1)                        act(t) = 0.5 + 0.197 t - 0.004 t^3 (cubic sigmoid approximation)
    scores = W2 h + b2                             linear output layer: no activation, so the encrypted
                                                   version needs no extra multiplicative depth
    probabilities = softmax(scores)                computed after decryption; argmax(scores) is the prediction

The network is trained with the cubic itself as its activation, so the committed weights are the polynomial
function that gets evaluated. The cubic tracks the sigmoid only for |t| <~ 4 (it peaks at t = 4.05 and turns
back down after), so the loss penalises hidden pre-activations outside [-BOUND, BOUND], well inside the rising
part, and an L2 term keeps the weights small; the script reports how far the pre-activations reach on every row.

Split: scikit-learn's train_test_split(test_size=0.2, random_state=42) over the rows of data/wdbc.csv, i.e.
455 training and 114 validation rows; the validation row indices are stored in the model file.
Labels: 1 = malignant (M), 0 = benign (B); F1 is reported with malignant as the positive class.

Deterministic: fixed seeds, full-batch Adam, no data-dependent randomness.
"""
import csv
import json
import math
import pathlib

import numpy as np
from sklearn.model_selection import train_test_split

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parent / "data" / "wdbc.csv"
MODEL = HERE.parent.parent / "src" / "main" / "resources" / "models" / "breast-cancer-mlp.json"

SPLIT_SEED = 42
INIT_SEED = 7
HIDDEN = 16
ACTIVATION = [0.5, 0.197, 0.0, -0.004]  # coefficients of t^0 .. t^3
EPOCHS = 3000
LEARNING_RATE = 0.01
L2 = 1e-3
BOUND = 3.0
BOUND_WEIGHT = 1.0


def load():
    with DATA.open() as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    x = np.array([[float(v) for v in r[:-1]] for r in body])
    y = np.array([1 if r[-1] == "M" else 0 for r in body])
    return header[:-1], x, y


def act(t):
    return ACTIVATION[0] + ACTIVATION[1] * t + ACTIVATION[3] * t ** 3


def act_grad(t):
    return ACTIVATION[1] + 3 * ACTIVATION[3] * t ** 2


def forward(params, z):
    w1, b1, w2, b2 = params
    pre = z @ w1.T + b1
    hidden = act(pre)
    return pre, hidden, hidden @ w2.T + b2


def softmax(s):
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def train(z, y):
    rng = np.random.RandomState(INIT_SEED)
    params = [
        rng.normal(0, math.sqrt(1.0 / z.shape[1]), (HIDDEN, z.shape[1])),
        np.zeros(HIDDEN),
        rng.normal(0, math.sqrt(1.0 / HIDDEN), (2, HIDDEN)),
        np.zeros(2),
    ]
    onehot = np.eye(2)[y]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    n = len(y)
    for step in range(1, EPOCHS + 1):
        w1, b1, w2, b2 = params
        pre, hidden, scores = forward(params, z)
        d_scores = (softmax(scores) - onehot) / n
        g_w2 = d_scores.T @ hidden + 2 * L2 * w2
        g_b2 = d_scores.sum(axis=0)
        over = np.maximum(np.abs(pre) - BOUND, 0.0) * np.sign(pre)
        d_pre = (d_scores @ w2) * act_grad(pre) + BOUND_WEIGHT * 2 * over / n
        g_w1 = d_pre.T @ z + 2 * L2 * w1
        g_b1 = d_pre.sum(axis=0)
        for i, g in enumerate([g_w1, g_b1, g_w2, g_b2]):
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            m_hat = m[i] / (1 - beta1 ** step)
            v_hat = v[i] / (1 - beta2 ** step)
            params[i] = params[i] - LEARNING_RATE * m_hat / (np.sqrt(v_hat) + eps)
    return params


def metrics(y_true, y_pred):
    tp = int(np.sum((y_pred == 1) & (y_true == 1)))
    fp = int(np.sum((y_pred == 1) & (y_true == 0)))
    fn = int(np.sum((y_pred == 0) & (y_true == 1)))
    correct = int(np.sum(y_pred == y_true))
    return {
        "samples": int(len(y_true)),
        "correct": correct,
        "accuracy": correct / len(y_true),
        "f1Malignant": 2 * tp / (2 * tp + fp + fn),
    }


def main():
    names, x, y = load()
    train_idx, val_idx = train_test_split(
        np.arange(len(y)), test_size=0.2, random_state=SPLIT_SEED)
    val_idx = np.sort(val_idx)
    train_idx = np.sort(train_idx)
    mean = x[train_idx].mean(axis=0)
    std = x[train_idx].std(axis=0)
    z = (x - mean) / std

    params = train(z[train_idx], y[train_idx])
    pre, _, scores = forward(params, z)
    pred = scores.argmax(axis=1)
    train_m = metrics(y[train_idx], pred[train_idx])
    val_m = metrics(y[val_idx], pred[val_idx])
    reach = float(np.abs(pre).max())
    grid = np.linspace(-reach, reach, 2001)
    sigmoid_gap = float(np.abs(act(grid) - 1 / (1 + np.exp(-grid))).max())
    # an encrypted evaluation agrees on every label as long as its error stays below half this margin
    margin = float(np.abs(scores[val_idx, 1] - scores[val_idx, 0]).min())

    w1, b1, w2, b2 = params
    model = {
        "format": "veil-mlp/1",
        "name": "breast-cancer",
        "description": "Wisconsin diagnostic breast cancer MLP 30-16-2, cubic sigmoid approximation after the "
                       "hidden layer, linear output scores, softmax probabilities. Class 1 = malignant.",
        "features": names,
        "classes": ["benign", "malignant"],
        "scaler": {"mean": mean.tolist(), "std": std.tolist()},
        "activation": {"polynomial": ACTIVATION, "appliedAfter": "hidden"},
        "layers": [
            {"weights": w1.tolist(), "bias": b1.tolist()},
            {"weights": w2.tolist(), "bias": b2.tolist()},
        ],
        "split": {"method": "sklearn train_test_split(test_size=0.2, random_state=%d)" % SPLIT_SEED,
                  "data": "functions/training/data/wdbc.csv",
                  "validationRows": val_idx.tolist()},
        "metrics": {"validation": val_m, "train": train_m,
                    "maxAbsHiddenPreActivation": reach,
                    "maxAbsScore": float(np.abs(scores).max()),
                    "minValidationScoreMargin": margin},
    }
    MODEL.parent.mkdir(parents=True, exist_ok=True)
    MODEL.write_text(json.dumps(model, indent=1) + "\n")

    print(f"train:      accuracy {train_m['accuracy']:.4f} ({train_m['correct']}/{train_m['samples']}), "
          f"F1 {train_m['f1Malignant']:.4f}")
    print(f"validation: accuracy {val_m['accuracy']:.4f} ({val_m['correct']}/{val_m['samples']}), "
          f"F1 {val_m['f1Malignant']:.4f}   (seed notebook: 0.956 accuracy, 0.944 F1)")
    print(f"max |hidden pre-activation| over all 569 rows: {reach:.3f}; "
          f"max |cubic - sigmoid| on that range: {sigmoid_gap:.4f}")
    print(f"max |score|: {model['metrics']['maxAbsScore']:.3f}; smallest validation |score1 - score0|: {margin:.3f}; "
          f"max |W1| {np.abs(w1).max():.3f}, max |W2| {np.abs(w2).max():.3f}")
    print(f"wrote {MODEL}")


if __name__ == "__main__":
    main()
