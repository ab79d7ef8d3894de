// Installs the bench's peers from their registries into bench/.peers/ (git-ignored),
// once: MLX-Python in a venv, node-mlx and TensorFlow.js with npm, and the GEMM probe.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const PINS = { mlx: '0.32.4', nodeMlx: '0.0.7', tfjs: '4.22.0' };
export const OPENBLAS = '/usr/lib/x86_64-linux-gnu/libopenblas.so.0';

function run(cmd, args, opts = {}) {
  console.log(`bench setup: ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
}

const hasLib = (name) => spawnSync('ldconfig', ['-p'], { encoding: 'utf8' }).stdout?.includes(name);

/** Returns the peers' paths, or an `unavailable` reason per peer that can't run. */
export function setupPeers(root) {
  const dir = join(root, 'bench', '.peers');
  mkdirSync(dir, { recursive: true });
  const unavailable = {};

  const venv = join(dir, 'venv');
  const python = join(venv, 'bin', 'python');
  if (!existsSync(join(venv, '.installed'))) {
    run('python3', ['-m', 'venv', venv]);
    run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', `mlx==${PINS.mlx}`, `mlx-cpu==${PINS.mlx}`]);
    run('touch', [join(venv, '.installed')]);
  }
  const libDir = readdirSync(join(venv, 'lib')).find((d) => d.startsWith('python3'));
  const wheelLibs = join(venv, 'lib', libDir ?? 'python3', 'site-packages', 'mlx_cpu.libs');
  const blasName = existsSync(wheelLibs) ? readdirSync(wheelLibs).find((f) => f.startsWith('libblas')) : undefined;
  const wheelBlas = blasName && join(wheelLibs, blasName);

  const nodeMlxPrefix = join(dir, 'node-mlx');
  const nodeMlx = join(nodeMlxPrefix, 'node_modules', '@frost-beta', 'mlx');
  if (!existsSync(join(nodeMlx, 'build', 'Release', 'mlx.node'))) {
    // --ignore-scripts: the tarball already holds the Linux x86-64 binary; its install script would download.
    run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', nodeMlxPrefix, `@frost-beta/mlx@${PINS.nodeMlx}`]);
  }
  // node-mlx's binary links libblas.so.3 and liblapack.so.3 (Debian: libblas3 liblapack3,
  // or libopenblas0-pthread, which provides both through update-alternatives).
  if (!hasLib('libblas.so.3') || !hasLib('liblapack.so.3')) {
    const why = 'needs libblas.so.3 and liblapack.so.3: apt-get install libblas3 liblapack3';
    try {
      if (process.getuid?.() !== 0) throw new Error('not root');
      run('apt-get', ['install', '-y', '--no-install-recommends', 'libblas3', 'liblapack3']);
    } catch {
      unavailable['node-mlx'] = why;
    }
  }

  const tfjsPrefix = join(dir, 'tfjs');
  const tfjs = join(tfjsPrefix, 'node_modules', '@tensorflow', 'tfjs');
  if (!existsSync(join(tfjs, 'package.json'))) {
    run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', tfjsPrefix, `@tensorflow/tfjs@${PINS.tfjs}`]);
  }

  const gemm = join(dir, 'gemm');
  const gemmSource = join(root, 'bench', 'gemm.c');
  if (!existsSync(gemm) || statSync(gemm).mtimeMs < statSync(gemmSource).mtimeMs) run('cc', ['-O2', '-o', gemm, gemmSource, '-ldl', '-lm']);

  if (!existsSync(join(root, 'build', 'Release', 'mlx_tape.node'))) unavailable['mlx-tape'] = 'the addon is not built: npm install';
  if (!existsSync(OPENBLAS)) unavailable['MLX-Python + OpenBLAS'] = `no ${OPENBLAS}: apt-get install libopenblas0-pthread`;
  return { python, wheelBlas, nodeMlx, tfjs, gemm, unavailable };
}

/** The version string in a package.json. */
export const pkgVersion = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
