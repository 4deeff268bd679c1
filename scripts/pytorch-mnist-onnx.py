#!/usr/bin/env python3
"""Makes the PyTorch-trained ONNX models nn's import is shown and tested with (OnnxPyTorchTest, docs/onnx.md).

A small version of PyTorch's MNIST example (github.com/pytorch/examples, mnist/main.py):
conv-batchnorm-relu, conv-relu, max-pool, dropout, flatten, linear-gelu, dropout, linear,
log-softmax, inputs normalised with (0.1307, 0.3081) - trained for 4 epochs on the 3,000
training images of data/mnist-slice, then written by torch.onnx.export (the TorchScript
exporter, opset 17, dynamic batch) twice:
  data/models/pytorch-cnn.onnx                 input [N,1,28,28], torch.flatten(x, 1)  -> Flatten; GELU -> its Erf form
  src/test/resources/onnx/pytorch-cnn-flat.onnx  input [N,784], x.view(-1,1,28,28) and x.view(x.size(0), -1)
                                               -> Reshape, and a Reshape whose shape is computed (Shape, Gather, ...)
Run: python scripts/pytorch-mnist-onnx.py
(torch 2.13.0+cpu, onnx 1.23.1).
"""
import gzip
import pathlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parents[1]


def idx(name):
    data = gzip.open(ROOT / "data/mnist-slice" / name).read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3)
        self.dropout1 = nn.Dropout(0.25)
        self.fc1 = nn.Linear(16 * 12 * 12, 32)
        self.dropout2 = nn.Dropout(0.5)
        self.fc2 = nn.Linear(32, 10)

    def features(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.conv2(x))
        return self.dropout1(F.max_pool2d(x, 2))

    def head(self, x):
        x = self.dropout2(F.gelu(self.fc1(x)))
        return F.log_softmax(self.fc2(x), dim=1)

    def forward(self, x):
        return self.head(torch.flatten(self.features(x), 1))


class Flat(nn.Module):
    """The same network reading [N,784] rows, reshaped the way older code does it."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        x = self.net.features(x.view(-1, 1, 28, 28))
        return self.net.head(x.view(x.size(0), -1))


def main():
    torch.manual_seed(1)
    x = torch.tensor((idx("train-images-idx3-ubyte.gz") / 255.0 - 0.1307) / 0.3081, dtype=torch.float32).unsqueeze(1)
    y = torch.tensor(idx("train-labels-idx1-ubyte.gz"), dtype=torch.long)
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    for epoch in range(4):
        net.train()
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 64):
            b = perm[i:i + 64]
            opt.zero_grad()
            loss = F.nll_loss(net(x[b]), y[b])
            loss.backward()
            opt.step()
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}")
    net.eval()
    tx = torch.tensor((idx("t10k-images-idx3-ubyte.gz") / 255.0 - 0.1307) / 0.3081, dtype=torch.float32).unsqueeze(1)
    ty = torch.tensor(idx("t10k-labels-idx1-ubyte.gz"), dtype=torch.long)
    with torch.no_grad():
        print(f"test accuracy in PyTorch: {(net(tx).argmax(1) == ty).float().mean().item():.4f} on {len(tx)} images")
    axes = {"input": {0: "N"}, "output": {0: "N"}}
    torch.onnx.export(net, torch.zeros(1, 1, 28, 28), ROOT / "data/models/pytorch-cnn.onnx", input_names=["input"], output_names=["output"],
                      dynamic_axes=axes, opset_version=17, dynamo=False)
    torch.onnx.export(Flat(net), torch.zeros(1, 784), ROOT / "src/test/resources/onnx/pytorch-cnn-flat.onnx", input_names=["input"], output_names=["output"],
                      dynamic_axes=axes, opset_version=17, dynamo=False)


if __name__ == "__main__":
    main()
