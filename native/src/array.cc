#include "array.h"

#include <atomic>
#include <cstring>
#include <memory>
#include <vector>

#include "convert.h"
#include "evaluate.h"

namespace mlx_tape {

namespace {

int64_t BytesOf(const mx::array& a) {
  return static_cast<int64_t>(a.size()) * a.itemsize();
}

// The bytes are a hint to V8's GC scheduling, so they are reported in steps of
// 1 MiB: a call per tiny array would cost more than the array (W3).
// Handles made inside a tidy scope are not reported unless they outlive it:
// tidy frees the rest, and reporting them made V8 run a full GC every ~64 MiB
// of short-lived activations (W2: ~2 per step).
thread_local int64_t unreported = 0;
void Report(napi_env env, int64_t delta) {
  unreported += delta;
  if (unreported >= (1 << 20) || unreported <= -(1 << 20)) {
    // Taken first: the call may run a GC whose finalizers add to it.
    int64_t change = unreported, total;
    unreported = 0;
    napi_adjust_external_memory(env, change, &total);
  }
}

// 32 bytes, two to a cache line: a slot's place and its array's bytes are
// not kept, as they follow from the key and the array.
struct Slot {
  std::optional<mx::array> array;
  uint32_t generation = 0;
  bool reported = false;   // V8 was told of the array's bytes
  bool finalizer = false;  // the GC frees it if it is never disposed
};
static_assert(sizeof(Slot) == 32);

// The slots, in chunks of 4,096: references stay valid as the table grows,
// and a chunk is one block of memory, so reusing freed slots one after
// another walks it in order (a deque's blocks hold 10 slots each, scattered
// over the heap: a cache miss per new handle, W3).
class SlotTable {
 public:
  size_t size() const { return size_; }
  Slot& operator[](size_t i) { return chunks_[i >> kShift][i & (kChunk - 1)]; }
  Slot& emplace_back() {
    if (size_ == chunks_.size() * kChunk) chunks_.push_back(std::make_unique<Slot[]>(kChunk));
    return (*this)[size_++];
  }

