#!/usr/bin/env bash
# How issue 8's numbers were taken on the device machine (no registry there).
# Prepared here, in an ignored .dev/ folder: the mlx-cuda-13==0.32.4 wheel split in
# 30 MB parts (wheel.part.aa/ab/ac), `xz` of this machine's node binary (node.xz),
# node_modules without typescript/typedoc (node_modules.tar.xz) and the mlx==0.32.4
# cp312 wheel. Two device calls copy the parts into /root/stash on a warm machine
# (it stays warm ~30 s after a call); the third runs this script with the last part.
set -u
cp .dev/wheel.part.ac /root/stash/ 2>/dev/null
cd /root/stash && cat wheel.part.a? > mlx_cuda_13-0.32.4-py3-none-manylinux_2_35_x86_64.whl && xz -dc node.xz > node && chmod +x node
mkdir -p /root/bin && ln -sf /root/stash/node /root/bin/node && export PATH=/root/bin:$PATH
cd - >/dev/null
tar -xJf /root/stash/node_modules.tar.xz
export MLX_BACKEND=cuda MLX_WHEEL=/root/stash/mlx_cuda_13-0.32.4-py3-none-manylinux_2_35_x86_64.whl
node scripts/build-native.mjs > $OUT/build.log 2>&1 || { tail -30 $OUT/build.log; exit 1; }
python3 -m pip install -q --no-deps --target /tmp/site /root/stash/mlx-0.32.4-*.whl /root/stash/mlx_cuda_13-*.whl && ln -sfn $(python3 -c "import nvidia; print(list(nvidia.__path__)[0])") /tmp/site/nvidia
GPU=$(nvidia-smi --query-gpu=name --format=csv,noheader)
echo "GPU: $GPU"

MLX_TAPE_DEVICE=gpu timeout 240 node node_modules/vitest/vitest.mjs run --reporter=dot > $OUT/gpu-tests.log 2>&1
grep -E "Test Files|Tests " $OUT/gpu-tests.log
timeout 120 node node_modules/tsx/dist/cli.mjs bench/gpu.ts | tee $OUT/bench-tape.json
PYTHONPATH=/tmp/site timeout 120 python3 bench/gpu.py "$GPU" | tee $OUT/bench-py.json
for d in gpu; do /usr/bin/time -f "mnist $d: %e s wall" timeout 200 node node_modules/tsx/dist/cli.mjs examples/mnist/main.ts --device $d --epochs 1 --out /tmp/mn-$d > $OUT/mnist-$d.log 2>&1; tail -3 $OUT/mnist-$d.log; done
