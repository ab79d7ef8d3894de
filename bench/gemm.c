// The machine's GEMM limit: cblas_sgemm GFLOP/s of a BLAS library loaded with
// dlopen (so one binary measures Debian's OpenBLAS and the BLAS bundled in the
// mlx-cpu wheel alike). Usage: gemm LIB THREADS M K N [M K N ...]
// Prints one JSON line per shape: the best of several timed runs. With beta 0,
// as MLX calls it; GEMM_BETA=1 adds into the (zeroed) output instead, which
// shows what OpenBLAS's zeroing of the output before its kernel costs.
//
// gemm LIB THREADS serve W=M,K,N,FLOP [...]: a worker of bench/run.mjs (the
// protocol of bench/workers/serve.mjs) whose step for workload W is FLOP
// floating-point operations done as sgemm calls of shape M×K×N: the GEMM limit
// timed in the same rounds as the workloads, so under the same drifts of the
// VM's speed. A step runs whole calls and counts the time of FLOP's share of them.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef void (*sgemm_t)(int, int, int, int, int, int, float, const float*, int,
                        const float*, int, float, float*, int);
enum { RowMajor = 101, NoTrans = 111 };

static sgemm_t sgemm;
static float beta;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct {
  int m, k, n;
  float *a, *b, *c;
} Gemm;

static Gemm gemm_new(int m, int k, int n) {
  Gemm g = {m, k, n, malloc(sizeof(float) * m * k), malloc(sizeof(float) * k * n), calloc((size_t)m * n, sizeof(float))};
  for (long i = 0; i < (long)m * k; i++) g.a[i] = (float)(i % 7) * 0.1f;
  for (long i = 0; i < (long)k * n; i++) g.b[i] = (float)(i % 5) * 0.1f;
  return g;
}

/** Seconds of one sgemm call. */
static double gemm_run(const Gemm* g) {
  double t0 = now();
  sgemm(RowMajor, NoTrans, NoTrans, g->m, g->n, g->k, 1, g->a, g->k, g->b, g->n, beta, g->c, g->n);
  return now() - t0;
}

/**
 * OpenBLAS's worker threads on every CPU but the caller's, and the caller on
 * its own, as mlx-tape places them (native/src/evaluate.cc): woken by each
 * call, a worker otherwise lands beside the caller at times, and the two take
 * turns on one core, the call twice as slow (W1's shape: 1.1 or 2.1 ms per
 * round of the bench, 1.07 alone).
 */
static void place_threads(void* lib) {
  int (*set_affinity)(int, size_t, cpu_set_t*) = (int (*)(int, size_t, cpu_set_t*))dlsym(lib, "openblas_setaffinity");
  int (*num_threads)(void) = (int (*)(void))dlsym(lib, "openblas_get_num_threads");
  cpu_set_t mine, others;
  if (!set_affinity || !num_threads || sched_getaffinity(0, sizeof others, &others)) return;
  const int cpu = sched_getcpu();
  CPU_CLR(cpu, &others);
  if (CPU_COUNT(&others) == 0) return;
  CPU_ZERO(&mine);
  CPU_SET(cpu, &mine);
  sched_setaffinity(0, sizeof mine, &mine);
  for (int i = 0; i < num_threads() - 1; i++) set_affinity(i, sizeof others, &others);
}

/** The number after "key": in a JSON line, or `fallback`. */
static double number_field(const char* line, const char* key, double fallback) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  const char* at = strstr(line, pattern);
  return at ? strtod(at + strlen(pattern), NULL) : fallback;
}

typedef struct {
  char name[16];
  Gemm g;
  double calls;  // FLOP ÷ one call's 2·M·K·N, not a whole number in general
  int warm;
} Workload;

/** ms of one step of `w`: ceil(calls) sgemm calls, of which `calls`' share counts. */
static double step_ms(const Workload* w) {
  int whole = (int)ceil(w->calls);
  double s = 0;
  for (int i = 0; i < whole; i++) s += gemm_run(&w->g);
  return s * 1e3 * w->calls / whole;
}

