#!/usr/bin/env python3
"""The PyTorch side of nn's speed comparison: the same two workloads `nn bench` trains.

  mlp: 784-128(ReLU)-10, SGD lr 0.05, momentum 0.9, batch 64, 5 epochs
  cnn: conv5x5x20-ReLU-maxpool2, conv5x5x50-ReLU-maxpool2, dense 500-ReLU, 10;
       SGD lr 0.01, momentum 0.9, batch 64, 3 epochs
Both: softmax cross-entropy (mean over the batch), classical momentum, no weight decay, no
augmentation, PyTorch's default initialisation, pixels / 255, a fresh shuffle every epoch, the
last partial batch kept, as many threads as nn uses.

Usage: pytorch_reference.py mlp|cnn --data DIR [--threads N] [--epochs N]
DIR holds the four MNIST .gz files. Prints one line per epoch, then `SUMMARY {json}` with the
median seconds per epoch over epochs 2..n, the test accuracy, torch's version and its BLAS.
"""
import argparse
import gzip
import json
import os
import re
import statistics
import struct
import time

import numpy as np
import torch
from torch import nn

WORKLOADS = {"mlp": dict(lr=0.05, epochs=5), "cnn": dict(lr=0.01, epochs=3)}


def read_idx(path, dims):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    shape = struct.unpack(">" + "I" * (1 + dims), raw[:4 * (1 + dims)])[1:]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 * (1 + dims)).reshape(shape)


def load(data, part):
    x = read_idx(os.path.join(data, f"{part}-images-idx3-ubyte.gz"), 3)
    y = read_idx(os.path.join(data, f"{part}-labels-idx1-ubyte.gz"), 1)
    return torch.from_numpy(x.astype(np.float32) / 255).unsqueeze(1), torch.from_numpy(y.astype(np.int64))


def model(name):
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    return nn.Sequential(nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(20, 50, 5), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))


def accuracy(net, x, y):
    net.eval()
    with torch.no_grad():
        right = sum((net(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item() for i in range(0, len(x), 1000))
    net.train()
    return right / len(x)


def blas():
    """Which BLAS and convolution libraries this torch build uses: its build configuration, and
    for a build against the system's generic libblas (Debian's), the library that resolved to."""
    config = torch.__config__.show()
    found = re.search(r"BLAS_INFO=(\w+)", config)
    name = {"mkl": "MKL", "open": "OpenBLAS"}.get(found.group(1), found.group(1)) if found else "unknown"
    if name == "generic":
        with open("/proc/self/maps") as maps:
            name = "OpenBLAS" if "openblas" in maps.read().lower() else "generic BLAS"
    return name + ("+oneDNN" if "USE_MKLDNN=ON" in config else "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workload", choices=sorted(WORKLOADS))
    ap.add_argument("--data", required=True)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--epochs", type=int)
    args = ap.parse_args()
    w = WORKLOADS[args.workload]
    epochs = args.epochs or w["epochs"]
    torch.set_num_threads(args.threads)
    torch.manual_seed(1234)
    xtr, ytr = load(args.data, "train")
    xte, yte = load(args.data, "t10k")
    net = model(args.workload)
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(net.parameters(), lr=w["lr"], momentum=0.9)
    shuffle = torch.Generator().manual_seed(1234)
    seconds = []
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        order = torch.randperm(len(xtr), generator=shuffle)
        for i in range(0, len(xtr), 64):
            batch = order[i:i + 64]
            opt.zero_grad(set_to_none=True)
            loss_fn(net(xtr[batch]), ytr[batch]).backward()
            opt.step()
        seconds.append(time.perf_counter() - start)
        print(f"epoch {epoch}: {seconds[-1]:.3f} s", flush=True)
    libraries = blas()
    kernels = os.environ.get("OPENBLAS_CORETYPE") if libraries.startswith("OpenBLAS") else None
    summary = dict(workload=args.workload, torch=torch.__version__, blas=libraries, threads=torch.get_num_threads(),
                   openblas_coretype=kernels, epoch_seconds=[round(s, 3) for s in seconds],
                   epoch_seconds_median=round(statistics.median(seconds[1:] or seconds), 3),
                   test_accuracy=accuracy(net, xte, yte))
    print("SUMMARY " + json.dumps(summary))


if __name__ == "__main__":
    main()
