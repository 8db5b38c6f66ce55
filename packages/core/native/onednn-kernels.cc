// Native convolutions and matrix products for the wasm engine, on oneDNN (Debian's libdnnl, the
// library PyTorch's CPU convolutions use). tfjs-backend-wasm's XNNPACK runs 128-bit WebAssembly
// SIMD; oneDNN runs AVX2 / AVX-512 on every core, several times faster on VGG-sized layers
// (docs/performance.md).
//
// The JavaScript side (src/engine/native-kernels.ts) hands this addon views of the wasm heap:
// the inputs and the output tensor that the backend has already allocated. For convolutions,
// three objects cross the boundary:
//   plan    one convolution shape on one thread count: oneDNN's primitive, which splits its work
//           for the threads set when it was made and always runs on that many, and the filter
//           layout it wants;
//   filter  a filter reordered into that layout (a copy in native memory, kept while its tensor is);
//   views   Float32Arrays on the wasm heap, read and written in place, never kept.
// Everything runs synchronously on the calling thread; oneDNN spreads each call over its OpenMP
// threads (setThreads).

#include <node_api.h>
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>
#include <omp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "winograd-f2x3.h"

namespace {

// Below this many elements, a loop over a tensor runs on the calling thread only.
constexpr int64_t kParallelElements = 1 << 16;

// A function compiled for AVX-512 and AVX2 besides the baseline, the CPU's best picked at load
// (for the few loops that compute more than they move; see shareAndMass). x86-64 and GCC only.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define VECTOR_CLONES
#endif

// Native buffers (packed filters, the scratch buffer), 64-byte aligned as oneDNN's own: its
// AVX-512 loads are faster aligned. From 2 MiB on they start on a 2 MiB boundary and ask for
// transparent huge pages (in THP mode "madvise", this project's machines', only memory that asks
// gets them). A new buffer's first touch faults every page in, and here a 4 KiB fault cost ~12 µs:
// a C benchmark filled 9.4 MB (VGG16's 3×3×512×512 filter) in 27–33 ms on first touch, 3.6 ms
// with huge pages, so packing a model's filters was mostly page faults. Freed with free().
constexpr size_t kHugePageBytes = size_t{2} << 20;

// `*allocated` is what it takes (rounded up to its alignment), for the external-memory count.
void* allocateBuffer(size_t bytes, size_t* allocated) {
  const size_t alignment = bytes >= kHugePageBytes ? kHugePageBytes : 64;
  if (bytes > std::numeric_limits<size_t>::max() - alignment) return nullptr;
  const size_t rounded = (bytes + alignment - 1) / alignment * alignment;
  void* data = std::aligned_alloc(alignment, rounded);
  // Advice only: where it is refused (no THP) the buffer still works with small pages.
  if (data && alignment == kHugePageBytes) madvise(data, rounded, MADV_HUGEPAGE);
  *allocated = data ? rounded : 0;
  return data;
}

// One per addon instance (each worker thread loads its own): oneDNN engines and streams are cheap,
// and a stream must not be shared by threads that execute at the same time.
struct Engine {
  dnnl_engine_t engine = nullptr;
  dnnl_stream_t stream = nullptr;
  // Temporaries of one call: blocked plans' input and output in oneDNN's blocked layout
  // (VGG16's 224×224×64 layer: 2 × 12.8 MB; at most kWinogradMaxBlockedBytes), the chunks of
  // tiles of the addon's own Winograd plans (VGG16's 512-channel layers: 8 MiB per thread; at most
  // kWinogradMaxBlockedBytes), the columns of a transpose onto few channels (at most
  // kMaxColumnBytes), a flipping plan's flipped filter (at most kMaxFlippedInScratchBytes). One
  // buffer for every call, grown to the largest (scratchOf), at most 64 MiB.
  void* scratch = nullptr;
  size_t scratchBytes = 0;
};

// The engine's scratch buffer with at least `bytes`, 64-byte aligned; nullptr (and a JavaScript
// error) when memory runs out.
char* scratchOf(napi_env env, Engine* engine, size_t bytes) {
  if (bytes > engine->scratchBytes) {
    std::free(engine->scratch);
    const size_t had = engine->scratchBytes;
    engine->scratch = allocateBuffer(bytes, &engine->scratchBytes);
    // Counted as the JavaScript engine's external memory, like the packed filters.
    napi_adjust_external_memory(
        env, static_cast<int64_t>(engine->scratchBytes) - static_cast<int64_t>(had), nullptr);
    if (!engine->scratch) napi_throw_error(env, "ERR_RLRP_ONEDNN", "out of memory");
  }
  return static_cast<char*>(engine->scratch);
}

struct Plan {
  dnnl_primitive_t convolution = nullptr;
  dnnl_primitive_t filterReorder = nullptr;
  dnnl_memory_desc_t input, filter, filterAsGiven, bias, output;
  bool hasBias;
  // Backward data: the transpose of the convolution, from the output grid back onto the input's.
  bool transposed;
  size_t filterBytes;
  std::string implementation;
  // Winograd's kernels read and write oneDNN's blocked layout only: a Winograd plan reorders the
  // input into it and the output back out of it around each convolution (winogradDescription).
  bool winograd = false;
  // A plan that convolves in oneDNN's blocked layout, with the reorders around it: every Winograd
  // plan, and a direct one where the blocked layout is faster (blockedDirectDescription).
  bool blocked = false;
  dnnl_memory_desc_t blockedInput, blockedOutput;
  dnnl_primitive_t inputReorder = nullptr, outputReorder = nullptr;
  // Winograd's transforms scale intermediate values up (by up to 64 in F(4×4, 3×3)), so near
  // float32's largest values they overflow where the direct kernel does not (inputs of 1e38:
  // Infinity against outputs of 3e37). A Winograd plan keeps the direct convolution, on the filter
  // as given, for the calls whose output is not finite (convolveBlocked).
  dnnl_primitive_t directFallback = nullptr;
  // A plan made with `flipped` (createPlan) is handed the kernel of the convolution it transposes,
  // [kh, kw, o, c], and convolves with that kernel flipped: packFilter and the direct fallback
  // flip it into the engine's scratch buffer first (flippedFilter). So a stride-1 transpose needs
  // no flipped copy of the kernel in the wasm heap; only the packed copy is kept.
  bool flipsFilter = false;
  // A 3×3 stride-1 plan convolved by this addon's own Winograd F(2×2, 3×3) (winograd-f2x3.h), on
  // CPUs where oneDNN has no Winograd kernel (ownWinogradShape): its packed filter is the
  // transformed one, U [16][in][out] (a flipping plan's: the kernel it flips, transformed as it is,
  // so a layer's forward and transposed plans share one copy), and where an output is not finite
  // it falls back on the direct convolution on the filter as given (directFallback), as oneDNN's
  // Winograd plans do.
  bool ownWinograd = false;
  winograd::Shape winogradShape{};
  bool winogradRelu = false;
  int winogradThreads = 1;
};

struct PackedFilter {
  void* data;
  size_t bytes;
  // The layout it was packed in: a plan takes it only when it wants exactly this one.
  dnnl_memory_desc_t layout;
};

// Throws a JavaScript Error and returns false when `status` is not success.
bool ok(napi_env env, dnnl_status_t status, const char* what) {
  if (status == dnnl_success) return true;
  std::string message = std::string("oneDNN ") + what + " failed: " + dnnl_status2str(status);
  napi_throw_error(env, "ERR_RLRP_ONEDNN", message.c_str());
  return false;
}

bool fail(napi_env env, const char* message) {
  napi_throw_type_error(env, "ERR_RLRP_ONEDNN_ARGUMENT", message);
  return false;
}

bool readBool(napi_env env, napi_value value, bool* out) {
  if (napi_get_value_bool(env, value, out) != napi_ok) return fail(env, "expected a boolean");
  return true;
}

bool readInt(napi_env env, napi_value value, int64_t* out) {
  if (napi_get_value_int64(env, value, out) != napi_ok) return fail(env, "expected an integer");
  return true;
}

// The float32 elements of a Float32Array of any length.
bool readFloatArray(napi_env env, napi_value value, float** out, size_t* length) {
  bool isTypedArray = false;
  napi_is_typedarray(env, value, &isTypedArray);
  if (!isTypedArray) return fail(env, "expected a Float32Array");
  napi_typedarray_type arrayType;
  void* data;
  napi_get_typedarray_info(env, value, &arrayType, length, &data, nullptr, nullptr);
  if (arrayType != napi_float32_array) return fail(env, "expected a Float32Array");
  *out = static_cast<float*>(data);
  return true;
}

// The elements of a tensor of shape `dims`, checked: a product that overflows, or that no array
// could hold, is refused instead of wrapping around to match a small array.
bool elementCount(napi_env env, std::initializer_list<int64_t> dims, size_t* count) {
  uint64_t product = 1;
  for (const int64_t d : dims) {
    if (d < 0 || __builtin_mul_overflow(product, static_cast<uint64_t>(d), &product)) {
      return fail(env, "a tensor too large to address");
    }
  }
  if (product > std::numeric_limits<size_t>::max() / sizeof(float)) {
    return fail(env, "a tensor too large to address");
  }
  *count = static_cast<size_t>(product);
  return true;
}

// The float32 elements of a Float32Array of shape `dims` (or nullptr for null when `optional`);
// its length checked against the shape's element count.
bool readFloats(napi_env env, napi_value value, std::initializer_list<int64_t> dims, bool optional,
                float** out) {
  napi_valuetype type;
  napi_typeof(env, value, &type);
  if (optional && type == napi_null) {
    *out = nullptr;
    return true;
  }
  size_t count, length;
  if (!elementCount(env, dims, &count) || !readFloatArray(env, value, out, &length)) return false;
  if (length != count) return fail(env, "a Float32Array has the wrong number of elements");
  return true;
}

// Whether the arrays at `a` and `b` (shapes already read with readFloats) are apart, else false
// and a JavaScript error: the loops that check it write outputs that they read inputs from later,
// so an output laid over an input would be silently corrupted.
bool apart(napi_env env, const float* a, std::initializer_list<int64_t> aDims, const float* b,
           std::initializer_list<int64_t> bDims) {
  size_t aCount, bCount;
  if (!elementCount(env, aDims, &aCount) || !elementCount(env, bDims, &bCount)) return false;
  const auto aStart = reinterpret_cast<uintptr_t>(a), bStart = reinterpret_cast<uintptr_t>(b);
  if (aStart < bStart + bCount * sizeof(float) && bStart < aStart + aCount * sizeof(float)) {
    return fail(env, "an output shares memory with an input");
  }
  return true;
}

template <typename T>
bool readExternal(napi_env env, napi_value value, T** out) {
  void* data = nullptr;
  if (napi_get_value_external(env, value, &data) != napi_ok || data == nullptr) {
    return fail(env, "expected a handle made by this addon");
  }
  *out = static_cast<T*>(data);
  return true;
}

void destroyPlan(napi_env, void* data, void*) {
  Plan* plan = static_cast<Plan*>(data);
  if (plan->convolution) dnnl_primitive_destroy(plan->convolution);
  if (plan->filterReorder) dnnl_primitive_destroy(plan->filterReorder);
  if (plan->inputReorder) dnnl_primitive_destroy(plan->inputReorder);
  if (plan->outputReorder) dnnl_primitive_destroy(plan->outputReorder);
  if (plan->directFallback) dnnl_primitive_destroy(plan->directFallback);
  delete plan;
}

void freePacked(napi_env env, void* data, void*) {
  PackedFilter* packed = static_cast<PackedFilter*>(data);
  if (packed->data) {
    std::free(packed->data);
    napi_adjust_external_memory(env, -static_cast<int64_t>(packed->bytes), nullptr);
  }
  delete packed;
}

Engine* engineOf(napi_env env, napi_callback_info info, size_t* argc, napi_value* argv) {
  void* data = nullptr;
  napi_get_cb_info(env, info, argc, argv, nullptr, &data);
  return static_cast<Engine*>(data);
}

// `count` geometry values (createPlan's 17, the pooling kernels' 12), none negative, into g.
bool readGeometry(napi_env env, napi_value value, uint32_t count, int64_t* g) {
  for (uint32_t i = 0; i < count; i++) {
    napi_value element;
    if (napi_get_element(env, value, i, &element) != napi_ok || !readInt(env, element, &g[i])) {
      return false;
    }
    if (g[i] < 0) return fail(env, "a negative size or padding");
  }
  return true;
}

// The activations tfjs fuses into a convolution, as oneDNN post-ops (false when it has none).
bool activationPostOps(napi_env env, const std::string& name, double alpha,
                       dnnl_post_ops_t postOps) {
  dnnl_alg_kind_t kind;
  float a = 0, b = 0;
  if (name == "relu") {
    kind = dnnl_eltwise_relu;
  } else if (name == "leakyrelu") {
    kind = dnnl_eltwise_relu;  // oneDNN's relu with slope alpha below zero
    a = static_cast<float>(alpha);
  } else if (name == "relu6") {
    kind = dnnl_eltwise_clip;
    b = 6;
  } else if (name == "elu") {
    kind = dnnl_eltwise_elu;
    a = 1;  // tfjs' elu: alpha 1
  } else if (name == "sigmoid") {
    kind = dnnl_eltwise_logistic;
  } else {
    return fail(env, "an activation the native convolutions do not fuse");
  }
  return ok(env, dnnl_post_ops_append_eltwise(postOps, 1.0f, kind, a, b), "activation post-op");
}

// A reorder primitive from one layout to another, in *reorder.
bool reorderPrimitive(napi_env env, Engine* engine, const dnnl_memory_desc_t& from,
                      const dnnl_memory_desc_t& to, dnnl_primitive_t* reorder) {
  dnnl_primitive_desc_t description = nullptr;
  const bool made =
      ok(env,
         dnnl_reorder_primitive_desc_create(&description, &from, engine->engine, &to,
                                            engine->engine, nullptr),
         "reorder descriptor") &&
      ok(env, dnnl_primitive_create(reorder, description), "reorder");
  if (description) dnnl_primitive_desc_destroy(description);
  return made;
}

// A Winograd plan's direct convolution on the filter as given (TensorFlow's layout), its inputs
// and outputs channels last, in plan->directFallback (see Plan::directFallback).
bool directOnFilterAsGiven(napi_env env, Engine* engine, Plan* plan, const dnnl_dims_t strides,
                           const dnnl_dims_t dilations, const dnnl_dims_t padFront,
                           const dnnl_dims_t padBack, const dnnl_primitive_attr_t attributes) {
  dnnl_convolution_desc_t description;
  dnnl_primitive_desc_t primitive = nullptr;
  const bool made =
      ok(env,
         dnnl_dilated_convolution_forward_desc_init(
             &description, dnnl_forward_inference, dnnl_convolution_direct, &plan->input,
             &plan->filterAsGiven, plan->hasBias ? &plan->bias : nullptr, &plan->output, strides,
             dilations, padFront, padBack),
         "direct convolution descriptor") &&
      ok(env,
         dnnl_primitive_desc_create(&primitive, &description, attributes, engine->engine, nullptr),
         "direct convolution primitive descriptor") &&
      ok(env, dnnl_primitive_create(&plan->directFallback, primitive), "direct convolution");
  if (primitive) dnnl_primitive_desc_destroy(primitive);
  return made;
}

// Where a 3×3 stride-1 convolution takes oneDNN's Winograd kernels (F(4×4, 3×3) or F(2×2, 3×3),
// oneDNN's choice): 2.25× or 1.78× fewer multiplications, measured 1.1–2.7× faster than the direct
// kernels with the reorders around them (docs/performance.md). Their filter copy is 4× or 1.78×
// the filter, and the time a layer saves grows with its image while the copy does not: an output
// of at least 196 positions (14×14), and a copy of at most 10 MiB (256 → 256 channels in
// F(4×4, 3×3)). That admits every 3×3 layer of ResNet-50 but the 7×7 ones, and VGG16's up to 256
// channels; taking VGG16's 512-channel layers too would make their copies 93 MB larger per weight
// set (three sets for EpsilonPlusFlat), against issue #14's 1.5 GB for the whole model. With fewer
// than 32 channels in or out the transforms cost more than the products save (the MNIST CNN's
// 16 → 32 at batch 256: 5.7 against 2.9 ms direct; 32 → 32 at batch 32: 2.2 against 2.7 ms). The
// input and output in the blocked layout, which grow with the batch, are bounded too: a larger
// batch stays direct (VGG16's 224×224×64 layer needs 25.7 MB per image).
constexpr int64_t kWinogradMinPositions = 14 * 14;
constexpr int64_t kWinogradMinChannels = 32;
constexpr size_t kWinogradMaxFilterBytes = 10 << 20;
constexpr size_t kWinogradMaxBlockedBytes = 64 << 20;

// Whether createPlan's geometry `g` is one Winograd serves, oneDNN's or the addon's own: a 3×3
// stride-1 undilated kernel, at least kWinogradMinPositions outputs and kWinogradMinChannels
// channels in and out.
bool winogradServes(const int64_t* g) {
  return g[4] == 3 && g[5] == 3 && g[9] == 1 && g[10] == 1 && g[11] == 1 && g[12] == 1 &&
         g[7] * g[8] >= kWinogradMinPositions && std::min(g[3], g[6]) >= kWinogradMinChannels;
}

// The Winograd primitive for a forward 3×3 stride-1 convolution, or nullptr where oneDNN has none
// here (it needs AVX-512), the image or the channels are few, or the filter copy or the blocked
// input and output large (the constants above). Its input and output layouts are oneDNN's choice
// (blocked), its filter's too. CreatePlan asks only with no activation or relu: a bounded one
// (relu6, sigmoid) would turn an output that Winograd's transforms overflowed into a finite wrong
// value, which convolveBlocked's check for a direct recomputation cannot see.
dnnl_primitive_desc_t winogradDescription(Engine* engine, const int64_t* g, bool hasBias,
                                          const dnnl_primitive_attr_t attributes) {
  if (!winogradServes(g)) return nullptr;
  dnnl_dims_t inputDims = {g[0], g[3], g[1], g[2]};
  dnnl_dims_t filterDims = {g[6], g[3], 3, 3};
  dnnl_dims_t outputDims = {g[0], g[6], g[7], g[8]};
  dnnl_dims_t biasDims = {g[6]};
  dnnl_dims_t strides = {1, 1};
  dnnl_dims_t padFront = {g[13], g[14]};
  dnnl_dims_t padBack = {g[15], g[16]};
  dnnl_memory_desc_t input, filter, bias, output;
  dnnl_convolution_desc_t description;
  dnnl_primitive_desc_t primitive = nullptr;
  const bool described =
      dnnl_memory_desc_init_by_tag(&input, 4, inputDims, dnnl_f32, dnnl_format_tag_any) ==
          dnnl_success &&
      dnnl_memory_desc_init_by_tag(&filter, 4, filterDims, dnnl_f32, dnnl_format_tag_any) ==
          dnnl_success &&
      dnnl_memory_desc_init_by_tag(&bias, 1, biasDims, dnnl_f32, dnnl_a) == dnnl_success &&
      dnnl_memory_desc_init_by_tag(&output, 4, outputDims, dnnl_f32, dnnl_format_tag_any) ==
          dnnl_success &&
      dnnl_convolution_forward_desc_init(&description, dnnl_forward_inference,
                                         dnnl_convolution_winograd, &input, &filter,
                                         hasBias ? &bias : nullptr, &output, strides, padFront,
                                         padBack) == dnnl_success;
  // No Winograd kernel for this machine or shape is not an error: the plan stays direct.
  if (!described || dnnl_primitive_desc_create(&primitive, &description, attributes,
                                               engine->engine, nullptr) != dnnl_success) {
    return nullptr;
  }
  const size_t copyBytes =
      dnnl_memory_desc_get_size(dnnl_primitive_desc_query_md(primitive, dnnl_query_weights_md, 0));
  const size_t blockedBytes =
      dnnl_memory_desc_get_size(dnnl_primitive_desc_query_md(primitive, dnnl_query_src_md, 0)) +
      dnnl_memory_desc_get_size(dnnl_primitive_desc_query_md(primitive, dnnl_query_dst_md, 0));
  if (copyBytes > kWinogradMaxFilterBytes || blockedBytes > kWinogradMaxBlockedBytes) {
    dnnl_primitive_desc_destroy(primitive);
    return nullptr;
  }
  return primitive;
}

// Without AVX-512 (an AVX2 machine), oneDNN 2.6 has no brgconv kernels, and its direct AVX2
// kernels run faster on its blocked layout (8 channels together) than on channels-last tensors:
// VGG16's 112×112 128 → 128 layer took 22.6 ms there as PyTorch lays it out against 32.6 ms
// channels last (ONEDNN_VERBOSE, 2 threads, AMD Zen 3). The direct primitive on the blocked
// layout oneDNN chooses, for a forward convolution whose channels-last primitive is not a brgconv
// one (what oneDNN picks on CPUs without AVX-512), when that layout differs and the blocked input
// and output fit kWinogradMaxBlockedBytes; else nullptr (the channels-last primitive stays). Not
// with fewer than 8 channels in or out: blocks of 8 would be padded, and where only the output was
// blocked (VGG16's 224×224 3 → 64 layer) reordering it back cost more than the kernel saved (23.0
// against 12.5 ms). Not for 1×1 kernels either, whose channels-last kernel (jit_1x1) was as fast
// or faster than the blocked one with its reorders: ResNet-50's 56×56 64 → 256 took 0.97–1.15 ms
// channels last against 1.17–1.72 ms blocked, its 3×3 layers 2.75–3.94 against 1.81–2.66 ms
// (fused bias and relu, medians of 31, two alternations).
constexpr int64_t kBlockedMinChannels = 8;
dnnl_primitive_desc_t blockedDirectDescription(Engine* engine,
                                               const_dnnl_primitive_desc_t channelsLast,
                                               const Plan* plan, const dnnl_dims_t strides,
                                               const dnnl_dims_t dilations,
                                               const dnnl_dims_t padFront,
                                               const dnnl_dims_t padBack,
                                               const dnnl_primitive_attr_t attributes) {
  const char* implementation = nullptr;
  dnnl_primitive_desc_query(channelsLast, dnnl_query_impl_info_str, 0, &implementation);
  if (implementation == nullptr || std::string(implementation).rfind("brg", 0) == 0 ||
      std::min(plan->input.dims[1], plan->output.dims[1]) < kBlockedMinChannels ||
      plan->filter.dims[2] * plan->filter.dims[3] == 1) {
    return nullptr;
  }
  dnnl_memory_desc_t input, filter, output;
  dnnl_convolution_desc_t description;
  dnnl_primitive_desc_t primitive = nullptr;
  const bool described =
      dnnl_memory_desc_init_by_tag(&input, 4, plan->input.dims, dnnl_f32, dnnl_format_tag_any) ==
          dnnl_success &&
      dnnl_memory_desc_init_by_tag(&filter, 4, plan->filter.dims, dnnl_f32,
                                   dnnl_format_tag_any) == dnnl_success &&
      dnnl_memory_desc_init_by_tag(&output, 4, plan->output.dims, dnnl_f32,
                                   dnnl_format_tag_any) == dnnl_success &&
      dnnl_dilated_convolution_forward_desc_init(
          &description, dnnl_forward_inference, dnnl_convolution_direct, &input, &filter,
          plan->hasBias ? &plan->bias : nullptr, &output, strides, dilations, padFront,
          padBack) == dnnl_success;
  if (!described || dnnl_primitive_desc_create(&primitive, &description, attributes,
                                               engine->engine, nullptr) != dnnl_success) {
    return nullptr;
  }
  const dnnl_memory_desc_t* src = dnnl_primitive_desc_query_md(primitive, dnnl_query_src_md, 0);
  const dnnl_memory_desc_t* dst = dnnl_primitive_desc_query_md(primitive, dnnl_query_dst_md, 0);
  const bool channelsLastToo =
      dnnl_memory_desc_equal(src, &plan->input) && dnnl_memory_desc_equal(dst, &plan->output);
  if (channelsLastToo ||
      dnnl_memory_desc_get_size(src) + dnnl_memory_desc_get_size(dst) > kWinogradMaxBlockedBytes) {
    dnnl_primitive_desc_destroy(primitive);
    return nullptr;
  }
  return primitive;
}

// Where a forward 3×3 stride-1 convolution takes this addon's own Winograd F(2×2, 3×3)
// (winograd-f2x3.h): where oneDNN has no Winograd kernel of its own (CPUs without AVX-512), from
// 14×14 output positions and 32 channels in and out, as for oneDNN's. On AVX2 it took 0.45–0.7 of
// the direct kernel's time on VGG16's layers, 64 to 512 channels (docs/performance.md). Its filter
// copy is 16/9 of the filter, so no bound on the copy as for oneDNN's F(4×4, 3×3) (4×): all of
// VGG16's 3×3 layers take it. Its scratch (one chunk of tiles per thread) is bounded like the
// blocked plans' (kWinogradMaxBlockedBytes). On `threads` threads; the shape in *shape.
bool ownWinogradShape(const int64_t* g, int threads, winograd::Shape* shape) {
  if (!winogradServes(g)) return false;
  *shape = winograd::Shape{g[0], g[1], g[2], g[3], g[6], g[7], g[8], g[13], g[14]};
  return static_cast<size_t>(winograd::scratchFloats(*shape, threads)) * sizeof(float) <=
         kWinogradMaxBlockedBytes;
}

// createPlan([n, h, w, c, kh, kw, o, oh, ow, strideH, strideW, dilationH, dilationW,
//             padTop, padLeft, padBottom, padRight], hasBias, activation, alpha, transposed,
//            flipped) -> plan
// Tensors are channels last (NHWC), filters [kh, kw, c, o] as in TensorFlow; dilation 1 = none.
// `activation`: "linear", or one of activationPostOps' names, applied after the bias.
// `transposed`: the plan maps [n, oh, ow, o] back onto [n, h, w, c] (backward data, TensorFlow's
// Conv2DBackpropInput), without bias or activation.
// `flipped`: the filters this plan is handed are [kh, kw, o, c], the kernels of the convolutions it
// transposes at stride 1, and it convolves with them flipped (Plan::flipsFilter); not transposed.
napi_value CreatePlan(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  Engine* engine = engineOf(env, info, &argc, argv);
  if (argc != 6) {
    return fail(env, "createPlan(geometry, hasBias, activation, alpha, transposed, flipped)"),
           nullptr;
  }
  int64_t g[17];
  if (!readGeometry(env, argv[0], 17, g)) return nullptr;
  bool hasBias = false;
  if (!readBool(env, argv[1], &hasBias)) return nullptr;
  char activationName[32];
  size_t activationLength = 0;
  if (napi_get_value_string_utf8(env, argv[2], activationName, sizeof activationName,
                                 &activationLength) != napi_ok) {
    return fail(env, "expected the activation's name"), nullptr;
  }
  const std::string activation(activationName, activationLength);
  double alpha = 0;
  napi_get_value_double(env, argv[3], &alpha);
  bool transposed = false;
  if (!readBool(env, argv[4], &transposed)) return nullptr;
  if (transposed && (hasBias || activation != "linear")) {
    return fail(env, "a transposed plan takes no bias or activation"), nullptr;
  }
  bool flipped = false;
  if (!readBool(env, argv[5], &flipped)) return nullptr;
  if (flipped && transposed) return fail(env, "a transposed plan flips no filter"), nullptr;
  const int64_t n = g[0], h = g[1], w = g[2], c = g[3], kh = g[4], kw = g[5], o = g[6];
  const int64_t oh = g[7], ow = g[8];

  Plan* plan = new Plan();
  plan->hasBias = hasBias;
  plan->transposed = transposed;
  plan->flipsFilter = flipped;
  // oneDNN's dimensions are always in logical NCHW / OIHW order; the tag gives the memory order.
  dnnl_dims_t inputDims = {n, c, h, w};
  dnnl_dims_t filterDims = {o, c, kh, kw};
  dnnl_dims_t outputDims = {n, o, oh, ow};
  dnnl_dims_t biasDims = {o};
  dnnl_dims_t strides = {g[9], g[10]};
  dnnl_dims_t dilations = {g[11] - 1, g[12] - 1};  // oneDNN counts the holes: 0 = none
  dnnl_dims_t padFront = {g[13], g[14]};
  dnnl_dims_t padBack = {g[15], g[16]};
  // The filter as oneDNN may lay it out (format "any"): its own blocked layout is what lets it
  // choose the AVX-512 kernels (about 1.6× faster than TensorFlow's HWIO order on VGG16's layers).
  bool built =
      ok(env, dnnl_memory_desc_init_by_tag(&plan->input, 4, inputDims, dnnl_f32, dnnl_nhwc),
         "input descriptor") &&
      ok(env,
         dnnl_memory_desc_init_by_tag(&plan->filterAsGiven, 4, filterDims, dnnl_f32, dnnl_hwio),
         "filter descriptor") &&
      ok(env,
         dnnl_memory_desc_init_by_tag(&plan->filter, 4, filterDims, dnnl_f32,
                                      dnnl_format_tag_any),
         "filter descriptor") &&
      ok(env, dnnl_memory_desc_init_by_tag(&plan->bias, 1, biasDims, dnnl_f32, dnnl_a),
         "bias descriptor") &&
      ok(env, dnnl_memory_desc_init_by_tag(&plan->output, 4, outputDims, dnnl_f32, dnnl_nhwc),
         "output descriptor");
  dnnl_convolution_desc_t description, forwardDescription;
  built = built &&
          ok(env,
             dnnl_dilated_convolution_forward_desc_init(
                 &forwardDescription, transposed ? dnnl_forward_training : dnnl_forward_inference,
                 dnnl_convolution_direct, &plan->input, &plan->filter,
                 hasBias ? &plan->bias : nullptr, &plan->output, strides, dilations, padFront,
                 padBack),
             "convolution descriptor");
  description = forwardDescription;
  // oneDNN makes a backward primitive from the forward one it mirrors (its "hint").
  dnnl_primitive_desc_t forwardHint = nullptr;
  if (built && transposed) {
    built = ok(env,
               dnnl_dilated_convolution_backward_data_desc_init(
                   &description, dnnl_convolution_direct, &plan->input, &plan->filter,
                   &plan->output, strides, dilations, padFront, padBack),
               "transposed convolution descriptor") &&
            ok(env,
               dnnl_primitive_desc_create(&forwardHint, &forwardDescription, nullptr,
                                          engine->engine, nullptr),
               "transposed convolution's forward hint");
  }
  dnnl_primitive_attr_t attributes = nullptr;
  dnnl_post_ops_t postOps = nullptr;
  if (built && activation != "linear") {
    built = ok(env, dnnl_primitive_attr_create(&attributes), "attributes") &&
            ok(env, dnnl_post_ops_create(&postOps), "post-ops") &&
            activationPostOps(env, activation, alpha, postOps) &&
            ok(env, dnnl_primitive_attr_set_post_ops(attributes, postOps), "post-ops");
  }
  dnnl_primitive_desc_t primitiveDescription =
      built && !transposed && (activation == "linear" || activation == "relu")
          ? winogradDescription(engine, g, hasBias, attributes)
          : nullptr;
  plan->winograd = primitiveDescription != nullptr;
  plan->ownWinograd = built && !plan->winograd && !transposed &&
                      (activation == "linear" || activation == "relu") &&
                      ownWinogradShape(g, omp_get_max_threads(), &plan->winogradShape);
  if (plan->ownWinograd) {
    // A flipping plan reads the transform of the kernel it flips, [16][o][c]: the copy packed for
    // that kernel's own convolution (winograd::convolve).
    const dnnl_dims_t transformedDims = {16, flipped ? o : c, flipped ? c : o};
    plan->winogradRelu = activation == "relu";
    plan->winogradThreads = omp_get_max_threads();
    plan->implementation = "wino_2x3:own";
    // A layout of its own (3 dimensions, no convolution's filter has), so that only another such
    // plan of the same kernel shape, flipping or not, takes its packed filter.
    built = ok(env,
               dnnl_memory_desc_init_by_tag(&plan->filter, 3, transformedDims, dnnl_f32, dnnl_abc),
               "Winograd filter descriptor") &&
            directOnFilterAsGiven(env, engine, plan, strides, dilations, padFront, padBack,
                                  attributes);
    plan->filterBytes = dnnl_memory_desc_get_size(&plan->filter);
  }
  built = built && (plan->ownWinograd || plan->winograd ||
                    ok(env,
                       dnnl_primitive_desc_create(&primitiveDescription, &description, attributes,
                                                  engine->engine, forwardHint),
                       "convolution primitive descriptor"));
  if (forwardHint) dnnl_primitive_desc_destroy(forwardHint);
  if (built && !transposed && !plan->winograd && !plan->ownWinograd) {
    dnnl_primitive_desc_t blocked = blockedDirectDescription(
        engine, primitiveDescription, plan, strides, dilations, padFront, padBack, attributes);
    if (blocked) {
      dnnl_primitive_desc_destroy(primitiveDescription);
      primitiveDescription = blocked;
    }
    plan->blocked = blocked != nullptr;
  }
  plan->blocked = plan->blocked || plan->winograd;
  if (built && !plan->ownWinograd) {
    plan->filter = *dnnl_primitive_desc_query_md(primitiveDescription, dnnl_query_weights_md, 0);
    plan->filterBytes = dnnl_memory_desc_get_size(&plan->filter);
    if (plan->blocked) {
      plan->blockedInput = *dnnl_primitive_desc_query_md(primitiveDescription, dnnl_query_src_md, 0);
      plan->blockedOutput =
          *dnnl_primitive_desc_query_md(primitiveDescription, dnnl_query_dst_md, 0);
      built = reorderPrimitive(env, engine, plan->input, plan->blockedInput,
                               &plan->inputReorder) &&
              reorderPrimitive(env, engine, plan->blockedOutput, plan->output,
                               &plan->outputReorder) &&
              (!plan->winograd || directOnFilterAsGiven(env, engine, plan, strides, dilations,
                                                        padFront, padBack, attributes));
    }
    const char* implementation = nullptr;
    dnnl_primitive_desc_query(primitiveDescription, dnnl_query_impl_info_str, 0, &implementation);
    plan->implementation = implementation ? implementation : "unknown";
    built = built && ok(env, dnnl_primitive_create(&plan->convolution, primitiveDescription),
                        "convolution primitive");
  }
  if (postOps) dnnl_post_ops_destroy(postOps);
  if (attributes) dnnl_primitive_attr_destroy(attributes);
  if (primitiveDescription) dnnl_primitive_desc_destroy(primitiveDescription);
  dnnl_primitive_desc_t reorderDescription = nullptr;
  // An own Winograd plan packs its filter by transforming it (PackFilter), not by a reorder.
  built = built && (plan->ownWinograd ||
                    (ok(env,
                        dnnl_reorder_primitive_desc_create(&reorderDescription,
                                                           &plan->filterAsGiven, engine->engine,
                                                           &plan->filter, engine->engine, nullptr),
                        "filter reorder descriptor") &&
                     ok(env, dnnl_primitive_create(&plan->filterReorder, reorderDescription),
                        "filter reorder")));
  if (reorderDescription) dnnl_primitive_desc_destroy(reorderDescription);
  if (!built) {
    destroyPlan(env, plan, nullptr);
    return nullptr;
  }
  napi_value handle;
  if (napi_create_external(env, plan, destroyPlan, nullptr, &handle) != napi_ok) {
    destroyPlan(env, plan, nullptr);
    return nullptr;
  }
  return handle;
}

// planInfo(plan) -> { implementation, packedFilterBytes, blocked }
napi_value PlanInfo(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  engineOf(env, info, &argc, argv);
  Plan* plan;
  if (argc != 1 || !readExternal(env, argv[0], &plan)) return nullptr;
  napi_value result, implementation, bytes, blocked;
  napi_create_object(env, &result);
  napi_create_string_utf8(env, plan->implementation.c_str(), NAPI_AUTO_LENGTH, &implementation);
  napi_create_double(env, static_cast<double>(plan->filterBytes), &bytes);
  napi_get_boolean(env, plan->blocked, &blocked);
  napi_set_named_property(env, result, "implementation", implementation);
  napi_set_named_property(env, result, "packedFilterBytes", bytes);
  napi_set_named_property(env, result, "blocked", blocked);
  return result;
}

// sameFilterLayout(a, b) -> whether plans a and b take one packed filter: the same layout
// (Convolve checks it) and the same flip. Plans for one shape made for different thread counts
// (each primitive runs on the threads it was made for) usually lay the filter out alike.
napi_value SameFilterLayout(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  engineOf(env, info, &argc, argv);
  Plan *a, *b;
  if (argc != 2) return fail(env, "sameFilterLayout(a, b) takes two plans"), nullptr;
  if (!readExternal(env, argv[0], &a) || !readExternal(env, argv[1], &b)) return nullptr;
  napi_value result;
  // An own Winograd plan's copy is the kernel's transform whether it flips the kernel or not.
  const bool sameFlip = (a->ownWinograd && b->ownWinograd) || a->flipsFilter == b->flipsFilter;
  napi_get_boolean(env, sameFlip && dnnl_memory_desc_equal(&a->filter, &b->filter), &result);
  return result;
}

// out[taps−1−t][p][q] = kernel[t][q][p]: a convolution kernel [kh, kw, c, o] (taps = kh·kw) flipped
// spatially with its channels swapped, [kh, kw, o, c], the kernel whose forward convolution is the
// transposed one. A permutation, so every value (NaN, ±Infinity, −0, denormals) moves unchanged.
// Each tap's c×o matrix is transposed in 32×32 blocks, on every thread for a large kernel.
void flipKernel(const float* kernel, int64_t taps, int64_t c, int64_t o, float* out) {
  constexpr int64_t kBlock = 32;
  const int64_t blocksC = (c + kBlock - 1) / kBlock, blocksO = (o + kBlock - 1) / kBlock;
#pragma omp parallel for collapse(3) schedule(static) if (taps * c * o >= kParallelElements)
  for (int64_t t = 0; t < taps; t++) {
    for (int64_t bc = 0; bc < blocksC; bc++) {
      for (int64_t bo = 0; bo < blocksO; bo++) {
        const float* from = kernel + t * c * o;
        float* to = out + (taps - 1 - t) * o * c;
        const int64_t qEnd = std::min(c, (bc + 1) * kBlock), pEnd = std::min(o, (bo + 1) * kBlock);
        for (int64_t p = bo * kBlock; p < pEnd; p++) {
          for (int64_t q = bc * kBlock; q < qEnd; q++) to[p * c + q] = from[q * o + p];
        }
      }
    }
  }
}

// The largest flipped filter made in the scratch buffer (flippedFilter); a larger one gets a buffer
// of its own for the call, so the scratch buffer, which is kept, stays within its other users' bound.
constexpr size_t kMaxFlippedInScratchBytes = 64 << 20;

// The filter a `flipsFilter` plan convolves with (Plan::flipsFilter): `given`, the kernel of the
// convolution it transposes, flipped into the scratch buffer, or into `*owned` (which the caller
// frees) when it is larger than kMaxFlippedInScratchBytes. nullptr, with a JavaScript error
// pending, when memory runs out.
float* flippedFilter(napi_env env, Engine* engine, const Plan* plan, const float* given,
                     void** owned) {
  // The flipped kernel's logical dimensions {o, c, kh, kw}; `given` is [kh, kw, o, c].
  const dnnl_dims_t& d = plan->filterAsGiven.dims;
  const size_t bytes = static_cast<size_t>(d[0] * d[1] * d[2] * d[3]) * sizeof(float);
  *owned = nullptr;
  float* out;
  if (bytes == 0) {
    fail(env, "an empty filter to flip");
    return nullptr;
  }
  if (bytes <= kMaxFlippedInScratchBytes) {
    out = reinterpret_cast<float*>(scratchOf(env, engine, bytes));
  } else {
    size_t allocated;
    *owned = allocateBuffer(bytes, &allocated);
    out = static_cast<float*>(*owned);
    if (!out) napi_throw_error(env, "ERR_RLRP_ONEDNN", "out of memory");
  }
  if (out) flipKernel(given, d[2] * d[3], d[0], d[1], out);
  return out;
}

// The filter as given, [kh, kw, c, o] ([kh, kw, o, c] for a flipping plan), checked against the
// plan's shape.
bool readFilter(napi_env env, napi_value value, const Plan* plan, float** out) {
  const dnnl_dims_t& d = plan->filterAsGiven.dims;
  return readFloats(env, value, {d[0], d[1], d[2], d[3]}, false, out);
}

// packFilter(plan, filter: Float32Array [kh, kw, c, o], for a flipping plan the kernel it flips)
//   -> packed filter
napi_value PackFilter(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  Engine* engine = engineOf(env, info, &argc, argv);
  Plan* plan;
  float* filter;
  if (argc != 2 || !readExternal(env, argv[0], &plan) ||
      !readFilter(env, argv[1], plan, &filter)) {
    return nullptr;
  }
  void* ownedFlip = nullptr;
  // An own Winograd plan packs the transform of the kernel as given, flipping or not (Plan::filter).
  if (plan->flipsFilter && !plan->ownWinograd &&
      !(filter = flippedFilter(env, engine, plan, filter, &ownedFlip))) {
    return nullptr;
  }
  size_t bytes;
  void* data = allocateBuffer(plan->filterBytes, &bytes);
  if (!data) {
    std::free(ownedFlip);
    return napi_throw_error(env, "ERR_RLRP_ONEDNN", "out of memory"), nullptr;
  }
  dnnl_memory_t from = nullptr, to = nullptr;
  bool done = true;
  if (plan->ownWinograd) {
    const dnnl_dims_t& transformed = plan->filter.dims;  // {16, rows, columns}
    winograd::transformFilter(filter, transformed[1], transformed[2], static_cast<float*>(data));
  } else {
    done = ok(env, dnnl_memory_create(&from, &plan->filterAsGiven, engine->engine, filter),
              "filter memory") &&
           ok(env, dnnl_memory_create(&to, &plan->filter, engine->engine, data),
              "packed filter memory");
    if (done) {
      dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
      done = ok(env, dnnl_primitive_execute(plan->filterReorder, engine->stream, 2, args),
                "filter reorder") &&
             ok(env, dnnl_stream_wait(engine->stream), "filter reorder");
    }
  }
  if (from) dnnl_memory_destroy(from);
  if (to) dnnl_memory_destroy(to);
  std::free(ownedFlip);
  if (!done) {
    std::free(data);
    return nullptr;
  }
  PackedFilter* packed = new PackedFilter{data, bytes, plan->filter};
  napi_value handle;
  if (napi_create_external(env, packed, freePacked, nullptr, &handle) != napi_ok) {
    std::free(data);
    delete packed;
    return nullptr;
  }
  napi_adjust_external_memory(env, static_cast<int64_t>(bytes), nullptr);
  return handle;
}

// releaseFilter(packed): frees the packed copy now instead of when the handle is collected.
napi_value ReleaseFilter(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  engineOf(env, info, &argc, argv);
  PackedFilter* packed;
  if (argc != 1 || !readExternal(env, argv[0], &packed)) return nullptr;
  if (packed->data) {
    std::free(packed->data);
    napi_adjust_external_memory(env, -static_cast<int64_t>(packed->bytes), nullptr);
    packed->data = nullptr;
  }
  return nullptr;
}

// Whether a float32's bits are NaN's or an infinity's: all exponent bits set. A test on the bits
// lets loops vectorise without NaN's comparison rules.
inline bool nonFiniteBits(uint32_t bits) { return (bits & 0x7f800000u) == 0x7f800000u; }

// Whether every value of x is finite, on every thread for a large x.
bool allFinite(const float* x, int64_t length) {
  const uint32_t* bits = reinterpret_cast<const uint32_t*>(x);
  uint32_t nonFinite = 0;
#pragma omp parallel for simd reduction(| : nonFinite) schedule(static) if (length >= kParallelElements)
  for (int64_t i = 0; i < length; i++) nonFinite |= static_cast<uint32_t>(nonFiniteBits(bits[i]));
  return nonFinite == 0;
}

// A Winograd plan's convolution again, by the direct kernel on the filter as given, where
// Winograd's output was not finite (memories: input, filter, output, bias or nullptr, in the
// tensors' own layouts).
bool convolveDirectly(napi_env env, Engine* engine, const Plan* plan, dnnl_memory_t* memories,
                      float* filterAsGiven) {
  void* ownedFlip = nullptr;
  if (plan->flipsFilter &&
      !(filterAsGiven = flippedFilter(env, engine, plan, filterAsGiven, &ownedFlip))) {
    return false;
  }
  dnnl_memory_t filter = nullptr;
  bool done =
      ok(env, dnnl_memory_create(&filter, &plan->filterAsGiven, engine->engine, filterAsGiven),
         "filter");
  if (done) {
    dnnl_exec_arg_t direct[4] = {{DNNL_ARG_SRC, memories[0]},
                                 {DNNL_ARG_WEIGHTS, filter},
                                 {DNNL_ARG_DST, memories[2]},
                                 {DNNL_ARG_BIAS, memories[3]}};
    done = ok(env,
              dnnl_primitive_execute(plan->directFallback, engine->stream, memories[3] ? 4 : 3,
                                     direct),
              "direct convolution") &&
           ok(env, dnnl_stream_wait(engine->stream), "direct convolution");
  }
  if (filter) dnnl_memory_destroy(filter);
  std::free(ownedFlip);
  return done;
}

// A blocked plan's convolution: the input reordered into the blocked layout, convolved there,
// the output reordered back (memories: input, filter, output, bias or nullptr, in the tensors'
// own layouts). Where a Winograd plan's output is not finite, the direct convolution on the
// filter as given computes it again: Winograd never turns a finite result into Infinity or NaN.
bool convolveBlocked(napi_env env, Engine* engine, const Plan* plan, dnnl_memory_t* memories,
                     const float* output, int64_t outputLength, float* filterAsGiven) {
  const size_t inputBytes = (dnnl_memory_desc_get_size(&plan->blockedInput) + 63) / 64 * 64;
  const size_t bytes = inputBytes + dnnl_memory_desc_get_size(&plan->blockedOutput);
  char* blocked = scratchOf(env, engine, bytes);
  if (!blocked) return false;
  dnnl_memory_t blockedIn = nullptr, blockedOut = nullptr;
  bool done =
      ok(env, dnnl_memory_create(&blockedIn, &plan->blockedInput, engine->engine, blocked),
         "blocked input") &&
      ok(env,
         dnnl_memory_create(&blockedOut, &plan->blockedOutput, engine->engine,
                            blocked + inputBytes),
         "blocked output");
  if (done) {
    dnnl_exec_arg_t toBlocked[2] = {{DNNL_ARG_FROM, memories[0]}, {DNNL_ARG_TO, blockedIn}};
    dnnl_exec_arg_t convolution[4] = {{DNNL_ARG_SRC, blockedIn},
                                      {DNNL_ARG_WEIGHTS, memories[1]},
                                      {DNNL_ARG_DST, blockedOut},
                                      {DNNL_ARG_BIAS, memories[3]}};
    dnnl_exec_arg_t fromBlocked[2] = {{DNNL_ARG_FROM, blockedOut}, {DNNL_ARG_TO, memories[2]}};
    done = ok(env, dnnl_primitive_execute(plan->inputReorder, engine->stream, 2, toBlocked),
              "input reorder") &&
           ok(env,
              dnnl_primitive_execute(plan->convolution, engine->stream, memories[3] ? 4 : 3,
                                     convolution),
              "convolution") &&
           ok(env, dnnl_primitive_execute(plan->outputReorder, engine->stream, 2, fromBlocked),
              "output reorder") &&
           ok(env, dnnl_stream_wait(engine->stream), "convolution");
  }
  if (blockedIn) dnnl_memory_destroy(blockedIn);
  if (blockedOut) dnnl_memory_destroy(blockedOut);
  // Where the output is not finite, the direct kernel computes it again: Winograd's transforms
  // overflow where its sums do not, and spread one non-finite input over a whole tile of outputs.
  // (A direct plan on the blocked layout sums as the direct kernel does.)
  if (!done || !plan->winograd || allFinite(output, outputLength)) return done;
  // The blocked input and output are read: the scratch buffer may hold the flipped filter now.
  return convolveDirectly(env, engine, plan, memories, filterAsGiven);
}

// An own Winograd plan's convolution (Plan::ownWinograd): input and output channels last as given,
// the packed filter the transformed one, the scratch buffer holding the chunks of tiles; where an
// output is not finite before its activation, the direct kernel computes the layer again.
bool convolveOwnWinograd(napi_env env, Engine* engine, const Plan* plan, dnnl_memory_t* memories,
                         const float* input, const float* transformedFilter, const float* bias,
                         float* output, float* filterAsGiven) {
  const winograd::Shape& shape = plan->winogradShape;
  const size_t bytes = static_cast<size_t>(winograd::scratchFloats(shape, plan->winogradThreads)) *
                       sizeof(float);
  char* scratch = scratchOf(env, engine, bytes);
  if (!scratch) return false;
  if (winograd::convolve(shape, input, transformedFilter, plan->flipsFilter, bias,
                         plan->winogradRelu, output, reinterpret_cast<float*>(scratch),
                         plan->winogradThreads)) {
    return true;
  }
  return convolveDirectly(env, engine, plan, memories, filterAsGiven);
}

// convolve(plan, packed, input, bias | null, output, filter): output = input ⋆ filter (+ bias);
// for a transposed plan, `input` is on the output grid [n, oh, ow, o] and `output` on the input
// grid. `filter` is the filter as given ([kh, kw, c, o], or for a flipping plan the kernel it
// flips), which a Winograd plan falls back on.
napi_value Convolve(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  Engine* engine = engineOf(env, info, &argc, argv);
  Plan* plan;
  PackedFilter* packed;
  if (argc != 6 || !readExternal(env, argv[0], &plan) || !readExternal(env, argv[1], &packed)) {
    return nullptr;
  }
  if (packed->data == nullptr) return fail(env, "the packed filter was released"), nullptr;
  if (!dnnl_memory_desc_equal(&packed->layout, &plan->filter)) {
    return fail(env, "the packed filter is in another plan's layout"), nullptr;
  }
  const dnnl_dims_t& in = plan->transposed ? plan->output.dims : plan->input.dims;
  const dnnl_dims_t& out = plan->transposed ? plan->input.dims : plan->output.dims;
  float *input, *bias, *output, *filterAsGiven;
  if (!readFloats(env, argv[2], {in[0], in[1], in[2], in[3]}, false,
                  &input) ||
      !readFloats(env, argv[3], {out[1]}, true, &bias) ||
      !readFloats(env, argv[4], {out[0], out[1], out[2], out[3]}, false,
                  &output) ||
      !readFilter(env, argv[5], plan, &filterAsGiven)) {
    return nullptr;
  }
  if ((bias != nullptr) != plan->hasBias) {
    return fail(env, plan->hasBias ? "this plan needs a bias" : "this plan takes no bias"),
           nullptr;
  }
  dnnl_memory_t memories[4] = {nullptr, nullptr, nullptr, nullptr};
  const dnnl_memory_desc_t& inputDescription = plan->transposed ? plan->output : plan->input;
  const dnnl_memory_desc_t& outputDescription = plan->transposed ? plan->input : plan->output;
  bool done =
      ok(env, dnnl_memory_create(&memories[0], &inputDescription, engine->engine, input),
         "input") &&
      ok(env, dnnl_memory_create(&memories[1], &plan->filter, engine->engine, packed->data),
         "filter") &&
      ok(env, dnnl_memory_create(&memories[2], &outputDescription, engine->engine, output),
         "output") &&
      (!bias || ok(env, dnnl_memory_create(&memories[3], &plan->bias, engine->engine, bias),
                   "bias"));
  if (done && plan->ownWinograd) {
    done = convolveOwnWinograd(env, engine, plan, memories, input,
                               static_cast<const float*>(packed->data), bias, output, filterAsGiven);
  } else if (done && plan->blocked) {
    done = convolveBlocked(env, engine, plan, memories, output, out[0] * out[1] * out[2] * out[3],
                           filterAsGiven);
  } else if (done) {
    dnnl_exec_arg_t args[4] = {{plan->transposed ? DNNL_ARG_DIFF_DST : DNNL_ARG_SRC, memories[0]},
                               {DNNL_ARG_WEIGHTS, memories[1]},
                               {plan->transposed ? DNNL_ARG_DIFF_SRC : DNNL_ARG_DST, memories[2]},
                               {DNNL_ARG_BIAS, memories[3]}};
    done = ok(env, dnnl_primitive_execute(plan->convolution, engine->stream, bias ? 4 : 3, args),
              "convolution") &&
           ok(env, dnnl_stream_wait(engine->stream), "convolution");
  }
  for (dnnl_memory_t memory : memories) {
    if (memory) dnnl_memory_destroy(memory);
  }
  return nullptr;
}

// The most bytes of columns a transpose onto few channels holds at once: a large batch is
// transposed a group of samples at a time, and an image whose columns alone exceed it is left to
// oneDNN (transposeOntoFewChannels answers false).
constexpr size_t kMaxColumnBytes = 64 << 20;

// transposeOntoFewChannels(geometry, filter, dy, out) -> served: the transpose of a convolution
// whose input has few channels (usually a first layer's RGB or grayscale image), dy [n, oh, ow, o]
// onto out [n, h, w, c], geometry and filter [kh, kw, c, o] as createPlan's; false when one image
// is too large for it (kMaxColumnBytes). oneDNN's convolutions vectorise over the output's
// channels, so with 1-4 of them most of each vector is idle (VGG16's 64 → 3 transpose: 9.5 ms,
// MNIST's 16 → 1 at batch 256: 5.4 ms). Here the channel mixing is one matrix product,
// columns[(ky, kx, ci), p] = Σ_co filter[ky, kx, ci, co] · dy[p, co], and each input cell then
// gathers the columns of the output cells whose window covers it.
napi_value TransposeOntoFewChannels(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  Engine* engine = engineOf(env, info, &argc, argv);
  if (argc != 4) return fail(env, "transposeOntoFewChannels(geometry, filter, dy, out)"), nullptr;
  int64_t g[17];
  if (!readGeometry(env, argv[0], 17, g)) return nullptr;
  const int64_t n = g[0], h = g[1], w = g[2], c = g[3], kh = g[4], kw = g[5], o = g[6];
  const int64_t oh = g[7], ow = g[8], strideH = g[9], strideW = g[10];
  const int64_t dilationH = g[11], dilationW = g[12], top = g[13], left = g[14];
  for (int64_t i = 0; i < 13; i++) {
    if (g[i] < 1) return fail(env, "a size, stride or dilation below 1"), nullptr;
  }
  // The output grid must be the convolution's own (floor rounding, as createPlan's oneDNN).
  const auto outputSize = [](int64_t size, int64_t kernel, int64_t stride, int64_t dilation,
                             int64_t before, int64_t after) {
    const int64_t span = size + before + after - ((kernel - 1) * dilation + 1);
    return span < 0 ? int64_t{-1} : span / stride + 1;
  };
  if (outputSize(h, kh, strideH, dilationH, top, g[15]) != oh ||
      outputSize(w, kw, strideW, dilationW, left, g[16]) != ow) {
    return fail(env, "the output grid is not this convolution's"), nullptr;
  }
  float *filter, *dy, *out;
  if (!readFloats(env, argv[1], {kh, kw, c, o}, false, &filter) ||
      !readFloats(env, argv[2], {n, oh, ow, o}, false, &dy) ||
      !readFloats(env, argv[3], {n, h, w, c}, false, &out)) {
    return nullptr;
  }
  const int64_t taps = kh * kw * c;  // one column per filter tap and input channel
  const int64_t perSample = oh * ow * taps;
  const int64_t group =
      std::min<int64_t>(n, static_cast<int64_t>(kMaxColumnBytes / sizeof(float)) / perSample);
  napi_value served;
  // One image's columns above the bound: oneDNN's transpose serves it (the caller's fallback).
  napi_get_boolean(env, group >= 1, &served);
  if (group < 1) return served;
  float* columns = reinterpret_cast<float*>(
      scratchOf(env, engine, static_cast<size_t>(group * perSample) * sizeof(float)));
  if (!columns) return nullptr;
  for (int64_t first = 0; first < n; first += group) {
    const int64_t samples = std::min(group, n - first);
    const int64_t positions = samples * oh * ow;
    // Row-major, one row per tap: columns (taps × positions) = filter (taps × o) · dyᵀ, so that
    // each tap's values lie along the output's columns, as the gather below reads them.
    if (!ok(env,
            dnnl_sgemm('N', 'T', taps, positions, o, 1.0f, filter, o, dy + first * oh * ow * o, o,
                       0.0f, columns, positions),
            "matrix product")) {
      return nullptr;
    }
#pragma omp parallel for collapse(2) schedule(static) if (samples * h * w * c >= kParallelElements)
    for (int64_t b = 0; b < samples; b++) {
      for (int64_t y = 0; y < h; y++) {
        float* row = out + ((first + b) * h + y) * w * c;
        std::fill(row, row + w * c, 0.0f);
        for (int64_t ky = 0; ky < kh; ky++) {
          // The output row whose window's tap ky lands on input row y, if any.
          const int64_t spanY = y + top - ky * dilationH;
          if (spanY < 0 || spanY % strideH != 0 || spanY / strideH >= oh) continue;
          const int64_t outputRow = (b * oh + spanY / strideH) * ow;
          for (int64_t kx = 0; kx < kw; kx++) {
            // Input columns x whose output column (x + left − kx·dilation) / stride is whole and
            // inside: the first such x, then every stride-th.
            int64_t firstX = kx * dilationW - left;
            if (firstX < 0) firstX += (-firstX + strideW - 1) / strideW * strideW;
            const int64_t firstOut = (firstX + left - kx * dilationW) / strideW;
            const int64_t count = std::min((w - firstX + strideW - 1) / strideW, ow - firstOut);
            for (int64_t ci = 0; ci < c; ci++) {
              const float* tap = columns + ((ky * kw + kx) * c + ci) * positions + outputRow;
              float* cells = row + firstX * c + ci;
              const int64_t step = strideW * c;
#pragma omp simd
              for (int64_t i = 0; i < count; i++) cells[i * step] += tap[firstOut + i];
            }
          }
        }
      }
    }
  }
  return served;
}

// gemm(transposeA, transposeB, m, n, k, a, b, c, accumulate): c = op(a) · op(b) (+ c), row major;
// op(a) is m × k, op(b) k × n. Matrix products of dense layers: their weights are the largest
// operands an explanation reads, and wasm's matrix product repacks them on every call.
napi_value Gemm(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  engineOf(env, info, &argc, argv);
  if (argc != 9) return fail(env, "gemm(transposeA, transposeB, m, n, k, a, b, c, accumulate)"), nullptr;
  bool transposeA = false, transposeB = false, accumulate = false;
  if (!readBool(env, argv[0], &transposeA) || !readBool(env, argv[1], &transposeB) ||
      !readBool(env, argv[8], &accumulate)) {
    return nullptr;
  }
  int64_t m, n, k;
  if (!readInt(env, argv[2], &m) || !readInt(env, argv[3], &n) || !readInt(env, argv[4], &k)) {
    return nullptr;
  }
  if (m < 1 || n < 1 || k < 1) return fail(env, "gemm needs positive sizes"), nullptr;
  float *a, *b, *c;
  if (!readFloats(env, argv[5], {m, k}, false, &a) ||
      !readFloats(env, argv[6], {k, n}, false, &b) ||
      !readFloats(env, argv[7], {m, n}, false, &c)) {
    return nullptr;
  }
  ok(env,
     dnnl_sgemm(transposeA ? 'T' : 'N', transposeB ? 'T' : 'N', m, n, k, 1.0f, a,
                transposeA ? m : k, b, transposeB ? k : n, accumulate ? 1.0f : 0.0f, c, n),
     "matrix product");
  return nullptr;
}

// The window geometry of routeToWindowMaxima, in the order JavaScript passes it.
struct PoolGeometry {
  int64_t n, h, w, c, oh, ow, kh, kw, sh, sw, top, left;
};

// One pooling window cut to the input grid: the rows and columns of its cells inside it, and
// whether its first cell (row-major) is a padded one.
struct PoolWindow {
  int64_t rowFirst, rowEnd, columnFirst, columnEnd;
  bool paddedFirst;
};

// Reads `what`'s pooling geometry (positive sizes, non-negative padding) from value into g.
bool readPoolGeometry(napi_env env, napi_value value, const char* what, PoolGeometry* g) {
  int64_t v[12];
  if (!readGeometry(env, value, 12, v)) return false;
  for (int i = 0; i < 10; i++) {
    if (v[i] < 1) return fail(env, (std::string(what) + " needs positive sizes").c_str());
  }
  // (A window's cells are counted in int32 lanes.)
  if (v[6] > std::numeric_limits<int32_t>::max() / v[7]) {
    return fail(env, (std::string(what) + ": a pooling window too large").c_str());
  }
  *g = PoolGeometry{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]};
  return true;
}

