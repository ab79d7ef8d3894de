// MLX's distributed layer (mlx::core::distributed): groups and collectives.
// A group lives in a registry here and JS holds its index, so collectives
// take a plain number (or nothing: MLX's default group). Exported with a
// `distributed` prefix where the name alone would be ambiguous.
#include <chrono>
#include <future>
#include <memory>
#include <sstream>
#include <thread>

#include "convert.h"
#include "mlx/distributed/distributed.h"
#include "mlx/distributed/ops.h"

namespace mlx_tape {

namespace {

namespace mxd = mx::distributed;

std::vector<mxd::Group>& Groups() {
  static std::vector<mxd::Group> groups;
  return groups;
}

int Register(mxd::Group g) {
  Groups().push_back(std::move(g));
  return static_cast<int>(Groups().size() - 1);
}

// The group behind a JS group id; nullopt is MLX's default group.
std::optional<mxd::Group> GroupOf(std::optional<int> id, const char* op) {
  if (!id) return std::nullopt;
  if (*id < 0 || *id >= static_cast<int>(Groups().size()))
    throw std::invalid_argument("[" + std::string(op) + "] unknown group " +
                                std::to_string(*id));
  return Groups()[*id];
}

// Some of MLX's messages ("Invalid destination=5 ...", "Cannot initialize
// MPI") do not name the op; prefix them as MLX's other messages are.
template <typename F>
auto Named(const char* op, F&& f) {
  try {
    return f();
  } catch (const std::invalid_argument& e) {
    std::string m = e.what();
    if (m.rfind('[', 0) == 0) throw;
    throw std::invalid_argument("[" + std::string(op) + "] " + m);
  } catch (const std::runtime_error& e) {  // MPI's "Cannot initialize MPI"
    std::string m = e.what();
    if (m.rfind('[', 0) == 0) throw;
    throw std::runtime_error("[" + std::string(op) + "] " + m);
  }
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// Set once an init has timed out: its thread is still blocked inside MLX
// (accept() has no timeout), so a second init would race with it.
bool init_timed_out = false;

// MLX's ring backend accepts its left neighbour's connection with no
// timeout, so a rank whose peer never starts would wait forever. Run the
// init on its own thread and give up after `timeout_ms`; the stuck thread is
// left behind, and the caller is expected to exit.
int Init(bool strict, std::string backend, double timeout_ms) {
  if (init_timed_out)
    throw std::runtime_error(
        "[distributed.init] an earlier init timed out; exit the process and "
        "start again");
  auto result = std::make_shared<std::promise<mxd::Group>>();
  auto done = result->get_future();
  std::thread([result, strict, backend] {
    try {
      result->set_value(mxd::init(strict, backend));
    } catch (...) {
      result->set_exception(std::current_exception());
    }
  }).detach();
  if (timeout_ms > 0 &&
      done.wait_for(std::chrono::duration<double, std::milli>(timeout_ms)) ==
          std::future_status::timeout) {
    init_timed_out = true;
    std::ostringstream msg;
    auto rank = Env("MLX_RANK");
    msg << "[distributed.init] rank " << (rank.empty() ? "?" : rank)
        << " could not connect to its peers within " << timeout_ms / 1000
        << " s (backend '" << backend << "', MLX_HOSTFILE="
        << Env("MLX_HOSTFILE")
        << "): did every rank start, and are the addresses reachable?";
    throw std::runtime_error(msg.str());
  }
  return Register(Named("distributed.init", [&] { return done.get(); }));
}

}  // namespace

void InitDistributed(Napi::Env env, Napi::Object exports) {
  Def(env, exports, "distributedIsAvailable(backend)", +[](std::string bk) {
    return mxd::is_available(bk);
  });
  Def(env, exports, "distributedInit(strict, backend, timeoutMs)", &Init);
  Def(env, exports, "distributedRank(group)", +[](int g) {
    return GroupOf(g, "rank")->rank();
  });
  Def(env, exports, "distributedSize(group)", +[](int g) {
    return GroupOf(g, "size")->size();
  });
  Def(env, exports, "distributedSplit(group, color, key)",
      +[](int g, int color, int key) {
        return Register(GroupOf(g, "split")->split(color, key));
      });
  Def(env, exports, "allSum(x, group)", +[](const mx::array& x, std::optional<int> g) {
    return Named("allSum", [&] { return mxd::all_sum(x, GroupOf(g, "allSum")); });
  });
  Def(env, exports, "allGather(x, group)", +[](const mx::array& x, std::optional<int> g) {
    return Named("allGather", [&] { return mxd::all_gather(x, GroupOf(g, "allGather")); });
  });
  Def(env, exports, "allMax(x, group)", +[](const mx::array& x, std::optional<int> g) {
    return Named("allMax", [&] { return mxd::all_max(x, GroupOf(g, "allMax")); });
  });
  Def(env, exports, "allMin(x, group)", +[](const mx::array& x, std::optional<int> g) {
    return Named("allMin", [&] { return mxd::all_min(x, GroupOf(g, "allMin")); });
  });
  Def(env, exports, "sumScatter(x, group)", +[](const mx::array& x, std::optional<int> g) {
    return Named("sumScatter", [&] { return mxd::sum_scatter(x, GroupOf(g, "sumScatter")); });
  });
  Def(env, exports, "send(x, dst, group)",
      +[](const mx::array& x, int dst, std::optional<int> g) {
        return Named("send", [&] { return mxd::send(x, dst, GroupOf(g, "send")); });
      });
  Def(env, exports, "recv(shape, dtype, src, group)",
      +[](mx::Shape shape, mx::Dtype d, int src, std::optional<int> g) {
        return Named("recv", [&] { return mxd::recv(shape, d, src, GroupOf(g, "recv")); });
      });
  Def(env, exports, "recvLike(x, src, group)",
      +[](const mx::array& x, int src, std::optional<int> g) {
        return Named("recvLike", [&] { return mxd::recv_like(x, src, GroupOf(g, "recvLike")); });
      });
}

}  // namespace mlx_tape
