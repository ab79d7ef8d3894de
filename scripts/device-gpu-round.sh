#!/usr/bin/env bash
# Issue 8's GPU round on the device machine (NVIDIA, CUDA 13 wheels in Python's
# site-packages, no registry, no Node): CUDA build, `npm run test:gpu`, W1/W2
# of mlx-tape vs MLX-Python vs PyTorch in alternating rounds, one MNIST CNN epoch
# on the digits and on Fashion-MNIST (60,000 images), eager and --compile, and W1/W2 in
# steady 5 s loops (bench/micro/steady-step.ts / steady_step.py), where the W1 loop's host time goes
# (bench/micro/sampler.c, samples.txt). Writes gpu-results.json to $OUT
# (copy it to bench/gpu-results.json: `npm run bench` puts it in RESULTS.md).
# ROUNDS (default 5) alternating rounds of W1/W2. A device call may run 10
# minutes, less than a whole round (on the H100 at 89305e2: 4 minutes for the
# build, tests and epochs, 9 for 5 rounds, the steady loops and the samples),
# so split it over two calls to the same warm machine: PART=1 (build, tests,
# epochs), then PART=2 (rounds, steady loops, samples, the JSON); the logs of both gather in /root/round and come back in $OUT, all
# but build.log (printed when the build fails): 8 files, as many as the device
# tool returns, so send the round's own output to stdout, not to $OUT.
#
# Prepared here in the ignored .dev/: the mlx-cuda-13==0.32.4 wheel split in
# 30 MB parts (wheel.part.aa/ab/ac), this machine's node binary (node.xz),
# node_modules without typescript/typedoc (node_modules.tar.xz), the mlx==0.32.4
# cp312 wheel and Debian's four Fashion-MNIST files, training and test sets
# (.dev/fashion/; the epochs fail without the test files). Two device calls
# copy parts into /root/stash and /root/fashion of a warm machine (it stays warm
# ~30 s after a call); the third, carrying wheel.part.ac and the Fashion
# files, runs `PART=1 COMMIT=<sha> bash scripts/device-gpu-round.sh`, the
# fourth the same with PART=2 (COMMIT: the device's copy of .git can be older
# than the working tree it runs). PART=2 may run again on the same machine for
# more rounds: keep each call's files and pool them here with
# `node scripts/gpu-results.mjs "<card>" <first> <second>`.
set -u
[ -n "${COMMIT:-}" ] || { echo "set COMMIT to the commit of the working tree" >&2; exit 2; }
PART=${PART:-all} ROUNDS=${ROUNDS:-5} R=/root/round
[ "$PART" = 2 ] || rm -rf $R
mkdir -p $R
trap 'cp -r $R/. $OUT/ && rm -f $OUT/build.log' EXIT
mkdir -p /root/stash /root/fashion && cp .dev/wheel.part.ac /root/stash/ 2>/dev/null; cp .dev/fashion/* /root/fashion/ 2>/dev/null
WHEEL=/root/stash/mlx_cuda_13-0.32.4-py3-none-manylinux_2_35_x86_64.whl
[ -f $WHEEL ] || cat /root/stash/wheel.part.a? > $WHEEL
[ -x /root/stash/node ] || { xz -dc /root/stash/node.xz > /root/stash/node && chmod +x /root/stash/node; }
mkdir -p /root/bin && ln -sf /root/stash/node /root/bin/node && export PATH=/root/bin:$PATH
[ -d node_modules/vitest ] || tar -xJf /root/stash/node_modules.tar.xz
MLX_BACKEND=cuda MLX_WHEEL=$WHEEL node scripts/build-native.mjs > $R/build.log 2>&1 || { tail -30 $R/build.log; exit 1; }
[ -d /tmp/site/mlx ] || { python3 -m pip install -q --no-deps --target /tmp/site /root/stash/mlx-0.32.4-*.whl $WHEEL &&
  ln -sfn "$(python3 -c 'import nvidia; print(list(nvidia.__path__)[0])')" /tmp/site/nvidia; }
GPU=$(nvidia-smi --query-gpu=name --format=csv,noheader); echo "GPU: $GPU"

if [ "$PART" != 2 ]; then
  MLX_TAPE_DEVICE=gpu timeout 400 node node_modules/vitest/vitest.mjs run --reporter=dot \
    --reporter=./test/helpers/cpu-only-reporter.ts > $R/gpu-tests.log 2>&1
  grep -E "Test Files|Tests |FAIL|CPU-only tests" $R/gpu-tests.log
  timeout 200 node --import tsx examples/mnist/main.ts --device gpu --epochs 1 --out /tmp/mn-digits > $R/mnist-digits.log 2>&1
  timeout 300 node --import tsx examples/mnist/main.ts --device gpu --epochs 1 --data /root/fashion --out /tmp/mn-fashion > $R/mnist-fashion.log 2>&1
  timeout 300 node --import tsx examples/mnist/main.ts --device gpu --epochs 1 --data /root/fashion --compile --out /tmp/mn-fashion-c > $R/mnist-fashion-compiled.log 2>&1
  tail -n 5 $R/mnist-*.log
fi
[ "$PART" != 1 ] || exit 0
: > $R/rounds.jsonl
for round in $(seq $ROUNDS); do
  timeout 100 node --import tsx bench/gpu.ts >> $R/rounds.jsonl
  PYTHONPATH=/tmp/site timeout 120 python3 bench/gpu.py "$GPU" >> $R/rounds.jsonl
done
cat $R/rounds.jsonl
# The steady state as well: W1 and W2 in continuous 5 s loops, alternating (the host drifts).
: > $R/steady.txt
for pair in 1 2 3; do
  for w in W1 W2; do
    BENCH_DEVICE=gpu timeout 60 node --import tsx bench/micro/steady-step.ts $w >> $R/steady.txt
    PYTHONPATH=/tmp/site timeout 60 python3 bench/micro/steady_step.py gpu $w >> $R/steady.txt
  done
done
cat $R/steady.txt
# Where the main thread's time goes in the steady W1 loop of each (bench/micro/sampler.c, samples.py).
gcc -O2 -shared -fPIC -o /tmp/sampler.so bench/micro/sampler.c -lpthread -lrt
SAMPLE="env LD_PRELOAD=/tmp/sampler.so SAMPLER_DELAY_MS=7000 SAMPLER_MS=3000"  # after the 4,000 warm-up steps
BENCH_DEVICE=gpu timeout 60 $SAMPLE SAMPLER_OUT=/tmp/w1-tape.txt node --import tsx bench/micro/steady-step.ts W1 > $R/samples.txt
PYTHONPATH=/tmp/site timeout 60 $SAMPLE SAMPLER_OUT=/tmp/w1-py.txt python3 bench/micro/steady_step.py gpu W1 >> $R/samples.txt
python3 bench/micro/samples.py /tmp/w1-tape.txt /tmp/w1-py.txt --top 40 >> $R/samples.txt
grep -E "W1:|samples$" $R/samples.txt; grep -A5 "by group" $R/samples.txt
node scripts/gpu-results.mjs "$GPU" $R > $R/gpu-results.json && cat $R/gpu-results.json