PoolWindow poolWindow(const PoolGeometry& g, int64_t y, int64_t xo) {
  const int64_t top = y * g.sh - g.top, left = xo * g.sw - g.left;
  const int64_t rowFirst = std::max<int64_t>(top, 0), columnFirst = std::max<int64_t>(left, 0);
  return {rowFirst, std::min(top + g.kh, g.h), columnFirst, std::min(left + g.kw, g.w),
          rowFirst != top || columnFirst != left};
}

// The largest finite float32: ±Infinity compares as ±FLOAT32_MAX, and a padded cell as
// -FLOAT32_MAX, so that it wins only a window with nothing larger (max-pooling.ts's rules).
constexpr float kLargestFloat = 3.4028234663852886e38f;

// One window's relevance for the channels [first, end) of one output cell, onto the window's
// first maximal cell in row-major order: stored over the window's cells (zero where another cell
// won) or, when windows overlap, added to what out holds. The comparison runs on four channels at
// once (SSE2, which every x86-64 has), branch-free: the scalar loop this replaced, with a branch
// on every comparison, took 6.0-7.2 ms on MNIST's first pooling layer at batch 256 against
// 2.9-3.2 ms (one-off script, medians of 15). NaN is kept (max(low, NaN) and min(high, NaN) return the
// NaN): it wins only as a window's first cell, since nothing compares greater than it or it than
// anything, as in the scalar form used for the last c mod 4 channels.
template <bool accumulate>
void routeWindowChannels(const PoolGeometry& g, const PoolWindow& window, const float* xSample,
                         const float* relevance, float* outSample, int64_t first, int64_t end) {
  const int64_t columnStride = g.c, rowStride = g.w * g.c;
  int64_t vectorEnd = first;
#ifdef __SSE2__
  vectorEnd = first + (end - first) / 4 * 4;
  const __m128 low = _mm_set1_ps(-kLargestFloat), high = _mm_set1_ps(kLargestFloat);
  for (int64_t ch = first; ch < vectorEnd; ch += 4) {
    // The winner as its cell's place among the window's inside cells; -1 for a padded one.
    __m128 best = low;
    __m128i winner = _mm_set1_epi32(-1);
    bool firstCell = !window.paddedFirst;
    int32_t k = 0;
    for (int64_t row = window.rowFirst; row < window.rowEnd; row++) {
      for (int64_t column = window.columnFirst; column < window.columnEnd; column++, k++) {
        const float* cell = xSample + row * rowStride + column * columnStride + ch;
        const __m128 value = _mm_min_ps(high, _mm_max_ps(low, _mm_loadu_ps(cell)));
        if (firstCell) {
          best = value;
          winner = _mm_setzero_si128();
          firstCell = false;
          continue;
        }
        const __m128 larger = _mm_cmpgt_ps(value, best);
        best = _mm_or_ps(_mm_and_ps(larger, value), _mm_andnot_ps(larger, best));
        const __m128i takes = _mm_castps_si128(larger);
        winner = _mm_or_si128(_mm_and_si128(takes, _mm_set1_epi32(k)),
                              _mm_andnot_si128(takes, winner));
      }
    }
    // (0 + r, so that -0 relevance lands as +0 whether stored or added onto a zero.)
    const __m128 share = _mm_add_ps(_mm_setzero_ps(), _mm_loadu_ps(relevance + ch));
    k = 0;
    for (int64_t row = window.rowFirst; row < window.rowEnd; row++) {
      for (int64_t column = window.columnFirst; column < window.columnEnd; column++, k++) {
        float* cell = outSample + row * rowStride + column * columnStride + ch;
        const __m128 won = _mm_castsi128_ps(_mm_cmpeq_epi32(winner, _mm_set1_epi32(k)));
        const __m128 routed = _mm_and_ps(won, share);
        _mm_storeu_ps(cell, accumulate ? _mm_add_ps(_mm_loadu_ps(cell), routed) : routed);
      }
    }
  }
#endif
  for (int64_t ch = vectorEnd; ch < end; ch++) {
    float best = -kLargestFloat;
    int64_t winner = -1;  // the winning cell's offset in the sample, or -1 for a padded one
    bool firstCell = !window.paddedFirst;
    for (int64_t row = window.rowFirst; row < window.rowEnd; row++) {
      for (int64_t column = window.columnFirst; column < window.columnEnd; column++) {
        const int64_t cell = row * rowStride + column * columnStride + ch;
        const float value = std::min(std::max(xSample[cell], -kLargestFloat), kLargestFloat);
        if (firstCell || value > best) {
          best = value;
          winner = cell;
          firstCell = false;
        }
      }
    }
    const float share = 0.0f + relevance[ch];
    for (int64_t row = window.rowFirst; row < window.rowEnd; row++) {
      for (int64_t column = window.columnFirst; column < window.columnEnd; column++) {
        const int64_t cell = row * rowStride + column * columnStride + ch;
        const float routed = cell == winner ? share : 0.0f;
        outSample[cell] = accumulate ? outSample[cell] + routed : routed;
      }
    }
  }
}

