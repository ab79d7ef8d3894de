# Reads what bench/micro/sampler.c wrote: the share of samples per group of
# libraries (the JS engine and the addon, the Python interpreter and its MLX
# bindings, MLX, CUDA, the C and C++ runtimes), per library and per function
# (ELF symbols through nm and readelf; in a library without a symbol table,
# the nearest symbol it exports, so approximate), and per thread. Run it where
# the samples were taken: it reads the libraries the process mapped.
#   python3 bench/micro/samples.py SAMPLES... [--top N]
# SYM_REMAP='/path/there=/path/here,...' symbolizes another machine's samples
# with this machine's copies of its files.
import argparse, bisect, collections, os, re, subprocess

GROUPS = [
    ('JS engine and addon', r'^(node|\[anon\]|mlx_tape\.node)$'),  # [anon]: V8's generated code
    ('Python and its MLX bindings', r'^(python3|libpython3|core\.cpython)'),
    ('MLX', r'^libmlx'),
    ('CUDA', r'^(libcuda|libcublas|libcudart|libcudnn|libnvrtc)'),
    ('C and C++ runtimes', r'^(libc\.|libstdc\+\+|libm\.|ld-linux|libgcc_s|\[vdso\])'),
]
REMAP = dict(kv.split('=', 1) for kv in os.environ.get('SYM_REMAP', '').split(',') if '=' in kv)


def load(path):
    maps, threads, samples = [], {}, []
    for line in open(path):
        kind, rest = line[0], line[2:].rstrip('\n')
        if kind == 'M':
            f = rest.split()
            lo, hi = (int(x, 16) for x in f[0].split('-'))
            maps.append((lo, hi, int(f[2], 16), f[5] if len(f) > 5 else '[anon]'))
        elif kind == 'T':
            tid, _, name = rest.partition(' ')
            threads[tid] = name
        elif kind == 'P':
            pc, tid = rest.split()
            samples.append((int(pc, 16), 'main' if tid == '0' else f'{threads.get(tid, "?")} {tid}'))
    return sorted(maps), samples


_symbols = {}
def symbols(path):
    """A file's LOAD segments (offset, address, size) and its sorted function symbols."""
    path = REMAP.get(path, path)
    if path not in _symbols:
        segs, syms, seen = [], [], set()
        run = lambda *a: subprocess.run(a, capture_output=True, text=True).stdout
        for line in run('readelf', '-lW', path).splitlines():
            f = line.split()
            if f and f[0] == 'LOAD':
                segs.append((int(f[1], 16), int(f[2], 16), int(f[4], 16)))
        for extra in ([], ['-D']):
            for line in run('nm', '-C', '--defined-only', *extra, path).splitlines():
                f = line.split(' ', 2)
                if len(f) == 3 and f[1] in 'tTwWi' and f[0] and int(f[0], 16) not in seen:
                    seen.add(int(f[0], 16))
                    syms.append((int(f[0], 16), f[2]))
        _symbols[path] = (segs, sorted(syms))
    return _symbols[path]


def report(path, top):
    maps, samples = load(path)
    starts = [m[0] for m in maps]
    by = {k: collections.Counter() for k in ('group', 'library', 'function', 'thread')}
    for pc, thread in samples:
        i = bisect.bisect_right(starts, pc) - 1
        lo, hi, offset, file = maps[i] if i >= 0 and pc < maps[i][1] else (0, 0, 0, '?')
        lib = os.path.basename(file) if file.startswith('/') else file
        name = '?'
        if file.startswith('/'):
            segs, syms = symbols(file)
            at = pc - lo + offset
            at = next((at - o + a for o, a, size in segs if o <= at < o + size), at)
            j = bisect.bisect_right(syms, (at, '\uffff')) - 1
            if j >= 0:
                name = syms[j][1]
        by['group'][next((g for g, pattern in GROUPS if re.search(pattern, lib)), 'other')] += 1
        by['library'][lib] += 1
        by['function'][f'{lib[:24]:24} {name[:100]}'] += 1
        by['thread'][thread] += 1
    n = len(samples) or 1
    print(f'{path}: {len(samples)} samples')
    for kind, counts in by.items():
        print(f'  by {kind}:')
        for key, c in counts.most_common(top if kind == 'function' else 12):
            print(f'    {100 * c / n:5.1f}%  {key}')


parser = argparse.ArgumentParser(description='Where the samples of bench/micro/sampler.c fall.')
parser.add_argument('samples', nargs='+', help="files sampler.c wrote (SAMPLER_OUT)")
parser.add_argument('--top', type=int, default=25, help='functions listed per file')
args = parser.parse_args()
for path in args.samples:
    report(path, args.top)
