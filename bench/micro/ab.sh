#!/usr/bin/env bash
# Two commits side by side: builds each (its src/ and native/) in a temporary
# folder, then runs a micro-benchmark of the working tree's in alternating
# processes, A then B, PAIRS times, and prints each pair, the medians and the
# median of the pairs' ratios (B ÷ A; below 1: B is faster). The VM's speed
# drifts by ±20-30% between runs, so only pairs run back to back compare.
#   bash bench/micro/ab.sh A B [PAIRS=8] [SCRIPT=bench/micro/w3-recording.ts]
set -euo pipefail
A=$1 B=$2 PAIRS=${3:-8} SCRIPT=${4:-bench/micro/w3-recording.ts}
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for c in "$A" "$B"; do
  dir=$work/$c
  mkdir -p "$dir"
  git -C "$root" archive "$c" | tar -x -C "$dir"
  ln -s "$root/node_modules" "$dir/node_modules"
  [ -d "$root/.mlx" ] && ln -s "$root/.mlx" "$dir/.mlx"
  mkdir -p "$dir/$(dirname "$SCRIPT")" && cp "$root/$SCRIPT" "$dir/$SCRIPT"
  (cd "$dir" && node scripts/build-native.mjs > build.log 2>&1) || { tail -20 "$dir/build.log"; exit 1; }
done
last() { (cd "$work/$1" && node --import tsx "$SCRIPT" | tail -1 | awk '{print $NF}'); }
as=() bs=()
for i in $(seq "$PAIRS"); do
  a=$(last "$A") b=$(last "$B")
  as+=("$a") bs+=("$b")
  echo "pair $i: $A $a, $B $b"
done
node -e '
const [a, b] = process.argv.slice(1).map((s) => s.split(" ").map(Number));
const median = (v) => { const s = [...v].sort((p, q) => p - q), m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
console.log(`medians: A ${median(a).toFixed(3)}, B ${median(b).toFixed(3)}; B/A of the pairs, median: ${median(b.map((x, i) => x / a[i])).toFixed(3)}`);
' "${as[*]}" "${bs[*]}"
