#!/usr/bin/env bash
# End-to-end check through the real launcher, as a user would run it:
# download over loopback HTTP from the local MNIST mirror, a no-op second download, a corrupted
# mirror, a short training run with its report, eval, Ctrl-C with resume, and usage errors.
# Needs ../shared/data/mnist (or NN_E2E_MIRROR_DIR) and python3 for the HTTP server.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
nn="$root/scripts/nn"
mirror_dir="${NN_E2E_MIRROR_DIR:-$root/../shared/data/mnist}"
work="$(mktemp -d)"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

step() { printf '\n=== %s\n' "$*"; }
fail() { echo "E2E FAILED: $*" >&2; exit 1; }
expect_rc() { # expect_rc CODE command...
  local want="$1"; shift
  set +e; "$@" >"$work/out.txt" 2>"$work/err.txt"; local rc=$?; set -e
  cat "$work/out.txt"; cat "$work/err.txt" >&2
  [ "$rc" = "$want" ] || fail "expected exit $want, got $rc: $*"
}
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

[ -d "$mirror_dir" ] || fail "no MNIST mirror at $mirror_dir"

step "build and help (the launcher builds on first use)"
"$nn" --version
start=$(date +%s%N); "$nn" --help >/dev/null; ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "nn --help answered in ${ms} ms"
[ "$ms" -lt 3000 ] || fail "nn --help took ${ms} ms"

step "nn's OpenBLAS runs the kernels this CPU allows (the 0.3.19 build would take a Zen 4 or 5 for an SSE-only Opteron)"
flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
want=""
if [[ $flags == *" avx512f "* && $flags == *" avx512bw "* && $flags == *" avx512dq "* && $flags == *" avx512vl "* ]]; then want=SkylakeX
elif [[ $flags == *" avx2 "* && $flags == *" fma "* ]]; then want=Haswell; fi
if [ -n "$want" ]; then
  core="$(env -u NN_OPENBLAS_CORETYPE OPENBLAS_CORETYPE=Barcelona OPENBLAS_VERBOSE=2 "$nn" info 2>&1 | sed -n 's/^Core: //p' | head -n 1)"
  echo "OpenBLAS core: $core (expected $want)"
  [ "$core" = "$want" ] || fail "nn's OpenBLAS ran its '$core' kernels on a CPU that allows $want"
  core="$(NN_OPENBLAS_CORETYPE=Sandybridge OPENBLAS_VERBOSE=2 "$nn" info 2>&1 | sed -n 's/^Core: //p' | head -n 1)"
  [ "$core" = "Sandybridge" ] || fail "NN_OPENBLAS_CORETYPE=Sandybridge gave '$core'"
fi

step "the cpu engine's float products, convolutions and pools run on oneDNN, whose natives nn ships for x86-64"
if [ "$(uname -m)" = x86_64 ]; then
  info="$("$nn" info)"
  products="$(sed -n 's/^products: *//p' <<<"$info")"
  layers="$(sed -n 's/^layers: *//p' <<<"$info")"
  echo "products: $products"
  echo "layers: $layers"
  [[ $products == *"oneDNN 2."* ]] || fail "the float products do not run on oneDNN: '$products'"
  [[ $layers == *"oneDNN"* ]] || fail "the float convolutions and pools do not run on oneDNN: '$layers'"
fi

step "serve the mirror on loopback"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$mirror_dir" >"$work/http.log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do curl -fs -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break; sleep 0.1; done

step "download over HTTP"
data="$work/data"
expect_rc 0 "$nn" download --mirror "http://127.0.0.1:$port/" --data-dir "$data"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [ -s "$data/mnist/$f.gz" ] || fail "missing $f.gz"
done
[ -z "$(find "$data" -name '*.part')" ] || fail "partial files left behind"

step "second download is a no-op"
expect_rc 0 "$nn" download --mirror "http://127.0.0.1:1/" --data-dir "$data"
[ "$(grep -c 'present and verified' "$work/out.txt")" = 4 ] || fail "expected 4 files present and verified"