 private:
  static constexpr size_t kShift = 12, kChunk = size_t{1} << kShift;
  std::vector<std::unique_ptr<Slot[]>> chunks_;
  size_t size_ = 0;
};

// One table per JS thread (each worker has its own handles); finalizers run
// on that thread, inside GC.
thread_local SlotTable slots;
thread_local std::vector<uint32_t> free_slots;
thread_local bool in_scope = false;

// A key: magic (8 bits) | thread (8) | generation (24) | slot (24). The
// thread tag refuses a handle posted to another worker (a BigInt can be;
// tags repeat after 256 threads).
constexpr uint64_t kMagic = 0x6d;  // "m"
constexpr uint64_t kMask24 = (1u << 24) - 1;
uint64_t NewThreadTag() {
  static std::atomic<uint64_t> next{0};
  return next++ & 0xff;
}
thread_local const uint64_t thread_tag = NewThreadTag();
uint64_t KeyOf(uint32_t index) {
  return kMagic << 56 | thread_tag << 48 | (slots[index].generation & kMask24) << 24 | index;
}
// The slot a key names, when it is one of ours (whatever its generation).
Slot* SlotOf(uint64_t key, bool* stale) {
  uint64_t index = key & kMask24;
  if (key >> 56 != kMagic || (key >> 48 & 0xff) != thread_tag || index >= slots.size()) return nullptr;
  Slot* slot = &slots[index];
  *stale = (key >> 24 & kMask24) != (slot->generation & kMask24) || !slot->array;
  return slot;
}
// A handle's key: a BigInt (made in scope) or an External's data (out of
// scope). False for values of other types; a BigInt too large for a key gets
// key 0, which names no slot. The BigInt is tried first, with no type query:
// W3's chain passes two handles an op.
bool KeyOf(napi_env env, napi_value value, uint64_t* key) {
  bool lossless;
  napi_status status = napi_get_value_bigint_uint64(env, value, key, &lossless);
  if (status == napi_ok) {
    if (!lossless) *key = 0;
    return true;
  }
  void* data;
  if (status != napi_bigint_expected || napi_get_value_external(env, value, &data) != napi_ok) return false;
  *key = reinterpret_cast<uint64_t>(data);
  return true;
}
// As above, for a JS value; `key` gets its key (Release needs it).
Slot* SlotOf(Napi::Value value, bool* stale, uint64_t* key) {
  return KeyOf(value.Env(), value, key) ? SlotOf(*key, stale) : nullptr;
}
// Frees a live slot for reuse; its old handles become stale. `key`: a handle's
// key, or the slot's index (only its low 24 bits are read).
void Release(napi_env env, uint64_t key, Slot* slot, bool in_gc) {
  if (slot->reported) {
    // Inside GC even napi_adjust_external_memory can start another GC (V8
    // aborts: "Check failed: marking_done_"), so the bytes wait for the next
    // Report outside it.
    int64_t bytes = BytesOf(*slot->array);
    in_gc ? void(unreported -= bytes) : Report(env, -bytes);
  }
  slot->array.reset();
  slot->reported = slot->finalizer = false;
  ++slot->generation;
  free_slots.push_back(static_cast<uint32_t>(key & kMask24));
}
}  // namespace

int64_t Array::Count() { return static_cast<int64_t>(slots.size() - free_slots.size()); }

// MLX's CPU allocator returns a null buffer when malloc fails and the kernel
// then writes through it (a segfault), so an array that can never be
// allocated (over MLX's memory limit, or bytes overflowing 64 bits) is
// refused here, before it reaches JS and so before anything evaluates it.
static void CheckSize(Napi::Env env, const mx::array& a) {
  uint64_t bytes = a.itemsize();
  bool overflow = false;
  for (auto d : a.shape())
    overflow |= d < 0 || __builtin_mul_overflow(bytes, static_cast<uint64_t>(d), &bytes);
  uint64_t limit = mx::get_memory_limit();
  if (overflow || bytes > limit)
    throw MlxError(env, "[array] an array of shape " + ShapeString(a.shape()) + " and dtype " +
                            DtypeName(a.dtype()) + " needs " +
                            (overflow ? "over 2^64" : std::to_string(bytes)) +
                            " bytes, more than MLX's memory limit of " +
                            std::to_string(limit) + " bytes",
                   "MLX_OUT_OF_MEMORY");
}

Napi::Value Array::New(Napi::Env env, mx::array a) {
  CheckSize(env, a);
  uint32_t index;
  if (!free_slots.empty()) {
    index = free_slots.back();
    free_slots.pop_back();
  } else {
    if (slots.size() > kMask24)
      throw MlxError(env, "[array] more than " + std::to_string(kMask24) +
                              " arrays are alive at once", "MLX_TOO_MANY_ARRAYS");
    index = static_cast<uint32_t>(slots.size());
    slots.emplace_back();
  }
  Slot& slot = slots[index];
  int64_t bytes = BytesOf(a);
  slot.array = std::move(a);
  slot.finalizer = !in_scope;
  // In scope, a BigInt: an External would cost Node an allocation and a weak
  // reference of its own (napi's ExternalWrapper), ~0.5 µs per op (W3).
  napi_value handle;
  napi_status status =
      in_scope ? napi_create_bigint_uint64(env, KeyOf(index), &handle)
               : napi_create_external(env, reinterpret_cast<void*>(KeyOf(index)), &Array::Finalize,
                                      nullptr, &handle);
  if (status != napi_ok) {
    Release(env, index, &slot, false);
    NAPI_THROW_IF_FAILED(env, status, Napi::Value());
  }
  if (!in_scope) {
    slot.reported = true;
    Report(env, bytes);
  }
  return Napi::Value(env, handle);
}

bool Array::Is(Napi::Value value) {
  uint64_t key;
  bool stale;
  return SlotOf(value, &stale, &key) != nullptr;
}

static Napi::TypeError NotAnArray(Napi::Value value, const Where& what) {
  return Napi::TypeError::New(value.Env(), what.str() + " must be an MLX array, got " + Describe(value));
}

mx::array* Array::Find(Napi::Value value, const Where& what) {
  uint64_t key;
  if (!KeyOf(value.Env(), value, &key)) return nullptr;
  bool stale;
  Slot* slot = SlotOf(key, &stale);
  if (!slot) throw NotAnArray(value, what);
  if (stale)
    throw Napi::Error::New(value.Env(),
                           what.str() + " is an array that was already disposed");
  return &*slot->array;
}

mx::array& Array::From(Napi::Value value, const Where& what) {
  if (mx::array* array = Find(value, what)) return *array;
  throw NotAnArray(value, what);
}

bool Array::Dispose(Napi::Value value) {
  uint64_t key;
  bool stale;
  Slot* slot = SlotOf(value, &stale, &key);
  if (!slot)
    throw Napi::TypeError::New(
        value.Env(), "dispose: expected an MLX array, got " + Describe(value));
  if (stale) return false;
  Release(value.Env(), key, slot, false);
  return true;
}

void Array::DisposeKeys(Napi::BigUint64Array keys) {
  const uint64_t* key = keys.Data();
  for (size_t i = 0, n = keys.ElementLength(); i < n; ++i) {
    bool stale;
    Slot* slot = SlotOf(key[i], &stale);
    if (!slot)
      throw Napi::TypeError::New(keys.Env(), "disposeKeys: element " + std::to_string(i) + " is not an MLX array's key");
    if (!stale) Release(keys.Env(), key[i], slot, false);
  }
}

std::vector<mx::array> Array::Live() {
  std::vector<mx::array> live;
  for (size_t i = 0; i < slots.size(); ++i)
    if (slots[i].array) live.push_back(*slots[i].array);
  return live;
}

bool Array::InScope(bool scope) { return std::exchange(in_scope, scope); }

void Array::Outlive(Napi::Env env, Napi::Value value, Napi::Value owner) {
  uint64_t key;
  bool stale;
  Slot* slot = SlotOf(value, &stale, &key);
  if (!slot)
    throw Napi::TypeError::New(env, "outlive: expected an MLX array, got " + Describe(value));
  if (stale || slot->finalizer) return;
  // Only handles made in scope (BigInts) lack a finalizer; it goes on the
  // object that holds the handle, since a BigInt can hold none.
  if (!owner.IsObject())
    throw Napi::TypeError::New(env, "outlive: argument 'owner' must be the object holding the handle, got " +
                                        Describe(owner));
  NAPI_THROW_IF_FAILED_VOID(env, napi_add_finalizer(env, owner, reinterpret_cast<void*>(key),
                                                    &Array::Finalize, nullptr, nullptr));
  slot->finalizer = true;
  slot->reported = true;
  Report(env, BytesOf(*slot->array));
}

// A basic finalizer: the addon is built for Node-API's experimental version
// (CMakeLists.txt), under which Node runs it during GC itself rather than
// queueing it for the event loop, which a synchronous training loop never
// reaches (the queue, and RSS, grew by ~150 bytes per op until it did).
// It may only touch native state (see Release). A handle disposed before its
// finalizer runs has a stale key, and its slot may hold another array by now.
void Array::Finalize(napi_env env, void* key, void*) {
  bool stale;
  Slot* slot = SlotOf(reinterpret_cast<uint64_t>(key), &stale);
  if (!slot || stale) return;
  Release(env, reinterpret_cast<uint64_t>(key), slot, true);
}

namespace {

template <typename T>
Napi::Value CopyOut(Napi::Env env, const mx::array& a) {
  using Typed = Napi::TypedArrayOf<T>;
  auto out = Typed::New(env, a.size());
  if (a.size()) std::memcpy(out.Data(), a.data<T>(), a.nbytes());
  return out;
}

// The values of an array as a TypedArray of its element type; float16 and
// bfloat16 come out as Float32Array, bool as Uint8Array, complex64 as
// interleaved Float32Array.
Napi::Value ToTypedArray(const Napi::CallbackInfo& info) {
  mx::array a = Array::From(info[0], Where{"toTypedArray", "a"});
  // Any conversion runs on the CPU stream: the data is read on the host anyway,
  // float64 exists only there, and an evaluated row-contiguous array (labels,
  // data) needs no new op, so reading it forces no evaluation. Empty arrays are
  // never evaluated (CopyOut reads no data): MLX's CUDA backend allocates no
  // buffer for them.
  if (a.dtype() == mx::float16 || a.dtype() == mx::bfloat16)
    a = mx::astype(a, mx::float32, mx::Device::cpu);
  if (a.size() > 0) {
    Evaluate({a});
    if (!a.flags().row_contiguous) {
      a = mx::contiguous(a, false, mx::Device::cpu);
      Evaluate({a});
    }
  }
  Napi::Env env = info.Env();
  switch (a.dtype()) {
    case mx::bool_:
    case mx::uint8: return CopyOut<uint8_t>(env, a);
    case mx::uint16: return CopyOut<uint16_t>(env, a);
    case mx::uint32: return CopyOut<uint32_t>(env, a);
    case mx::uint64: {
      auto out = Napi::BigUint64Array::New(env, a.size());
      if (a.size()) std::memcpy(out.Data(), a.data<uint64_t>(), a.nbytes());
      return out;
    }
    case mx::int8: return CopyOut<int8_t>(env, a);
    case mx::int16: return CopyOut<int16_t>(env, a);
    case mx::int32: return CopyOut<int32_t>(env, a);
    case mx::int64: {
      auto out = Napi::BigInt64Array::New(env, a.size());
      if (a.size()) std::memcpy(out.Data(), a.data<int64_t>(), a.nbytes());
      return out;
    }
    case mx::float32: return CopyOut<float>(env, a);
    case mx::float64: return CopyOut<double>(env, a);
    case mx::complex64: {
      auto out = Napi::Float32Array::New(env, a.size() * 2);
      if (a.size()) std::memcpy(out.Data(), a.data<mx::complex64_t>(), a.nbytes());
      return out;
    }
    default:
      throw Napi::TypeError::New(env, std::string("toTypedArray: dtype ") +
                                          DtypeName(a.dtype()) + " is not supported");
  }
}

template <typename T>
mx::array FromTyped(Napi::TypedArray t, const mx::Shape& shape, mx::Dtype dtype) {
  const T* data = reinterpret_cast<const T*>(
      static_cast<const uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset());
  return mx::array(data, shape, dtype);
}

// fromTypedArray(data, shape, dtype): copies the values, converting each
// element to dtype.
Napi::Value FromTypedArray(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string op = "fromTypedArray";  // for messages
  if (!info[0].IsTypedArray())
    throw Napi::TypeError::New(env, op + ": argument 'data' must be a TypedArray, got " +
                                        Describe(info[0]));
  auto t = info[0].As<Napi::TypedArray>();
  auto shape = Arg<mx::Shape>::Get(info[1], Where{"fromTypedArray", "shape"});
  auto dtype = ParseDtype(info[2], Where{"fromTypedArray", "dtype"});
  size_t size = 1;
  for (auto d : shape) {
    if (d < 0)
      throw Napi::RangeError::New(env, op + ": negative dimension in shape");
    size *= d;
  }
  if (size != t.ElementLength())
    throw Napi::RangeError::New(
        env, op + ": shape holds " + std::to_string(size) + " elements but data has " +
                 std::to_string(t.ElementLength()));
  switch (t.TypedArrayType()) {
    case napi_int8_array: return Array::New(env, FromTyped<int8_t>(t, shape, dtype));
    case napi_uint8_array:
    case napi_uint8_clamped_array: return Array::New(env, FromTyped<uint8_t>(t, shape, dtype));
    case napi_int16_array: return Array::New(env, FromTyped<int16_t>(t, shape, dtype));
    case napi_uint16_array: return Array::New(env, FromTyped<uint16_t>(t, shape, dtype));
    case napi_int32_array: return Array::New(env, FromTyped<int32_t>(t, shape, dtype));
    case napi_uint32_array: return Array::New(env, FromTyped<uint32_t>(t, shape, dtype));
    case napi_float32_array: return Array::New(env, FromTyped<float>(t, shape, dtype));
    case napi_float64_array: return Array::New(env, FromTyped<double>(t, shape, dtype));
    case napi_bigint64_array: return Array::New(env, FromTyped<int64_t>(t, shape, dtype));
    case napi_biguint64_array: return Array::New(env, FromTyped<uint64_t>(t, shape, dtype));
    default:
      throw Napi::TypeError::New(env, op + ": unsupported TypedArray type");
  }
}

// item(a): the one value of a size-1 array as a JS number or boolean.
Napi::Value Item(const Napi::CallbackInfo& info) {
  mx::array a = Array::From(info[0], Where{"item", "a"});
  if (a.size() != 1)
    throw Napi::RangeError::New(
        info.Env(), "item: needs an array of size 1, got shape " +
                        ShapeString(a.shape()));
  if (a.dtype() == mx::bool_) {
    Evaluate({a});
    return Napi::Boolean::New(info.Env(), a.item<bool>());
  }
  if (mx::issubdtype(a.dtype(), mx::complexfloating))
    throw Napi::TypeError::New(info.Env(), "item: complex64 has no JS number");
  a = mx::astype(a, mx::float64, mx::Device::cpu);
  Evaluate({a});
  return Napi::Number::New(info.Env(), a.item<double>());
}

Napi::Value Shape(const Napi::CallbackInfo& info) {
  const auto& a = Array::From(info[0], Where{"shape", "a"});
  auto out = Napi::Array::New(info.Env(), a.ndim());
  for (uint32_t i = 0; i < a.ndim(); ++i) out.Set(i, a.shape(i));
  return out;
}

// A JS Int32Array that shapeInto fills: setting a JS array's elements one
// N-API call at a time cost ~0.5 µs per shape, 30 times per W1 step.
// The reference keeps it alive, so its data pointer stays valid. It is never
// deleted by its destructor: that runs at thread exit, after the env that
// owns the reference is gone (the env frees its references itself).
thread_local Napi::Reference<Napi::Int32Array> shape_buffer;
thread_local int32_t* shape_data = nullptr;
thread_local size_t shape_length = 0;

Napi::Value SetShapeBuffer(const Napi::CallbackInfo& info) {
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw Napi::TypeError::New(info.Env(), "setShapeBuffer: argument 'buffer' must be an Int32Array, got " +
                                               Describe(info[0]));
  auto buffer = info[0].As<Napi::Int32Array>();
  shape_buffer = Napi::Persistent(buffer);
  shape_buffer.SuppressDestruct();
  shape_data = buffer.Data();
  shape_length = buffer.ElementLength();
  return info.Env().Undefined();
}

// Writes a's shape into the shape buffer and returns its rank; -1 when the
// buffer is too short (or unset): the caller falls back to shape().
Napi::Value ShapeInto(const Napi::CallbackInfo& info) {
  const auto& a = Array::From(info[0], Where{"shapeInto", "a"});
  if (a.ndim() > shape_length) return Napi::Number::New(info.Env(), -1);
  for (size_t i = 0; i < a.ndim(); ++i) shape_data[i] = a.shape(i);
  return Napi::Number::New(info.Env(), static_cast<double>(a.ndim()));
}

}  // namespace

void InitArray(Napi::Env env, Napi::Object exports) {
  DefRaw<ToTypedArray>(env, exports, "toTypedArray");
  DefRaw<FromTypedArray>(env, exports, "fromTypedArray");
  DefRaw<Item>(env, exports, "item");
  DefRaw<Shape>(env, exports, "shape");
  DefRaw<SetShapeBuffer>(env, exports, "setShapeBuffer");
  DefRaw<ShapeInto>(env, exports, "shapeInto");
  Def(env, exports, "handleCount()", +[] { return Array::Count(); });
  Def(env, exports, "sameShape(a, b)", +[](const mx::array& a, const mx::array& b) {
    return a.shape() == b.shape();
  });
  exports.Set("isArray", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), Array::Is(info[0]));
  }, "isArray"));
  exports.Set("dispose", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), Array::Dispose(info[0]));
  }, "dispose"));
  exports.Set("disposeKeys", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_biguint64_array)
      throw Napi::TypeError::New(info.Env(), "disposeKeys: expected a BigUint64Array, got " + Describe(info[0]));
    Array::DisposeKeys(info[0].As<Napi::BigUint64Array>());
  }, "disposeKeys"));
  exports.Set("outlive", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    Array::Outlive(info.Env(), info[0], info[1]);
  }, "outlive"));
  Def(env, exports, "inScope(inScope)", +[](bool scope) { Array::InScope(scope); });
  // A second handle on the same MLX array: no new node in MLX's graph (detach()).
  Def(env, exports, "alias(a)", +[](const mx::array& a) { return a; });
  Def(env, exports, "dtypeIndex(a)", +[](const mx::array& a) { return DtypeIndex(a.dtype()); });
  Def(env, exports, "dtypeNames()", +[] { return DtypeNames(); });
  Def(env, exports, "astype(a, dtype)", +[](const mx::array& a, mx::Dtype d) {
    return mx::astype(a, d);
  });
}

}  // namespace mlx_tape