// Windows that do not overlap (stride at least the pool size on both axes, as in the usual
// 2×2/2): every input cell is in at most one window, so each is written once, with no zeroing
// pass and no additions. A task is one output row of one sample, so that one image's layer runs
// on every thread; it owns the input rows from its windows' first row to the next task's, and
// zeroes them first unless the windows tile the input.
void routeDisjointWindows(const PoolGeometry& geometry, const float* x, const float* r,
                          float* out) {
  const PoolGeometry g = geometry;  // (a copy, so the loops hold its sizes in registers)
  const int64_t sampleSize = g.h * g.w * g.c, rowLength = g.w * g.c;
  const bool tiled = g.top == 0 && g.left == 0 && g.kh == g.sh && g.kw == g.sw &&
                     g.oh * g.kh == g.h && g.ow * g.kw == g.w;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < g.n; b++) {
    for (int64_t y = 0; y < g.oh; y++) {
      float* outSample = out + b * sampleSize;
      if (!tiled) {
        const int64_t windowTop = y * g.sh - g.top;
        const int64_t first = std::max<int64_t>(y == 0 ? 0 : windowTop, 0);
        const int64_t last = std::min<int64_t>(y == g.oh - 1 ? g.h : windowTop + g.sh, g.h);
        if (last > first) {
          std::fill(outSample + first * rowLength, outSample + last * rowLength, 0.0f);
        }
      }
      for (int64_t xo = 0; xo < g.ow; xo++) {
        routeWindowChannels<false>(g, poolWindow(g, y, xo), x + b * sampleSize,
                                   r + ((b * g.oh + y) * g.ow + xo) * g.c, outSample, 0, g.c);
      }
    }
  }
}