step "a corrupted mirror is refused and leaves nothing behind"
bad="$work/bad-mirror"; mkdir -p "$bad"
cp "$mirror_dir"/*.gz "$bad/"
python3 - "$bad/train-labels-idx1-ubyte.gz" <<'PY'
import gzip, sys
p = sys.argv[1]; b = bytearray(gzip.open(p).read()); b[100] ^= 1
gzip.open(p, 'wb').write(bytes(b))
PY
expect_rc 1 "$nn" download --mirror "$bad" --data-dir "$work/data2"
grep -q "SHA-256" "$work/err.txt" || fail "the error should name the checksum"
grep -q "$bad" "$work/err.txt" || fail "the error should name the mirror"
[ ! -e "$work/data2/mnist/train-labels-idx1-ubyte.gz" ] || fail "a corrupted file got its final name"

step "usage errors exit 2"
expect_rc 2 "$nn" train --epochs zero
expect_rc 2 "$nn" train --model "dense(10),wobble" --data-dir "$data"

step "train a small model end to end"
runs="$work/runs"
expect_rc 0 "$nn" train --data-dir "$data" --limit 8000 --validation 1000 --epochs 2 --out "$runs" --no-progress
for f in best.ckpt last.ckpt metrics.csv report.json report.md training-curves.png confusion-matrix.png reliability.png confident-mistakes.png; do
  [ -s "$runs/latest/$f" ] || fail "missing $f"
done
acc=$(json "$runs/latest/report.json" 'd["accuracy"]')
echo "test accuracy after 2 epochs on 7,000 images: $acc"
python3 -c "import sys; sys.exit(0 if float('$acc') > 0.93 else 1)" || fail "accuracy $acc below 0.93"
[ "$(json "$runs/latest/report.json" 'd["n"]')" = 10000 ] || fail "report should cover the 10,000 test images"

step "eval the run"
expect_rc 0 "$nn" eval --checkpoint "$runs/latest" --data-dir "$data" --out "$work/eval"
grep -q "confusion matrix" "$work/out.txt" || fail "eval should print the confusion matrix"
eacc=$(json "$work/eval/report.json" 'd["accuracy"]')
[ "$eacc" = "$acc" ] || fail "eval accuracy $eacc differs from the training report's $acc"

step "predict the sample pictures with the shipped cnn model"
expect_rc 0 "$nn" predict --checkpoint "$root/data/models/cnn.ckpt" --save-input "$work/seen" "$root/data/samples"
for f in "$root"/data/samples/*; do
  want=$(basename "$f" | sed -E 's/^digit([0-9]).*/\1/')
  grep -q "^$f  $want  " "$work/out.txt" || fail "$(basename "$f") should be read as $want"
done
[ "$(ls "$work/seen" | wc -l)" = "$(ls "$root/data/samples" | wc -l)" ] || fail "--save-input should write one 28x28 image per picture"
printf 'not an image' > "$work/notes.png"
expect_rc 1 "$nn" predict --checkpoint "$root/data/models/cnn.ckpt" "$work/notes.png" "$root/data/samples/digit7-blue-ink.jpg"
grep -q "notes.png: not an image" "$work/err.txt" || fail "a non-image should get a clear error"
grep -q "digit7-blue-ink.jpg  7  " "$work/out.txt" || fail "the good picture is still predicted"

step "look inside: weights, activations, explanation, pruning"
expect_rc 0 "$nn" show weights --checkpoint "$runs/latest" --out "$work/inspect"
expect_rc 0 "$nn" show activations --checkpoint "$root/data/models/cnn.ckpt" --out "$work/inspect" "$root/data/samples/digit8-paper.png"
expect_rc 0 "$nn" explain --checkpoint "$root/data/models/cnn.ckpt" --out "$work/inspect" "$root/data/samples/digit8-paper.png"
for f in weights-layer1.png activations-digit8-paper.png explain-digit8-paper.png explain-digit8-paper.json; do
  [ -s "$work/inspect/$f" ] || fail "missing $f"
done
expect_rc 0 "$nn" prune --checkpoint "$runs/latest" --data-dir "$data" --sparsity 0.9 --finetune 1 --out "$work/prune"
ft=$(json "$work/prune/prune.json" 'd[0]["accuracy_finetuned"]')
echo "90% pruned and fine-tuned 1 epoch: $ft"
python3 -c "import sys; sys.exit(0 if float('$ft') > float('$acc') - 0.02 else 1)" || fail "pruned accuracy $ft too far below $acc"

step "ONNX: export the run, score the .onnx with nn eval; a PyTorch model reads a picture"
expect_rc 0 "$nn" export --checkpoint "$runs/latest" --onnx "$work/model.onnx"
grep -q "input 'input' float32 \[N,1,28,28\]" "$work/out.txt" || fail "export should describe the model's input"
expect_rc 0 "$nn" eval --checkpoint "$work/model.onnx" --data-dir "$data" --out "$work/onnx-eval"
oacc=$(json "$work/onnx-eval/report.json" 'd["accuracy"]')
[ "$oacc" = "$acc" ] || fail "the .onnx scores $oacc, its checkpoint $acc"
expect_rc 0 "$nn" predict --checkpoint "$root/data/models/pytorch-cnn.onnx" --normalize 0.1307,0.3081 "$root/data/samples/digit7-blue-ink.jpg"
grep -q "digit7-blue-ink.jpg  7  " "$work/out.txt" || fail "the PyTorch model should read the 7"
printf 'not a model' > "$work/junk.onnx"
expect_rc 1 "$nn" eval --checkpoint "$work/junk.onnx" --data-dir "$data"
grep -q "junk.onnx: not an ONNX model" "$work/err.txt" || fail "a file that is not ONNX should get a one-line error"

