#!/usr/bin/python3
"""Writes the Wisconsin Diagnostic Breast Cancer data (as shipped with scikit-learn) to data/wdbc.csv.

Run once; the CSV is committed so that training and the Java tests read the same bytes.
Columns: the 30 features in scikit-learn's order (names in snake_case), then `diagnosis` (M or B).
"""
import csv
import pathlib

from sklearn.datasets import load_breast_cancer

OUT = pathlib.Path(__file__).resolve().parent.parent / "data" / "wdbc.csv"


def main():
    data = load_breast_cancer()
    names = [n.replace(" ", "_") for n in data.feature_names]
    malignant = list(data.target_names).index("malignant")
    with OUT.open("w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(names + ["diagnosis"])
        for row, target in zip(data.data, data.target):
            # repr keeps every value exactly as scikit-learn parsed it
            out.writerow([repr(float(v)) for v in row] + ["M" if target == malignant else "B"])
    print(f"wrote {len(data.data)} rows to {OUT}")


if __name__ == "__main__":
    main()
