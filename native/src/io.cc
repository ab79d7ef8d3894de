// Save and load through MLX's own .npy and .safetensors code. MLX reads the
// header at once and the data lazily, on a thread pool that drops read
// errors: a truncated file would silently load garbage. So the reader here
// records short reads, the sizes the header claims are checked against the
// file before anything is allocated, and the arrays are evaluated before
// returning, so every problem is an error naming the file, now.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "convert.h"
#include "evaluate.h"

namespace mlx_tape {

namespace {

class CheckedReader : public mx::io::Reader {
 public:
  CheckedReader(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~CheckedReader() override { ::close(fd_); }

  static std::shared_ptr<CheckedReader> Open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) throw std::runtime_error("cannot open: " + std::string(std::strerror(errno)));
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      throw std::runtime_error("not a regular file");
    }
    return std::make_shared<CheckedReader>(path, fd, static_cast<uint64_t>(st.st_size));
  }

  bool is_open() const override { return fd_ >= 0; }
  bool good() const override { return is_open(); }
  size_t tell() override { return ::lseek(fd_, 0, SEEK_CUR); }
  void seek(int64_t off, std::ios_base::seekdir way) override {
    ::lseek(fd_, off, way == std::ios_base::beg ? SEEK_SET : way == std::ios_base::end ? SEEK_END : SEEK_CUR);
  }
  // The header: on the calling thread, so a throw reaches the caller.
  void read(char* data, size_t n) override {
    while (n) {
      auto m = ::read(fd_, data, n);
      if (m <= 0) throw std::runtime_error("the file ends inside its header");
      data += m;
      n -= m;
    }
  }
  // The data: on MLX's I/O pool, where a throw would be lost. A short read
  // zero-fills and is reported by CheckComplete.
  void read(char* data, size_t n, size_t offset) override {
    while (n) {
      auto m = ::pread(fd_, data, n, offset);
      if (m <= 0) {
        std::memset(data, 0, n);
        short_read_ = true;
        return;
      }
      data += m;
      n -= m;
      offset += m;
    }
  }
  std::string label() const override { return "file " + path_; }

  // Refuses arrays whose claimed bytes (negative or overflowing shapes
  // included) can't all be in the file, before MLX allocates them.
  void CheckFits(const std::vector<mx::array>& arrays) const {
    uint64_t total = 0;
    for (const auto& a : arrays) {
      uint64_t bytes = a.itemsize();
      for (auto d : a.shape())
        if (d < 0 || __builtin_mul_overflow(bytes, static_cast<uint64_t>(d), &bytes))
          throw std::runtime_error("the header gives an invalid shape " + ShapeString(a.shape()));
      if (__builtin_add_overflow(total, bytes, &total) || total > size_)
        throw std::runtime_error("the header describes more data than the file holds (" +
                                 std::to_string(size_) + " bytes); is it truncated?");
    }
  }
  void CheckComplete() const {
    if (short_read_) throw std::runtime_error("the file is truncated: its data ends early");
  }

 private:
  std::string path_;
  int fd_;
  uint64_t size_;
  std::atomic<bool> short_read_{false};
};

// Runs f, making every error name the op and the file.
template <typename F>
auto AtFile(const char* op, const std::string& file, F&& f) -> decltype(f()) {
  auto prefix = [&](const std::exception& e) {
    std::string what = e.what();  // MLX's own messages often name the file
    if (what.find(file) != std::string::npos) return what;
    return std::string("[") + op + "] '" + file + "': " + what;
  };
  try {
    return f();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(prefix(e));
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    throw std::runtime_error(prefix(e));
  }
}

mx::array Load(std::string file) {
  return AtFile("load", file, [&] {
    auto reader = CheckedReader::Open(file);
    auto a = mx::load(reader);
    reader->CheckFits({a});
    Evaluate({a});
    reader->CheckComplete();
    return a;
  });
}

void Save(std::string file, const mx::array& a) {
  AtFile("save", file, [&] { mx::save(file, a); });
}

// loadSafetensors(file) -> {tensors: {name: array}, metadata: {key: string}}
Napi::Value LoadSafetensors(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto file = Arg<std::string>::Get(info[0], Where{"loadSafetensors", "file"});
  auto [arrays, metadata] = AtFile("loadSafetensors", file, [&] {
    auto reader = CheckedReader::Open(file);
    auto loaded = mx::load_safetensors(reader);
    std::vector<mx::array> all;
    for (auto& [name, a] : loaded.first) all.push_back(a);
    reader->CheckFits(all);
    Evaluate(all);
    reader->CheckComplete();
    return loaded;
  });
  auto tensors = Napi::Object::New(env);
  for (auto& [name, a] : arrays) tensors.Set(name, Array::New(env, a));
  auto meta = Napi::Object::New(env);
  for (auto& [k, v] : metadata) meta.Set(k, v);
  auto out = Napi::Object::New(env);
  out.Set("tensors", tensors);
  out.Set("metadata", meta);
  return out;
}

// saveSafetensors(file, tensors: {name: array}, metadata?: {key: string})
Napi::Value SaveSafetensors(const Napi::CallbackInfo& info) {
  const char* op = "saveSafetensors";
  Napi::Env env = info.Env();
  auto file = Arg<std::string>::Get(info[0], Where{op, "file"});
  if (!info[1].IsObject() || info[1].IsArray() || Array::Is(info[1]))
    throw Napi::TypeError::New(env, std::string(op) + ": argument 'tensors' must be an object of arrays, got " + Describe(info[1]));
  std::unordered_map<std::string, mx::array> arrays;
  auto tensors = info[1].As<Napi::Object>();
  auto names = tensors.GetPropertyNames();
  for (uint32_t i = 0; i < names.Length(); ++i) {
    auto name = names.Get(i).As<Napi::String>().Utf8Value();
    arrays.insert({name, Array::From(tensors.Get(name), Where{op, "tensors." + name})});
  }
  std::unordered_map<std::string, std::string> metadata;
  if (!info[2].IsUndefined() && !info[2].IsNull()) {
    if (!info[2].IsObject() || info[2].IsArray())
      throw Napi::TypeError::New(env, std::string(op) + ": argument 'metadata' must be an object of strings, got " + Describe(info[2]));
    auto meta = info[2].As<Napi::Object>();
    auto keys = meta.GetPropertyNames();
    for (uint32_t i = 0; i < keys.Length(); ++i) {
      auto key = keys.Get(i).As<Napi::String>().Utf8Value();
      metadata[key] = Arg<std::string>::Get(meta.Get(key), Where{op, "metadata." + key});
    }
  }
  AtFile(op, file, [&] { mx::save_safetensors(file, arrays, metadata); });
  return env.Undefined();
}

}  // namespace

void InitIo(Napi::Env env, Napi::Object exports) {
  Def(env, exports, "save(file, a)", &Save);
  Def(env, exports, "load(file)", &Load);
  DefRaw<LoadSafetensors>(env, exports, "loadSafetensors");
  DefRaw<SaveSafetensors>(env, exports, "saveSafetensors");
}

}  // namespace mlx_tape
