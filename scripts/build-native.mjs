// `npm install` step: find or install MLX, then build the addon with cmake-js.
// Order (DESIGN.md): MLX_DIR, an MLX installed for Python, else the pinned
// backend wheel pip-installed into .mlx/ (git-ignored). Nothing else is fetched.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const MLX_VERSION = '0.32.4';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function fail(message) {
  console.error(`\nmlx-tape install: ${message}\n`);
  process.exit(1);
}

function has(cmd, args = ['--version']) {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

/** The wheel for this platform, as DESIGN.md pins it. */
function backendWheel() {
  if (process.env.MLX_BACKEND === 'cuda') return 'mlx-cuda-13';
  if (process.platform === 'darwin') return 'mlx-metal';
  if (process.platform === 'linux') return 'mlx-cpu';
  fail(`no MLX backend wheel for ${process.platform}; set MLX_DIR to an MLX install`);
}

/** A folder holding share/cmake/MLX/MLXConfig.cmake, or null. */
function cmakeDirOf(prefix) {
  const dir = join(prefix, 'share', 'cmake', 'MLX');
  return existsSync(join(dir, 'MLXConfig.cmake')) ? dir : null;
}

function findMlx() {
  if (process.env.MLX_DIR) {
    const dir = cmakeDirOf(process.env.MLX_DIR) ??
      (existsSync(join(process.env.MLX_DIR, 'MLXConfig.cmake')) ? process.env.MLX_DIR : null);
    if (!dir) fail(`MLX_DIR=${process.env.MLX_DIR} holds no share/cmake/MLX/MLXConfig.cmake`);
    return { dir, from: 'MLX_DIR' };
  }
  const wheel = backendWheel();
  const local = join(root, '.mlx', `${wheel}-${MLX_VERSION}`);
  const localDir = cmakeDirOf(join(local, 'mlx'));
  if (localDir) return { dir: localDir, from: `${wheel}==${MLX_VERSION} in .mlx/` };

  const python = ['python3', 'python'].find((p) => has(p));
  if (!python) fail('python3 with pip is needed to install MLX (apt-get install python3-pip), or set MLX_DIR');
  if (process.env.MLX_BACKEND !== 'cuda') {
    const probe = spawnSync(python, ['-m', 'mlx', '--cmake-dir'], { encoding: 'utf8' });
    const dir = probe.status === 0 ? probe.stdout.trim() : '';
    if (dir && existsSync(join(dir, 'MLXConfig.cmake'))) return { dir, from: `Python's mlx (${python} -m mlx)` };
  }
  if (!has(python, ['-m', 'pip', '--version'])) fail(`${python} has no pip (apt-get install python3-pip), or set MLX_DIR`);
  // MLX_WHEEL: a wheel file already on disk, for machines without a registry.
  const source = process.env.MLX_WHEEL ?? `${wheel}==${MLX_VERSION}`;
  console.log(`mlx-tape: installing ${source} into .mlx/`);
  const pip = spawnSync(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-deps',
    '--target', local, source], { stdio: 'inherit' });
  if (pip.status !== 0) fail(`pip could not install ${wheel}==${MLX_VERSION}`);
  const dir = cmakeDirOf(join(local, 'mlx'));
  if (!dir) fail(`${wheel}==${MLX_VERSION} installed, but has no share/cmake/MLX in ${local}/mlx`);
  return { dir, from: `${wheel}==${MLX_VERSION} in .mlx/` };
}

if (!has('cmake')) fail('cmake is needed to build the addon (apt-get install cmake)');
if (!has('c++') && !has('g++') && !has('clang++')) fail('a C++20 compiler is needed (apt-get install g++)');

/**
 * The CUDA wheel's libmlx finds the NVIDIA libraries through an rpath to
 * ../../nvidia beside it, as in a site-packages. With --no-deps they live in
 * the Python's own site-packages instead: link them in, and point CMake's
 * cuDNN search there.
 */
function cudaArgs(mlxCmakeDir) {
  const python = ['python3', 'python'].find((p) => has(p));
  const probe = python && spawnSync(python, ['-c', 'import nvidia; print(list(nvidia.__path__)[0])'], { encoding: 'utf8' });
  const nvidia = probe && probe.status === 0 ? probe.stdout.trim() : '';
  if (!nvidia) fail('MLX_BACKEND=cuda needs the NVIDIA CUDA 13 wheels (nvidia-cublas, nvidia-cudnn-cu13, ...) installed for python3');
  const prefix = resolve(mlxCmakeDir, '..', '..', '..', '..'); // <prefix>/mlx/share/cmake/MLX
  const link = join(prefix, 'nvidia');
  if (!existsSync(link)) symlinkSync(nvidia, link);
  return [`--CDCUDNN_INCLUDE_PATH=${join(nvidia, 'cudnn', 'include')}`, `--CDCUDNN_LIBRARY_PATH=${join(nvidia, 'cudnn', 'lib')}`];
}

const mlx = findMlx();
console.log(`mlx-tape: building against MLX from ${mlx.from}: ${mlx.dir}`);
const extra = process.env.MLX_BACKEND === 'cuda' ? cudaArgs(mlx.dir) : [];
const require = createRequire(import.meta.url);
const cmakeJs = join(dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
// Configure every time, then build: a build folder from before OpenBLAS was
// installed would otherwise keep MLX's bundled BLAS (a library not found is
// looked for again at each configure, which `compile` skips when it can).
const args = ['--directory', root, '--out', join(root, 'build'), `--CDMLX_DIR=${mlx.dir}`, ...extra];
try {
  for (const step of ['configure', 'build']) execFileSync(process.execPath, [cmakeJs, step, ...args], { stdio: 'inherit', cwd: root });
} catch {
  fail('the addon did not build (see the compiler output above)');
}
