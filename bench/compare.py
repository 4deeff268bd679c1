#!/usr/bin/env python3
"""Summarises interleaved rounds of `nn bench` and the PyTorch reference (see scripts/bench).

Usage: compare.py OUT.json ROUND_DIR...
Each ROUND_DIR holds nn.json (nn bench --json) and torch-mlp.txt / torch-cnn.txt (the reference's
output, ending in a SUMMARY line). Prints, per workload, the median seconds per epoch of each side
over the rounds with their range, the median of the per-round ratios (PyTorch / nn: above 1 means
nn is faster) with its range, and nn's median share of the GEMM peak and inference speed; writes all of it to OUT.json.
"""
import json
import os
import statistics
import sys


def torch_summary(path):
    with open(path) as f:
        lines = [l for l in f if l.startswith("SUMMARY ")]
    return json.loads(lines[-1][len("SUMMARY "):])


def spread(values):
    return dict(median=statistics.median(values), min=min(values), max=max(values), values=values)


def main(out, rounds):
    nn_runs = [json.load(open(os.path.join(r, "nn.json"))) for r in rounds]
    result = dict(rounds=len(rounds), machine=nn_runs[0]["machine"], workloads={})
    print(f"{len(rounds)} interleaved rounds (nn, PyTorch, nn, PyTorch, ...); seconds per epoch, median of epochs 2..n")
    print(f"{'':5} {'nn':>18} {'PyTorch':>18} {'PyTorch / nn':>20} {'nn of GEMM peak':>16}")
    for w in ("mlp", "cnn"):
        torch_runs = [torch_summary(os.path.join(r, f"torch-{w}.txt")) for r in rounds]
        nn_s = [run[w]["epoch_seconds_median"] for run in nn_runs]
        torch_s = [t["epoch_seconds_median"] for t in torch_runs]
        ratio = [t / n for t, n in zip(torch_s, nn_s)]
        peak = [run[w]["fraction_of_peak"] for run in nn_runs]
        result["workloads"][w] = dict(nn_seconds=spread(nn_s), pytorch_seconds=spread(torch_s), ratio_pytorch_over_nn=spread(ratio),
                                      nn_fraction_of_peak=spread(peak),
                                      nn_inference_images_per_second=spread([run[w]["inference_images_per_second"] for run in nn_runs]),
                                      nn_test_accuracy=[run[w]["test_accuracy"] for run in nn_runs],
                                      pytorch_test_accuracy=[t["test_accuracy"] for t in torch_runs],
                                      torch=torch_runs[0]["torch"], torch_blas=torch_runs[0]["blas"], torch_threads=torch_runs[0]["threads"],
                                      torch_openblas_coretype=torch_runs[0].get("openblas_coretype"))
        fmt = lambda s: f"{s['median']:.3f} ({s['min']:.2f}-{s['max']:.2f})"
        r = result["workloads"][w]
        print(f"{w:5} {fmt(r['nn_seconds']):>18} {fmt(r['pytorch_seconds']):>18} {fmt(r['ratio_pytorch_over_nn']):>20} "
              f"{100 * r['nn_fraction_of_peak']['median']:>15.1f}%")
    inference = ", ".join(f"{w} {result['workloads'][w]['nn_inference_images_per_second']['median']:,.0f}" for w in ("mlp", "cnn"))
    print(f"nn inference, images/s (median): {inference}; GEMM peak {statistics.median(r['gemm_peak_gflops'] for r in nn_runs):.1f} GFLOP/s")
    w0 = result["workloads"]["mlp"]
    # None means OpenBLAS chose its kernels itself (nn), or PyTorch's BLAS is not OpenBLAS.
    kernels = f"nn {result['machine'].get('openblas_coretype') or 'as OpenBLAS chose'}"
    if w0["torch_blas"].startswith("OpenBLAS"):
        kernels += f", PyTorch {w0['torch_openblas_coretype'] or 'as OpenBLAS chose'}"
    print(f"nn's float products: {result['machine'].get('float_products', 'OpenBLAS')}; PyTorch {w0['torch']} ({w0['torch_blas']}, "
          f"{w0['torch_threads']} threads); OpenBLAS kernels: {kernels}")
    with open(out, "w") as f:
        json.dump(result, f, indent=2)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