// Windows that overlap (a stride smaller than the pool size, as ResNet's 3×3/2) may route onto
// one cell more than once: out is zeroed, and each window's relevance added in window order. A
// task is one sample's group of 16 channels (64 bytes, so that two threads seldom write one cache
// line), which lets one image's layer run on every thread.
void routeOverlappingWindows(const PoolGeometry& geometry, const float* x, const float* r,
                             float* out) {
  const PoolGeometry g = geometry;
  const int64_t sampleSize = g.h * g.w * g.c, groups = (g.c + 15) / 16;
  std::fill(out, out + g.n * sampleSize, 0.0f);
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < g.n; b++) {
    for (int64_t group = 0; group < groups; group++) {
      for (int64_t y = 0; y < g.oh; y++) {
        for (int64_t xo = 0; xo < g.ow; xo++) {
          routeWindowChannels<true>(g, poolWindow(g, y, xo), x + b * sampleSize,
                                    r + ((b * g.oh + y) * g.ow + xo) * g.c, out + b * sampleSize,
                                    group * 16, std::min(group * 16 + 16, g.c));
        }
      }
    }
  }
}

// The largest cell of one window for every channel, into out (the window's output cell). Padded
// cells do not count; a NaN anywhere in the window makes the result NaN; of equal cells (+0 and
// -0) the first in row-major order is kept, since max(v, m) returns m unless v is larger.
void windowMaxima(const PoolGeometry& g, const PoolWindow& window, const float* xSample,
                  float* out) {
  const int64_t columnStride = g.c, rowStride = g.w * g.c;
  int64_t vectorEnd = 0;
#ifdef __SSE2__
  vectorEnd = g.c / 4 * 4;
  for (int64_t ch = 0; ch < vectorEnd; ch += 4) {
    __m128 largest = _mm_set1_ps(-std::numeric_limits<float>::infinity());
    __m128 nan = _mm_setzero_ps();  // all bits set in a lane that met a NaN
    for (int64_t row = window.rowFirst; row < window.rowEnd; row++) {
      for (int64_t column = window.columnFirst; column < window.columnEnd; column++) {
        const __m128 value = _mm_loadu_ps(xSample + row * rowStride + column * columnStride + ch);
        nan = _mm_or_ps(nan, _mm_cmpunord_ps(value, value));
        largest = _mm_max_ps(value, largest);  // (largest where value is NaN or not larger)
      }
    }
    _mm_storeu_ps(out + ch, _mm_or_ps(largest, nan));  // (all bits set is a NaN)
  }
#endif
  for (int64_t ch = vectorEnd; ch < g.c; ch++) {
    float largest = -std::numeric_limits<float>::infinity();
    bool nan = false;
    for (int64_t row = window.rowFirst; row < window.rowEnd; row++) {
      for (int64_t column = window.columnFirst; column < window.columnEnd; column++) {
        const float value = xSample[row * rowStride + column * columnStride + ch];
        nan = nan || std::isnan(value);
        largest = value > largest ? value : largest;
      }
    }
    out[ch] = nan ? std::numeric_limits<float>::quiet_NaN() : largest;
  }
}

