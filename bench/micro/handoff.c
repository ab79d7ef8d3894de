// What handing work to another thread and waiting for it costs here, beside
// the work: the round trip of a condition-variable hand-off (as an eval's to
// MLX's stream thread), with the other thread pinned to this thread's CPU or
// to another one, each hand-off after 150 µs of this thread's own work.
// On a VM an idle vCPU is halted, and waking a thread on it waits for the
// host to run it again (native/src/evaluate.cc).
//   gcc -O2 -pthread bench/micro/handoff.c -o /tmp/handoff && /tmp/handoff
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}
static void spin_us(double us) {
  for (double t = now_us(); now_us() - t < us;) {
  }
}
static void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER, done = PTHREAD_COND_INITIALIZER;
static int pending = 0, stop = 0, other_cpu = 0;

static void* other(void* unused) {
  (void)unused;
  pin(other_cpu);
  pthread_mutex_lock(&mutex);
  for (;;) {
    while (!pending && !stop) pthread_cond_wait(&wake, &mutex);
    if (stop) break;
    pending = 0;
    pthread_cond_signal(&done);
  }
  pthread_mutex_unlock(&mutex);
  return NULL;
}

int main(void) {
  for (other_cpu = 0; other_cpu < 2; other_cpu++) {
    pin(0);
    pthread_t thread;
    pthread_create(&thread, NULL, other, NULL);
    double total = 0;
    const int n = 3000;
    for (int i = 0; i < n; i++) {
      spin_us(150);
      double t = now_us();
      pthread_mutex_lock(&mutex);
      pending = 1;
      pthread_cond_signal(&wake);
      while (pending) pthread_cond_wait(&done, &mutex);
      pthread_mutex_unlock(&mutex);
      total += now_us() - t;
    }
    printf("hand-off to a thread on %s: %.1f us a round trip\n", other_cpu ? "another CPU" : "the same CPU", total / n);
    pthread_mutex_lock(&mutex);
    stop = 1;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&mutex);
    pthread_join(thread, NULL);
    stop = 0;
  }
  return 0;
}
