#!/usr/bin/env python3
"""Writes the ResNet-50 pipeline as two ONNX files with seeded (untrained) weights.

No package registry these machines reach ships trained ResNet-50 weights, so the architecture is
torchvision's resnet50 with its default initialisation under a fixed seed. The split follows the
seed service's pipeline: featurizer (everything up to the global average pool, 2048 features) and
classifier head (2048 -> 1000 logits). Both take a dynamic batch dimension.

Usage: resnet50_onnx.py OUT_DIR   (writes featurizer.onnx and classifier.onnx atomically)
Run by dev.veil.fpga.SeededResNet50, which caches the result under ~/.cache/veil/models.
"""
import os
import sys

import torch
import torchvision

SEED = 20240501
OPSET = 13


class Featurizer(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.body = torch.nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool,
                                        net.layer1, net.layer2, net.layer3, net.layer4, net.avgpool)

    def forward(self, x):
        return torch.flatten(self.body(x), 1)


def export(module, example, path, input_name, output_name):
    tmp = path + ".tmp"
    torch.onnx.export(module, example, tmp, input_names=[input_name], output_names=[output_name],
                      dynamic_axes={input_name: {0: "batch"}, output_name: {0: "batch"}},
                      opset_version=OPSET, do_constant_folding=True)
    os.replace(tmp, path)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(SEED)
    net = torchvision.models.resnet50(weights=None).eval()
    with torch.no_grad():
        export(Featurizer(net).eval(), torch.zeros(1, 3, 224, 224), os.path.join(out, "featurizer.onnx"),
               "image", "features")
        export(net.fc, torch.zeros(1, 2048), os.path.join(out, "classifier.onnx"), "features", "logits")
    print("wrote", out)


if __name__ == "__main__":
    main()