step "a pruned model saved slim is small and predicts the same"
expect_rc 0 "$nn" export --checkpoint "$work/prune/pruned-90.ckpt" --slim "$work/pruned-90.slim"
slim=$(stat -c %s "$work/pruned-90.slim"); dense=$(( 4 * $(json "$runs/latest/report.json" 'd["parameters"]') ))
echo "pruned-90.slim: $slim bytes; the dense weights: $dense bytes"
[ $(( slim * 4 )) -le "$dense" ] || fail "the slim 90%-pruned model should be at most a quarter of the dense weight bytes"
expect_rc 0 "$nn" eval --checkpoint "$work/pruned-90.slim" --data-dir "$data" --out "$work/slim-eval"
[ "$(json "$work/slim-eval/report.json" 'd["accuracy"]')" = "$ft" ] || fail "the slim model should score as pruned-90.ckpt"

step "Ctrl-C saves a checkpoint; resume finishes the run"
set +e
set -m   # job control: otherwise bash starts background jobs with SIGINT ignored
"$nn" train --data-dir "$data" --model cnn --limit 4000 --validation 500 --epochs 3 --out "$work/runs2" --no-progress >"$work/int.txt" 2>&1 &
pid=$!
for _ in $(seq 600); do grep -q "^epoch  1/3" "$work/int.txt" && break; sleep 0.2; done
kill -INT "$(pgrep -f -n "nn.cli.Main train --data-dir $data --model cnn")"
wait "$pid"; rc=$?
set +m
set -e
cat "$work/int.txt"
[ "$rc" = 130 ] || fail "expected exit 130 after Ctrl-C, got $rc"
grep -q "resume with: nn train --resume" "$work/int.txt" || fail "should say how to resume"
expect_rc 0 "$nn" train --resume "$work/runs2/latest" --data-dir "$data" --no-progress
grep -q "resuming" "$work/out.txt" || fail "should say it resumed"
[ "$(($(wc -l < "$work/runs2/latest/metrics.csv") - 1))" = 3 ] || fail "metrics.csv should hold 3 epochs"

step "engines: nd4j reaches cpu's test accuracy (within 0.3 points), and a checkpoint crosses engines"
for model in mlp cnn; do
  for engine in cpu nd4j; do
    "$nn" train --engine "$engine" --model "$model" --limit 12000 --epochs 2 --data-dir "$data" \
      --out "$work/eng-$model-$engine" --no-progress >"$work/eng.txt"
    eval "acc_$engine=$(sed -n 's/^test accuracy \([0-9.]*\)%.*/\1/p' "$work/eng.txt")"
  done
  python3 -c "import sys; a, b = map(float, sys.argv[2:]); print(f'{sys.argv[1]}: cpu {a}%, nd4j {b}%'); sys.exit(abs(a - b) > 0.3)" \
    "$model" "$acc_cpu" "$acc_nd4j" || fail "$model: the engines' test accuracies differ by more than 0.3 points"
  for engine in cpu nd4j; do
    "$nn" eval --engine "$engine" --checkpoint "$work/eng-$model-cpu/latest/best.ckpt" --data-dir "$data" --json >"$work/eval-$engine.json"
  done
  [ "$(json "$work/eval-cpu.json" "d['confusion_matrix']")" = "$(json "$work/eval-nd4j.json" "d['confusion_matrix']")" ] \
    || fail "$model: a cpu-trained checkpoint predicts differently on the nd4j engine"
done

step "every command example in README.md and docs/ runs (training shortened)"
ex="$work/examples"
mkdir -p "$ex/data" "$ex/bin" "$ex/scripts"
cp -r "$root/data/models" "$root/data/samples" "$ex/data/"   # copies: examples may write beside a model
mkdir -p "$ex/docs" && cp -r "$root/docs/img" "$ex/docs/"   # the pictures the docs show
ln -s "$nn" "$ex/bin/nn"
ln -s "$nn" "$ex/scripts/nn"
ln -s "$root/scripts/bench" "$ex/scripts/bench"
"$root/scripts/doc-examples" >"$work/examples.txt"
while IFS= read -r example; do
  echo "\$ $example"
  if ! (cd "$ex" && PATH="$ex/bin:$PATH" NN_DATA_DIR="$ex/data" NN_MIRRORS="$(dirname "$mirror_dir")" \
        bash -c "$example" </dev/null >"$work/example.txt" 2>&1); then
    cat "$work/example.txt"
    fail "a documented example failed: $example"
  fi
  tail -n 2 "$work/example.txt"
done <"$work/examples.txt"
echo "$(wc -l <"$work/examples.txt") examples ran"

printf '\nE2E: all checks passed\n'
