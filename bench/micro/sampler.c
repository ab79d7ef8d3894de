// A sampling profiler for any process, loaded with LD_PRELOAD: where the main
// thread's wall-clock time goes, waits included (SAMPLER_HZ samples a second,
// default 10,000, from SAMPLER_DELAY_MS after start for SAMPLER_MS), or with
// SAMPLER_ALL=1 every thread's CPU time (at the kernel's tick). Writes
// /proc/self/maps, the thread names and one program counter per sample to
// SAMPLER_OUT at the end of the window or at exit; bench/micro/samples.py
// reads it. For hosts without perf (the GPU machine): it compares where
// mlx-tape's and MLX-Python's host time goes in the same step (scripts/
// device-gpu-round.sh).
//   gcc -O2 -shared -fPIC -o /tmp/sampler.so bench/micro/sampler.c -lpthread -lrt
//   env LD_PRELOAD=/tmp/sampler.so SAMPLER_OUT=/tmp/s.txt node ...   (after `timeout`, not before it)
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define CAP (1 << 22)  // samples kept: 7 minutes at 10 kHz
static uintptr_t pcs[CAP];
static pid_t tids[CAP];
static size_t n;
static pid_t main_tid;
static timer_t armed;
static int is_armed;
static int dumped;
static void dump(void);

static void handler(int sig, siginfo_t* si, void* p) {
  (void)sig, (void)si;
  ucontext_t* uc = p;
  size_t i = __atomic_fetch_add(&n, 1, __ATOMIC_RELAXED);
  if (i < CAP) pcs[i] = uc->uc_mcontext.gregs[REG_RIP], tids[i] = gettid();
}

static void* run(void* arg) {
  (void)arg;
  usleep(1000 * atoi(getenv("SAMPLER_DELAY_MS") ?: "2000"));
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = handler;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigaction(SIGPROF, &sa, 0);
  // A wall-clock timer aimed at the main thread, or a process CPU-time timer
  // (its signal goes to the thread that is running).
  struct sigevent ev;
  memset(&ev, 0, sizeof ev);
  const int all = getenv("SAMPLER_ALL") != 0;
  ev.sigev_notify = all ? SIGEV_SIGNAL : SIGEV_THREAD_ID;
  ev.sigev_signo = SIGPROF;
  ev._sigev_un._tid = main_tid;
  timer_t timer;
  timer_create(all ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ev, &timer);
  long ns = 1000000000L / atoi(getenv("SAMPLER_HZ") ?: "10000");
  struct itimerspec it = {{0, ns}, {0, ns}};
  timer_settime(timer, 0, &it, 0);
  armed = timer, is_armed = 1;
  usleep(1000 * atoi(getenv("SAMPLER_MS") ?: "3000"));
  dump();
  return 0;
}

static void dump(void) {
  if (__atomic_exchange_n(&dumped, 1, __ATOMIC_SEQ_CST) || !is_armed) return;
  timer_delete(armed);
  FILE* out = fopen(getenv("SAMPLER_OUT"), "w");
  FILE* maps = fopen("/proc/self/maps", "r");
  char line[4096];
  while (fgets(line, sizeof line, maps)) fprintf(out, "M %s", line);
  fclose(maps);
  DIR* tasks = opendir("/proc/self/task");
  for (struct dirent* e; (e = readdir(tasks));) {
    if (e->d_name[0] == '.') continue;
    char path[300], name[64] = "";
    snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
    FILE* comm = fopen(path, "r");
    if (comm) { if (fgets(name, sizeof name, comm)) name[strcspn(name, "\n")] = 0; fclose(comm); }
    fprintf(out, "T %s %s\n", e->d_name, name);
  }
  closedir(tasks);
  size_t count = n < CAP ? n : CAP;
  for (size_t i = 0; i < count; i++) fprintf(out, "P %lx %d\n", (unsigned long)pcs[i], tids[i] == main_tid ? 0 : tids[i]);
  fclose(out);
}

__attribute__((constructor)) static void start(void) {
  if (!getenv("SAMPLER_OUT")) return;
  unsetenv("LD_PRELOAD");  // children are not sampled
  main_tid = gettid();
  atexit(dump);  // a process that ends early still writes what it has
  pthread_t t;
  pthread_create(&t, 0, run, 0);
  pthread_detach(t);
}