static int serve(const char* lib, int count, char** specs) {
  Workload ws[8];
  if (count > 8) return fprintf(stderr, "serve: at most 8 workloads\n"), 2;
  for (int i = 0; i < count; i++) {
    int m, k, n;
    double flop;
    char name[16];
    if (sscanf(specs[i], "%15[^=]=%d,%d,%d,%lf", name, &m, &k, &n, &flop) != 5 || m <= 0 || k <= 0 || n <= 0 || flop <= 0)
      return fprintf(stderr, "serve: '%s' is not W=M,K,N,FLOP\n", specs[i]), 2;
    ws[i] = (Workload){.g = gemm_new(m, k, n), .calls = flop / (2.0 * m * k * n)};
    strcpy(ws[i].name, name);
  }
  printf("{\"ready\":true,\"info\":{\"name\":\"GEMM limit\",\"version\":\"cblas_sgemm of %s\"}}\n", lib);
  fflush(stdout);
  char line[4096];
  while (fgets(line, sizeof line, stdin)) {
    char name[16] = "";
    const char* at = strstr(line, "\"w\":\"");
    if (at) sscanf(at + 5, "%15[^\"]", name);
    Workload* w = NULL;
    for (int i = 0; i < count; i++)
      if (!strcmp(ws[i].name, name)) w = &ws[i];
    if (!w) {
      printf("{\"error\":\"no GEMM shape for workload '%s'\"}\n", name);
      fflush(stdout);
      continue;
    }
    if (!w->warm) {  // as serve.mjs: `warmup` steps, then more while the next fits in warmupMs
      int warmup = (int)number_field(line, "warmup", 0);
      double start = now(), budget = number_field(line, "warmupMs", 0) * 1e-3, last = 0;
      for (int i = 0; i < warmup; i++) last = step_ms(w) * 1e-3;
      while (warmup > 0 && now() - start + last < budget) last = step_ms(w) * 1e-3;
      w->warm = 1;
    }
    for (int i = 0, settle = (int)number_field(line, "settle", 0); i < settle; i++) step_ms(w);
    printf("{\"times\":[");
    for (int i = 0, iters = (int)number_field(line, "iters", 1); i < iters; i++) printf("%s%.4f", i ? "," : "", step_ms(w));
    printf("]}\n");
    fflush(stdout);
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 4) return fprintf(stderr, "usage: gemm LIB THREADS M K N ... | gemm LIB THREADS serve W=M,K,N,FLOP ...\n"), 2;
  void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) return fprintf(stderr, "%s\n", dlerror()), 1;
  sgemm = (sgemm_t)dlsym(lib, "cblas_sgemm");
  if (!sgemm) return fprintf(stderr, "no cblas_sgemm in %s\n", argv[1]), 1;
  int threads = atoi(argv[2]);
  beta = getenv("GEMM_BETA") ? (float)atof(getenv("GEMM_BETA")) : 0;
  void (*set_threads)(int) = (void (*)(int))dlsym(lib, "openblas_set_num_threads");
  if (set_threads) set_threads(threads);
  place_threads(lib);
  if (!strcmp(argv[3], "serve")) return serve(argv[1], argc - 4, argv + 4);
  for (int s = 3; s + 2 < argc; s += 3) {
    Gemm g = gemm_new(atoi(argv[s]), atoi(argv[s + 1]), atoi(argv[s + 2]));
    double flop = 2.0 * g.m * g.k * g.n, best = 1e30, total = 0;
    int runs = 0;
    gemm_run(&g);  // warm-up
    while (runs < 5 || (total < 0.3 && runs < 200)) {
      double t = gemm_run(&g);
      total += t, runs++;
      if (t < best) best = t;
    }
    printf("{\"m\":%d,\"k\":%d,\"n\":%d,\"threads\":%d,\"beta\":%g,\"runs\":%d,\"ms\":%.4f,\"gflops\":%.2f}\n",
           g.m, g.k, g.n, set_threads ? threads : 1, beta, runs, best * 1e3, flop / best * 1e-9);
    free(g.a), free(g.b), free(g.c);
  }
  return 0;
}
