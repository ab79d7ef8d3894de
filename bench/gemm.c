// The machine's GEMM limit: cblas_sgemm GFLOP/s of a BLAS library loaded with
// dlopen (so one binary measures Debian's OpenBLAS and the BLAS bundled in the
// mlx-cpu wheel alike). Usage: gemm LIB THREADS M K N [M K N ...]
// Prints one JSON line per shape: the best of several timed runs. With beta 0,
// as MLX calls it; GEMM_BETA=1 adds into the (zeroed) output instead, which
// shows what OpenBLAS's zeroing of the output before its kernel costs.
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef void (*sgemm_t)(int, int, int, int, int, int, float, const float*, int,
                        const float*, int, float, float*, int);
enum { RowMajor = 101, NoTrans = 111 };

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char** argv) {
  if (argc < 6) return fprintf(stderr, "usage: gemm LIB THREADS M K N ...\n"), 2;
  void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) return fprintf(stderr, "%s\n", dlerror()), 1;
  sgemm_t sgemm = (sgemm_t)dlsym(lib, "cblas_sgemm");
  if (!sgemm) return fprintf(stderr, "no cblas_sgemm in %s\n", argv[1]), 1;
  int threads = atoi(argv[2]);
  const float beta = getenv("GEMM_BETA") ? (float)atof(getenv("GEMM_BETA")) : 0;
  void (*set_threads)(int) = (void (*)(int))dlsym(lib, "openblas_set_num_threads");
  if (set_threads) set_threads(threads);
  for (int s = 3; s + 2 < argc; s += 3) {
    int m = atoi(argv[s]), k = atoi(argv[s + 1]), n = atoi(argv[s + 2]);
    float* a = malloc(sizeof(float) * m * k);
    float* b = malloc(sizeof(float) * k * n);
    float* c = calloc((size_t)m * n, sizeof(float));
    for (long i = 0; i < (long)m * k; i++) a[i] = (float)(i % 7) * 0.1f;
    for (long i = 0; i < (long)k * n; i++) b[i] = (float)(i % 5) * 0.1f;
    double flop = 2.0 * m * k * n, best = 1e30, total = 0;
    int runs = 0;
    sgemm(RowMajor, NoTrans, NoTrans, m, n, k, 1, a, k, b, n, beta, c, n);  // warm-up
    while (runs < 5 || (total < 0.3 && runs < 200)) {
      double t0 = now();
      sgemm(RowMajor, NoTrans, NoTrans, m, n, k, 1, a, k, b, n, beta, c, n);
      double t = now() - t0;
      total += t, runs++;
      if (t < best) best = t;
    }
    printf("{\"m\":%d,\"k\":%d,\"n\":%d,\"threads\":%d,\"beta\":%g,\"runs\":%d,\"ms\":%.4f,\"gflops\":%.2f}\n",
           m, k, n, set_threads ? threads : 1, beta, runs, best * 1e3, flop / best * 1e-9);
    free(a), free(b), free(c);
  }
  return 0;
}