// maxPool(x, out, [n, h, w, c, oh, ow, kh, kw, strideH, strideW, padTop, padLeft]): max pooling's
// forward pass (tfjs' MaxPool, channels last), each window's largest cell as windowMaxima takes
// it. wasm's own kernel (XNNPACK's, 128-bit SIMD, one thread) took 5.0-6.1 ms of an MNIST
// explanation at batch 256 for both pooling layers. A task is one output row of one sample.
napi_value MaxPool(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  engineOf(env, info, &argc, argv);
  if (argc != 3) return fail(env, "maxPool(x, out, geometry)"), nullptr;
  PoolGeometry g;
  if (!readPoolGeometry(env, argv[2], "maxPool", &g)) return nullptr;
  float *x, *out;
  if (!readFloats(env, argv[0], {g.n, g.h, g.w, g.c}, false, &x) ||
      !readFloats(env, argv[1], {g.n, g.oh, g.ow, g.c}, false, &out) ||
      !apart(env, x, {g.n, g.h, g.w, g.c}, out, {g.n, g.oh, g.ow, g.c})) {
    return nullptr;
  }
  const int64_t sampleSize = g.h * g.w * g.c;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < g.n; b++) {
    for (int64_t y = 0; y < g.oh; y++) {
      for (int64_t xo = 0; xo < g.ow; xo++) {
        windowMaxima(g, poolWindow(g, y, xo), x + b * sampleSize,
                     out + ((b * g.oh + y) * g.ow + xo) * g.c);
      }
    }
  }
  return nullptr;
}

