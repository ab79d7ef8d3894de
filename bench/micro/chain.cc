// W3's chain (y = y * a + b, 5,000 times on [16] arrays) in C++ on libmlx
// alone: the floor for the graph build and the eval, µs per op, with no
// front end. An argument N first leaves N small free blocks scattered in
// glibc's heap (allocate N blocks of 16-415 bytes, free every other one),
// as a long-running Node process's heap is: the same eval then slows.
//   M=.mlx/mlx-cpu-0.32.4/mlx
//   g++ -O2 -std=c++20 bench/micro/chain.cc -I$M/include -L$M/lib -lmlx -Wl,-rpath,$M/lib -o /tmp/chain
//   /tmp/chain; /tmp/chain 1000000
#include <mlx/mlx.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace mx = mlx::core;

int main(int argc, char** argv) {
  std::vector<void*> blocks;
  unsigned seed = 1;
  for (long i = 0; i < (argc > 1 ? std::atol(argv[1]) : 0); i++) {
    seed = seed * 1103515245 + 12345;
    blocks.push_back(std::malloc(16 + (seed >> 16) % 400));
  }
  for (size_t i = 0; i < blocks.size(); i += 2) std::free(blocks[i]);

  const int n = 5000;
  auto a = mx::full({16}, 0.999f), b = mx::full({16}, 0.001f), x0 = mx::random::normal({16});
  mx::eval({a, b, x0});
  std::vector<double> build, eval;
  for (int r = 0; r < 45; r++) {
    auto t0 = std::chrono::steady_clock::now();
    mx::array y = x0;
    for (int i = 0; i < n; i++) y = mx::add(mx::multiply(y, a), b);
    auto t1 = std::chrono::steady_clock::now();
    mx::eval({y});
    auto t2 = std::chrono::steady_clock::now();
    if (r < 5) continue;  // warm-up
    build.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / (2 * n));
    eval.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count() / (2 * n));
  }
  std::sort(build.begin(), build.end());
  std::sort(eval.begin(), eval.end());
  std::printf("C++ on libmlx, %zu free blocks scattered: build %.2f, eval %.2f µs/op\n", blocks.size() / 2,
              build[build.size() / 2], eval[eval.size() / 2]);
}