// routeToWindowMaxima(x, r, out, [n, h, w, c, oh, ow, kh, kw, strideH, strideW, padTop, padLeft]):
// out = the relevance r of each max-pooling window added onto the window's first maximal cell in
// row-major order, zero elsewhere. Padded cells count as -FLOAT32_MAX (they win only a window with
// nothing larger), and ±Infinity as ±FLOAT32_MAX: the rules of max-pooling.ts, which does the same
// with tfjs operations where this addon is absent. Not oneDNN: loops over the windows.
napi_value RouteToWindowMaxima(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  engineOf(env, info, &argc, argv);
  if (argc != 4) return fail(env, "routeToWindowMaxima(x, r, out, geometry)"), nullptr;
  PoolGeometry g;
  if (!readPoolGeometry(env, argv[3], "routeToWindowMaxima", &g)) return nullptr;
  float *x, *r, *out;
  if (!readFloats(env, argv[0], {g.n, g.h, g.w, g.c}, false, &x) ||
      !readFloats(env, argv[1], {g.n, g.oh, g.ow, g.c}, false, &r) ||
      !readFloats(env, argv[2], {g.n, g.h, g.w, g.c}, false, &out) ||
      !apart(env, x, {g.n, g.h, g.w, g.c}, out, {g.n, g.h, g.w, g.c}) ||
      !apart(env, r, {g.n, g.oh, g.ow, g.c}, out, {g.n, g.h, g.w, g.c})) {
    return nullptr;
  }
  if (g.sh >= g.kh && g.sw >= g.kw) {
    routeDisjointWindows(g, x, r, out);
  } else {
    routeOverlappingWindows(g, x, r, out);
  }
  return nullptr;
}

// finiteMinimum(x) -> the smallest element of x, or NaN when any element is NaN or ±Infinity. One
// pass on every thread: the forward pass's overflow check and the rules' sign checks in one read
// (the tfjs form, x · 0 summed, makes a copy of x first and knows nothing of signs).
napi_value FiniteMinimum(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  engineOf(env, info, &argc, argv);
  float* values;
  size_t length;
  if (argc != 1) return fail(env, "finiteMinimum(x: Float32Array)"), nullptr;
  if (!readFloatArray(env, argv[0], &values, &length)) return nullptr;
  const int64_t count = static_cast<int64_t>(length);
  // A float32 is NaN or infinite exactly when its exponent bits are all ones. The minimum only
  // counts when every value is finite, so the loop may vectorise it without NaN's rules (simd).
  // Small tensors stay on this thread: waking the others costs more than they save.
  const uint32_t* bits = reinterpret_cast<const uint32_t*>(values);
  uint32_t nonFinite = 0;
  float minimum = std::numeric_limits<float>::infinity();
  if (count < kParallelElements) {
#pragma omp simd reduction(| : nonFinite) reduction(min : minimum)
    for (int64_t i = 0; i < count; i++) {
      nonFinite |= static_cast<uint32_t>(nonFiniteBits(bits[i]));
      minimum = values[i] < minimum ? values[i] : minimum;
    }
  } else {
#pragma omp parallel for simd reduction(| : nonFinite) reduction(min : minimum) schedule(static)
    for (int64_t i = 0; i < count; i++) {
      nonFinite |= static_cast<uint32_t>(nonFiniteBits(bits[i]));
      minimum = values[i] < minimum ? values[i] : minimum;
    }
  }
  napi_value result;
  napi_create_double(env, nonFinite != 0 ? std::numeric_limits<double>::quiet_NaN() : minimum,
                     &result);
  return result;
}

// The samples of one call: when each is large, one after another with every thread on each; when
// each is small, spread over the threads. `step(b, parallel)` is told which.
template <typename Step>
void forEachSample(int64_t batch, int64_t perSample, Step step) {
  if (perSample >= kParallelElements) {
    for (int64_t b = 0; b < batch; b++) step(b, true);
    return;
  }
#pragma omp parallel for schedule(static) if (batch * perSample >= kParallelElements)
  for (int64_t b = 0; b < batch; b++) step(b, false);
}

// Sums are taken over blocks of this many values, added in block order: the total is the same on
// any number of threads (an OpenMP reduction adds per-thread partials in the order threads
// finish, and a split per thread changes with the thread count).
constexpr int64_t kSumBlock = 1 << 14;

// Σ chunk(begin, end) over the blocks of [0, n), added in order; the blocks spread over the
// threads when `parallel`, else all on this thread without opening a parallel region (a sample of
// a batch spread over the threads is on one already, and a nested region per loop cost more than
// the loop: 0.5 ms for 256 MNIST samples).
template <typename Chunk>
float sumOverChunks(int64_t n, bool parallel, Chunk chunk) {
  const int64_t blocks = (n + kSumBlock - 1) / kSumBlock;
  if (blocks <= 1) return chunk(0, n);
  std::vector<float> sums(static_cast<size_t>(blocks));
  const auto block = [&](int64_t b) {
    sums[b] = chunk(b * kSumBlock, std::min(n, (b + 1) * kSumBlock));
  };
  if (parallel) {
#pragma omp parallel for schedule(static)
    for (int64_t b = 0; b < blocks; b++) block(b);
  } else {
    for (int64_t b = 0; b < blocks; b++) block(b);
  }
  float total = sums[0];
  for (int64_t b = 1; b < blocks; b++) total += sums[b];
  return total;
}

// chunk(begin, end) over [0, n), on every thread when `parallel`.
template <typename Chunk>
void forEachChunk(int64_t n, bool parallel, Chunk chunk) {
  if (!parallel) return chunk(0, n);
#pragma omp parallel
  {
    const int64_t threads = omp_get_num_threads(), thread = omp_get_thread_num();
    chunk(n * thread / threads, n * (thread + 1) / threads);
  }
}

// The direct step's three loops over a range, as functions of their own with unaliased
// pointers: written inline in the chunks' lambdas they ran 3× slower (0.81 against 0.27 ms for
// 56×56×256 on one thread).
float productAndMass(const float* __restrict a, const float* __restrict b, float* __restrict m,
                     int64_t n) {
  float mass = 0;
#pragma omp simd reduction(+ : mass)
  for (int64_t i = 0; i < n; i++) {
    m[i] = a[i] * b[i];
    mass += std::fabs(m[i]);
  }
  return mass;
}

float massOf(const float* __restrict x, int64_t n) {
  float mass = 0;
#pragma omp simd reduction(+ : mass)
  for (int64_t i = 0; i < n; i++) mass += std::fabs(x[i]);
  return mass;
}

void scale(float* __restrict x, int64_t n, float factor) {
#pragma omp simd
  for (int64_t i = 0; i < n; i++) x[i] = x[i] * factor;
}

// massPerSample(x, batch, out): out[b] = Σ |x| over sample b (x's leading axis), in float32
// (vector lanes, then blocks in order: the same total on any number of threads): R-LRP's
// renormalisation and checks read two of these per layer, and tfjs' form (abs, then a wasm sum) is
// two passes on one thread. A total above float32's range overflows to Infinity, as tfjs' does;
// NaN stays NaN.
napi_value MassPerSample(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  engineOf(env, info, &argc, argv);
  int64_t batch;
  if (argc != 3 || !readInt(env, argv[1], &batch) || batch < 1) {
    return fail(env, "massPerSample(x, batch, out)"), nullptr;
  }
  float *x, *out;
  size_t length;
  if (!readFloatArray(env, argv[0], &x, &length)) return nullptr;
  if (length % batch != 0) return fail(env, "x must hold whole samples"), nullptr;
  if (!readFloats(env, argv[2], {batch}, false, &out)) return nullptr;
  const int64_t perSample = static_cast<int64_t>(length) / batch;
  forEachSample(batch, perSample, [&](int64_t b, bool parallel) {
    const float* sample = x + b * perSample;
    out[b] = sumOverChunks(perSample, parallel, [=](int64_t begin, int64_t end) {
      return massOf(sample + begin, end - begin);
    });
  });
  return nullptr;
}

// flipConvKernel(kernel, [kh, kw, c, o], out): out[kh−1−i][kw−1−j][p][q] = kernel[i][j][q][p], the
// convolution kernel [kh, kw, c, o] flipped spatially with its channels swapped, [kh, kw, o, c]:
// the kernel whose forward convolution is the transposed one (layers/window-transpose.ts). A
// permutation, so every value (NaN, ±Infinity, −0, denormals) moves unchanged. tfjs made it with a
// matrix product by the reversal and wasm's Transpose, which goes element by element (52–80 ms
// for 3×3×512×512); here flipKernel transposes each tap's matrix in blocks on every thread.
napi_value FlipConvKernel(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  engineOf(env, info, &argc, argv);
  int64_t g[4];
  if (argc != 3 || !readGeometry(env, argv[1], 4, g)) {
    return fail(env, "flipConvKernel(kernel, [kh, kw, c, o], out)"), nullptr;
  }
  const int64_t taps = g[0] * g[1], c = g[2], o = g[3];
  float *kernel, *out;
  if (!readFloats(env, argv[0], {taps, c, o}, false, &kernel) ||
      !readFloats(env, argv[2], {taps, c, o}, false, &out) ||
      !apart(env, kernel, {taps, c, o}, out, {taps, c, o})) {
    return nullptr;
  }
  flipKernel(kernel, taps, c, o, out);
  return nullptr;
}

// stabilisedRatio(r, d, epsilon, out): out = r / (d + ε·sign(d)) with sign(0) = +1, elementwise:
// the classical rules' ratio of relevance to stabilised denominator. Computed as tfjs computes it
// (rules/stabilise.ts: d − (−sign(d))·ε, then r divided by it), float32 operation by operation, so
// the values are tfjs' own bit for bit; a NaN in d stays NaN. One pass on every thread, where tfjs
// makes five on one (negate, step, multiply, subtract, divide).
napi_value StabilisedRatio(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  engineOf(env, info, &argc, argv);
  double epsilon;
  if (argc != 4 || napi_get_value_double(env, argv[2], &epsilon) != napi_ok) {
    return fail(env, "stabilisedRatio(r, d, epsilon, out)"), nullptr;
  }
  float *r, *d, *out;
  size_t length;
  if (!readFloatArray(env, argv[0], &r, &length) ||
      !readFloats(env, argv[1], {static_cast<int64_t>(length)}, false, &d) ||
      !readFloats(env, argv[3], {static_cast<int64_t>(length)}, false, &out)) {
    return nullptr;
  }
  const float eps = static_cast<float>(epsilon);
  const int64_t n = static_cast<int64_t>(length);
#pragma omp parallel for simd schedule(static) if (n >= kParallelElements)
  for (int64_t i = 0; i < n; i++) {
    const float denominator = d[i];
    // step(−d, −1): +1 where d < 0, −1 where d ≥ 0 (also −0); a NaN d makes the result NaN below.
    const float minusSign = -denominator > 0.0f ? 1.0f : -1.0f;
    out[i] = r[i] / (denominator - minusSign * eps);
  }
  return nullptr;
}

// The elementwise kernels replacing wasm's Multiply, Add, AddN and Relu on float32 tensors of one
// shape (native-elementwise.ts): the float32 operations wasm's kernels make, in the same order, so
// the values are wasm's bit for bit, on every thread where wasm's run on one. They are many small
// passes (91 products, 16 sums of each kind and 49 rectifiers in a ResNet-50 LRP-ε explanation),
// each over a layer's output.

// The output and `count` inputs of an elementwise kernel, each an array of the output's length
// laid apart from it (else false and a JavaScript error).
bool readElementwise(napi_env env, napi_value output, const napi_value* inputs, size_t count,
                     float** out, float** in, int64_t* length) {
  size_t outLength;
  if (!readFloatArray(env, output, out, &outLength)) return false;
  const int64_t n = static_cast<int64_t>(outLength);
  for (size_t k = 0; k < count; k++) {
    if (!readFloats(env, inputs[k], {n}, false, &in[k]) || !apart(env, in[k], {n}, *out, {n})) {
      return false;
    }
  }
  *length = n;
  return true;
}

// binary(a, b, out): out = a ∘ b elementwise, as wasm's kernel computes it. Where both are NaN,
// x86 gives the first operand's; wasm's kernels give b's, so b comes first here.
template <typename Op>
napi_value BinaryElementwise(napi_env env, napi_callback_info info, const char* usage, Op op) {
  size_t argc = 3;
  napi_value argv[3];
  engineOf(env, info, &argc, argv);
  if (argc != 3) return fail(env, usage), nullptr;
  float *out, *in[2];
  int64_t n;
  if (!readElementwise(env, argv[2], argv, 2, &out, in, &n)) return nullptr;
  const float *a = in[0], *b = in[1];
#pragma omp parallel for simd schedule(static) if (n >= kParallelElements)
  for (int64_t i = 0; i < n; i++) out[i] = op(b[i], a[i]);
  return nullptr;
}

napi_value Multiply(napi_env env, napi_callback_info info) {
  return BinaryElementwise(env, info, "multiply(a, b, out)",
                           [](float first, float second) { return first * second; });
}

napi_value Add(napi_env env, napi_callback_info info) {
  return BinaryElementwise(env, info, "add(a, b, out)",
                           [](float first, float second) { return first + second; });
}

// addN(inputs: Float32Array[], out): out = ((0 + x₀) + x₁) + …, wasm's AddN order: it starts from
// +0, so a −0 sum is +0 there and here.
napi_value AddN(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  engineOf(env, info, &argc, argv);
  bool isArray = false;
  if (argc == 2) napi_is_array(env, argv[0], &isArray);
  uint32_t count = 0;
  if (!isArray || napi_get_array_length(env, argv[0], &count) != napi_ok || count == 0) {
    return fail(env, "addN(inputs: Float32Array[] (at least one), out)"), nullptr;
  }
  std::vector<napi_value> elements(count);
  for (uint32_t k = 0; k < count; k++) napi_get_element(env, argv[0], k, &elements[k]);
  std::vector<float*> in(count);
  float* out;
  int64_t n;
  if (!readElementwise(env, argv[1], elements.data(), count, &out, in.data(), &n)) return nullptr;
  const float* const* inputs = in.data();
  const int64_t k = count;
#pragma omp parallel for schedule(static) if (n * k >= kParallelElements)
  for (int64_t start = 0; start < n; start += 4096) {
    const int64_t end = std::min(n, start + 4096);
    // Block by block, so that each block of the sum stays in the cache while every input is added.
#pragma omp simd
    for (int64_t i = start; i < end; i++) out[i] = 0.0f + inputs[0][i];
    for (int64_t j = 1; j < k; j++) {
      const float* x = inputs[j];
#pragma omp simd
      for (int64_t i = start; i < end; i++) out[i] += x[i];
    }
  }
  return nullptr;
}

// relu(x, out): wasm's rectifier compares the float's bits as a signed integer with 0, so it gives
// +0 for −0 and every value with the sign bit set (−NaN too), and keeps +NaN.
napi_value Relu(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  engineOf(env, info, &argc, argv);
  if (argc != 2) return fail(env, "relu(x, out)"), nullptr;
  float *out, *in[1];
  int64_t n;
  if (!readElementwise(env, argv[1], argv, 1, &out, in, &n)) return nullptr;
  const int32_t* x = reinterpret_cast<const int32_t*>(in[0]);
  int32_t* y = reinterpret_cast<int32_t*>(out);
#pragma omp parallel for simd schedule(static) if (n >= kParallelElements)
  for (int64_t i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0;
  return nullptr;
}

// rlrpDirectStep(a, back, r, batch, out, check): R-LRP's direct linear step (rules/rlrp.ts),
// per sample b: m = a ⊙ back, massIn = Σ|m|, massOut = Σ|r|, out = m · (massOut / massIn),
// check[2b..2b+1] = [massIn, massOut]. Each value is the float32 operation tfjs computes (product,
// quotient, product) and the masses are float32 sums like massPerSample's, so the result is the
// tfjs form's whenever its masses are. tfjs takes seven kernels and four passes over the layer's
// input for it, on one thread; this is three passes on every thread. An untrusted mass (0, Inf,
// NaN) gives what tfjs gives too; the caller's check rejects it.
napi_value RlrpDirectStep(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  engineOf(env, info, &argc, argv);
  int64_t batch;
  if (argc != 6 || !readInt(env, argv[3], &batch) || batch < 1) {
    return fail(env, "rlrpDirectStep(a, back, r, batch, out, check)"), nullptr;
  }
  float *a, *back, *r, *out, *check;
  size_t length, relevanceLength;
  if (!readFloatArray(env, argv[0], &a, &length) ||
      !readFloats(env, argv[1], {static_cast<int64_t>(length)}, false, &back) ||
      !readFloatArray(env, argv[2], &r, &relevanceLength) ||
      !readFloats(env, argv[4], {static_cast<int64_t>(length)}, false, &out) ||
      !readFloats(env, argv[5], {2, batch}, false, &check)) {
    return nullptr;
  }
  if (length % batch != 0 || relevanceLength % batch != 0) {
    return fail(env, "a and r must hold whole samples"), nullptr;
  }
  const int64_t perSample = static_cast<int64_t>(length) / batch;
  const int64_t perRelevance = static_cast<int64_t>(relevanceLength) / batch;
  forEachSample(batch, std::max(perSample, perRelevance), [&](int64_t b, bool parallel) {
    const float* as = a + b * perSample;
    const float* backs = back + b * perSample;
    const float* rs = r + b * perRelevance;
    float* messages = out + b * perSample;
    const float massIn = sumOverChunks(perSample, parallel, [=](int64_t begin, int64_t end) {
      return productAndMass(as + begin, backs + begin, messages + begin, end - begin);
    });
    const float massOut = sumOverChunks(perRelevance, parallel, [=](int64_t begin, int64_t end) {
      return massOf(rs + begin, end - begin);
    });
    const float factor = massOut / massIn;
    forEachChunk(perSample, parallel, [=](int64_t begin, int64_t end) {
      scale(messages + begin, end - begin, factor);
    });
    check[2 * b] = massIn;
    check[2 * b + 1] = massOut;
  });
  return nullptr;
}

// One summand's share of the Add split over a range, and its mass (see rlrpAddSplit; unaliased
// pointers, as the direct step's loops). Its two divisions per element, not memory, bound it: the
// x86-64 baseline this file compiles for has 4-lane vectors, so it is also compiled for AVX2 and
// AVX-512, and the clone the CPU runs is chosen when the addon loads (GCC's target_clones). Each
// operation is still rounded on its own (build.mjs compiles with -ffp-contract=off, no fused
// multiply-adds), so every clone gives the same shares; the mass, a vectorised sum, may differ in
// its last bits between clones, and no value depends on it. ResNet-50's 16 splits per R-LRP
// explanation took 11.4 ms on the baseline, 3.6–4.9 ms with AVX-512 (docs/performance.md).
VECTOR_CLONES
float shareAndMass(const float* __restrict u, const float* __restrict y, const float* __restrict r,
                   float* __restrict share, int64_t length, float summands) {
  float mass = 0;
#pragma omp simd reduction(+ : mass)
  for (int64_t i = 0; i < length; i++) {
    const float magnitude = std::fabs(y[i]);
    // tfjs' step: NaN stays NaN, then 1 where positive, else 0.
    const float positive = std::isnan(magnitude) ? magnitude : (magnitude > 0 ? 1.0f : 0.0f);
    const float isZero = 1.0f - positive;
    const float zeroShare = r[i] * isZero;
    const float perUnit = r[i] / (y[i] + isZero) - zeroShare;
    const float product = u[i] * perUnit;
    share[i] = product + zeroShare / summands;
    mass += std::fabs(share[i]);
  }
  return mass;
}

// rlrpAddSplit([u_0 … u_n-1], y, r, batch, [out_0 … out_n-1], check): R-LRP's Add split
// (rules/rlrp-add-split.ts), R_{u_i} = u_i / y ⊙ R_y and R_y / n where y = 0, with check[b] the
// shares' total mass Σ_i Σ|out_i| of sample b. Per element, the float32 operations of the tfjs form
// in its order: z = 1 − step(|y|), s = r / (y + z) − r·z, out_i = u_i · s + (r·z) / n; the masses
// are float32 sums per share like massPerSample's, then added in order as tf.addN adds them. tfjs
// takes about a dozen kernels, each a pass over the Add's output on one thread; this is one pass.
napi_value RlrpAddSplit(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  engineOf(env, info, &argc, argv);
  int64_t batch;
  bool isArray = false;
  if (argc == 6) napi_is_array(env, argv[0], &isArray);
  if (!isArray || !readInt(env, argv[3], &batch) || batch < 1) {
    return fail(env, "rlrpAddSplit(inputs, y, r, batch, outputs, check)"), nullptr;
  }
  float *y, *r, *check;
  size_t length;
  if (!readFloatArray(env, argv[1], &y, &length) || !readFloats(env, argv[2], {static_cast<int64_t>(length)}, false, &r) ||
      !readFloats(env, argv[5], {batch}, false, &check)) {
    return nullptr;
  }
  if (length % batch != 0) return fail(env, "y must hold whole samples"), nullptr;
  uint32_t count = 0;
  napi_get_array_length(env, argv[0], &count);
  uint32_t outputCount = 0;
  bool outputsArray = false;
  napi_is_array(env, argv[4], &outputsArray);
  if (outputsArray) napi_get_array_length(env, argv[4], &outputCount);
  if (count < 1 || outputCount != count) {
    return fail(env, "one output per input, and at least one input"), nullptr;
  }
  std::vector<float*> inputs(count), outputs(count);
  for (uint32_t i = 0; i < count; i++) {
    napi_value input, output;
    napi_get_element(env, argv[0], i, &input);
    napi_get_element(env, argv[4], i, &output);
    if (!readFloats(env, input, {static_cast<int64_t>(length)}, false, &inputs[i]) ||
        !readFloats(env, output, {static_cast<int64_t>(length)}, false, &outputs[i])) {
      return nullptr;
    }
  }
  const int64_t perSample = static_cast<int64_t>(length) / batch;
  const float n = static_cast<float>(count);
  forEachSample(batch, perSample, [&](int64_t b, bool parallel) {
    const int64_t first = b * perSample;
    const float* ys = y + first;
    const float* rs = r + first;
    float total = 0;
    for (uint32_t k = 0; k < count; k++) {
      const float* u = inputs[k] + first;
      float* share = outputs[k] + first;
      const float mass = sumOverChunks(perSample, parallel, [=](int64_t begin, int64_t end) {
        return shareAndMass(u + begin, ys + begin, rs + begin, share + begin, end - begin, n);
      });
      total += mass;
    }
    check[b] = total;
  });
  return nullptr;
}

// releaseScratch(): frees this thread's scratch buffer (Winograd's blocked tensors, the few-channel
// columns, flipped filters; at most 64 MiB) now; the next call that needs it allocates it again.
napi_value ReleaseScratch(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Engine* engine = engineOf(env, info, &argc, nullptr);
  std::free(engine->scratch);
  napi_adjust_external_memory(env, -static_cast<int64_t>(engine->scratchBytes), nullptr);
  engine->scratch = nullptr;
  engine->scratchBytes = 0;
  return nullptr;
}

// allowedCores() -> the cores this thread may run on (its affinity mask), in increasing order.
napi_value AllowedCores(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  engineOf(env, info, &argc, nullptr);
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) {
    return napi_throw_error(env, "ERR_RLRP_AFFINITY", "sched_getaffinity failed"), nullptr;
  }
  napi_value cores;
  napi_create_array(env, &cores);
  uint32_t count = 0;
  for (int core = 0; core < CPU_SETSIZE; core++) {
    if (!CPU_ISSET(core, &set)) continue;
    napi_value value;
    napi_create_int32(env, core, &value);
    napi_set_element(env, cores, count++, value);
  }
  return cores;
}

// pinToCore(core) -> whether the calling thread now runs on that core only. An ExplainPool worker
// pins itself to its own core: a thread that stays on one core keeps its caches (docs/performance.md,
// the pool).
napi_value PinToCore(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  engineOf(env, info, &argc, argv);
  int64_t core;
  if (argc != 1 || !readInt(env, argv[0], &core)) return nullptr;
  if (core < 0 || core >= CPU_SETSIZE) return fail(env, "pinToCore: no such core"), nullptr;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(static_cast<int>(core), &set);
  napi_value result;
  napi_get_boolean(env, sched_setaffinity(0, sizeof set, &set) == 0, &result);
  return result;
}

// setThreads(n): oneDNN's OpenMP threads for calls from this thread (each thread has its own).
napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  engineOf(env, info, &argc, argv);
  int64_t threads;
  if (argc != 1 || !readInt(env, argv[0], &threads)) return nullptr;
  if (threads < 1) return fail(env, "setThreads needs at least 1"), nullptr;
  omp_set_num_threads(static_cast<int>(threads));
  return nullptr;
}

// adviseHugePages(memory: ArrayBuffer, bytes): asks for transparent huge pages for the whole 2 MiB
// pages within `bytes` from the start of `memory` (engine/wasm-heap-pages.ts); whether the kernel
// took the advice for all of them. `bytes` may pass the buffer's end on purpose: a wasm heap's
// growth is reserved after it, which no ArrayBuffer shows. MADV_HUGEPAGE is a hint only, which
// never changes what memory holds, and memory that is not mapped is skipped.
napi_value AdviseHugePages(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  engineOf(env, info, &argc, argv);
  void* data;
  size_t length;
  int64_t bytes;
  if (argc != 2 || napi_get_arraybuffer_info(env, argv[0], &data, &length) != napi_ok ||
      !readInt(env, argv[1], &bytes) || bytes < 0) {
    return fail(env, "adviseHugePages(memory: ArrayBuffer, bytes)"), nullptr;
  }
  const uintptr_t base = reinterpret_cast<uintptr_t>(data);
  const uintptr_t start = (base + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  const uintptr_t end = (base + static_cast<uintptr_t>(bytes)) / kHugePageBytes * kHugePageBytes;
  const bool advised =
      end > start && madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE) == 0;
  napi_value result;
  napi_get_boolean(env, advised, &result);
  return result;
}

// threads() -> the OpenMP threads a call from this thread uses.
napi_value Threads(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  engineOf(env, info, &argc, nullptr);
  napi_value result;
  napi_create_int32(env, omp_get_max_threads(), &result);
  return result;
}

// version() -> "2.6.3" (the oneDNN library loaded).
napi_value Version(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  engineOf(env, info, &argc, nullptr);
  const dnnl_version_t* version = dnnl_version();
  std::string text = std::to_string(version->major) + "." + std::to_string(version->minor) + "." +
                     std::to_string(version->patch);
  napi_value result;
  napi_create_string_utf8(env, text.c_str(), NAPI_AUTO_LENGTH, &result);
  return result;
}

void destroyEngine(napi_env, void* data, void*) {
  Engine* engine = static_cast<Engine*>(data);
  if (engine->stream) dnnl_stream_destroy(engine->stream);
  if (engine->engine) dnnl_engine_destroy(engine->engine);
  std::free(engine->scratch);
  delete engine;
}

// The calling thread's asynchronous signals held back for the life of this object, and delivered
// when it ends. oneDNN 2.6's generated GEMM kernels (dnnl_sgemm, and the primitives built on it)
// point rsp at a heap workspace while they run: a signal handled on that thread then writes its
// frame into the heap (oneDNN issue 4845, fixed in 3.11; Debian 12 ships 2.6.3). Any handler does
// it: a CPU profiler's SIGPROF corrupted the heap within seconds of matrix products, and Jupyter
// interrupts a kernel with SIGINT. OpenMP threads started while it is held inherit the mask, so
// they never take a process's signal either. Faults (SIGSEGV and the like) stay unblocked: held
// back, they would kill the process without its handlers. (A profiler's samples that fall in an
// addon call arrive as one, after it.)
class SignalsHeld {
 public:
  SignalsHeld() { pthread_sigmask(SIG_BLOCK, &held(), &previous_); }
  ~SignalsHeld() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  SignalsHeld(const SignalsHeld&) = delete;
  SignalsHeld& operator=(const SignalsHeld&) = delete;

 private:
  static const sigset_t& held() {
    static const sigset_t set = [] {
      sigset_t all;
      sigfillset(&all);
      for (int fault : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS}) sigdelset(&all, fault);
      return all;
    }();
    return set;
  }
  sigset_t previous_;
};

// An addon function run with signals held (SignalsHeld): every function the addon exports.
template <napi_value (*Function)(napi_env, napi_callback_info)>
napi_value withSignalsHeld(napi_env env, napi_callback_info info) {
  SignalsHeld held;
  return Function(env, info);
}

}  // namespace

NAPI_MODULE_INIT() {
  Engine* engine = new Engine();
  if (!ok(env, dnnl_engine_create(&engine->engine, dnnl_cpu, 0), "engine") ||
      !ok(env, dnnl_stream_create(&engine->stream, engine->engine, dnnl_stream_default_flags),
          "stream")) {
    destroyEngine(env, engine, nullptr);
    return nullptr;
  }
  napi_set_instance_data(env, engine, destroyEngine, nullptr);
  const struct {
    const char* name;
    napi_callback callback;
  } functions[] = {{"createPlan", withSignalsHeld<CreatePlan>},   {"planInfo", withSignalsHeld<PlanInfo>},
                   {"sameFilterLayout", withSignalsHeld<SameFilterLayout>},
                   {"packFilter", withSignalsHeld<PackFilter>},   {"releaseFilter", withSignalsHeld<ReleaseFilter>},
                   {"convolve", withSignalsHeld<Convolve>},       {"gemm", withSignalsHeld<Gemm>},
                   {"transposeOntoFewChannels", withSignalsHeld<TransposeOntoFewChannels>},
                   {"maxPool", withSignalsHeld<MaxPool>},
                   {"routeToWindowMaxima", withSignalsHeld<RouteToWindowMaxima>},
                   {"finiteMinimum", withSignalsHeld<FiniteMinimum>},
                   {"massPerSample", withSignalsHeld<MassPerSample>},
                   {"flipConvKernel", withSignalsHeld<FlipConvKernel>},
                   {"stabilisedRatio", withSignalsHeld<StabilisedRatio>},
                   {"multiply", withSignalsHeld<Multiply>},
                   {"add", withSignalsHeld<Add>},
                   {"addN", withSignalsHeld<AddN>},
                   {"relu", withSignalsHeld<Relu>},
                   {"rlrpDirectStep", withSignalsHeld<RlrpDirectStep>},
                   {"rlrpAddSplit", withSignalsHeld<RlrpAddSplit>},
                   {"releaseScratch", withSignalsHeld<ReleaseScratch>},
                   {"allowedCores", withSignalsHeld<AllowedCores>},
                   {"pinToCore", withSignalsHeld<PinToCore>},
                   {"setThreads", withSignalsHeld<SetThreads>},
                   {"adviseHugePages", withSignalsHeld<AdviseHugePages>},
                   {"threads", withSignalsHeld<Threads>},         {"version", withSignalsHeld<Version>}};
  for (const auto& function : functions) {
    napi_value value;
    napi_create_function(env, function.name, NAPI_AUTO_LENGTH, function.callback, engine, &value);
    napi_set_named_property(env, exports, function.name, value);
  }
  return exports;
}
