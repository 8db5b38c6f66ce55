// 3×3 stride-1 convolutions by Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, 2016), for
// CPUs where oneDNN 2.6 has no Winograd kernel of its own (it has them only with AVX-512).
//
// Every 2×2 block of outputs (a tile) reads a 4×4 block of the input d and costs 16 channel-mixing
// products instead of 36: Y = Aᵀ [U ⊙ V] A with U = G g Gᵀ (the filter, transformed once when it is
// packed) and V = Bᵀ d B. The 16 products over channels are matrix products, done by oneDNN's
// sgemm: M[ξ] (tiles × out) = V[ξ] (tiles × in) · U[ξ] (in × out) for each of the 16 taps ξ.
//
// Why: on AVX2 oneDNN has only its direct kernels, and VGG16's 3×3 layers took 1.4–2.2× longer
// direct than here (docs/performance.md, nineteenth round). The transforms only add and subtract
// (the factors ½ live in U), so the result matches the direct sum to float32 rounding (≈1e-6
// relative); where an output is not finite before its activation, convolve() says so and the
// caller computes the layer again directly (the transforms overflow near float32's largest values
// where the direct sum does not, and one non-finite input spreads over its whole tile).
//
// Every output is the same bits whatever the batch and the thread count: the tiles are cut into
// chunks within each image (kChunkTiles at most, the same cut for every image), and every chunk's
// 16 products run as one single-threaded sgemm each, of a shape that depends on the image's
// geometry only. (oneDNN's sgemm sums a row in another order for another number of rows, so tiles
// of several images in one product, or chunks cut by thread, would move the last bits.)
//
// Layout: tensors channels last; the filter [3, 3, in, out] (TensorFlow's); U [16][in][out] (for a
// transpose, its kernel's U read transposed: see convolve); a chunk's scratch holds V
// [16][tiles][in] and then M [16][tiles][out].
#pragma once

#include <oneapi/dnnl/dnnl.h>
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace winograd {

// A convolution's geometry, channels last: input [n, h, w, in], output [n, oh, ow, out], padding
// above and left (below and right follow from the sizes).
struct Shape {
  int64_t n, h, w, in, out, oh, ow, padTop, padLeft;
  int64_t tileRows() const { return (oh + 1) / 2; }
  int64_t tileColumns() const { return (ow + 1) / 2; }
  int64_t tilesPerImage() const { return tileRows() * tileColumns(); }
};

// At most this many tiles per chunk: 128 made the products large enough for sgemm and kept a
// chunk's V and M in the cache (VGG16's 224×224 64 → 64 layer: 15.2 ms in chunks of 128 or 64, 17.3 ms in chunks of
// 256, 26.7 ms as one product per tap; 2 threads, AMD Zen 3).
constexpr int64_t kChunkTiles = 128;

// Floats of one chunk's scratch: V and then M, at most kChunkTiles tiles.
inline int64_t chunkFloats(const Shape& s) { return 16 * kChunkTiles * (s.in + s.out); }

inline int64_t chunksPerImage(const Shape& s) {
  return (s.tilesPerImage() + kChunkTiles - 1) / kChunkTiles;
}

// Tiles per chunk: an image's tiles in chunks of nearly equal size (28×28's 196 tiles: 98 and 98,
// not 128 and 68, so that the threads share products of one size). The last may be smaller.
inline int64_t tilesPerChunk(const Shape& s) {
  const int64_t chunks = chunksPerImage(s);
  return (s.tilesPerImage() + chunks - 1) / chunks;
}

// Whether the chunks are too few for each thread to take two: then every thread shares each
// chunk's 16 products (spread), else each thread takes whole chunks (pipelined, V and M staying in
// its cache). Both run the same products on the same rows.
inline bool spreadOverChunks(const Shape& s, int threads) {
  return s.n * chunksPerImage(s) < 2 * static_cast<int64_t>(threads);
}

// Floats of scratch convolve() needs on `threads` threads: the zero row the padding reads, and
// one chunk's V and M per thread, or per chunk when the chunks are spread.
inline int64_t scratchFloats(const Shape& s, int threads) {
  const int64_t buffers = spreadOverChunks(s, threads) ? s.n * chunksPerImage(s) : threads;
  return (s.in + 15) / 16 * 16 + buffers * chunkFloats(s);
}

// U = G g Gᵀ for every (in, out) pair, G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]. The
// sums are taken as ½((g₀ + g₂) ± g₁), symmetric in g₀ and g₂, so that the transform of the kernel
// flipped spatially is this one's with rows and columns 0 and 3 swapped to the last bit
// (flippedTap), as it is in exact arithmetic.
inline void transformFilter(const float* filter, int64_t in, int64_t out, float* u) {
  const int64_t pairs = in * out;
#pragma omp parallel for schedule(static) if (pairs >= (1 << 14))
  for (int64_t p = 0; p < pairs; p++) {
    float g[3][3], gg[4][3];
    for (int a = 0; a < 3; a++) {
      for (int b = 0; b < 3; b++) g[a][b] = filter[(a * 3 + b) * pairs + p];
    }
    for (int b = 0; b < 3; b++) {
      const float outer = g[0][b] + g[2][b];
      gg[0][b] = g[0][b];
      gg[1][b] = 0.5f * (outer + g[1][b]);
      gg[2][b] = 0.5f * (outer - g[1][b]);
      gg[3][b] = g[2][b];
    }
    for (int i = 0; i < 4; i++) {
      float* row = u + static_cast<int64_t>(i * 4) * pairs + p;
      const float outer = gg[i][0] + gg[i][2];
      row[0] = gg[i][0];
      row[pairs] = 0.5f * (outer + gg[i][1]);
      row[2 * pairs] = 0.5f * (outer - gg[i][1]);
      row[3 * pairs] = gg[i][2];
    }
  }
}

// Eight floats at once: GCC's vector extension, AVX in the avx2 clone, SSE pairs otherwise.
// load and store are always inlined into the transforms, so no vector crosses a call: GCC's
// warning that passing one would change the ABI between clones does not apply (to the end of the
// file).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
typedef float Lanes __attribute__((vector_size(32)));
__attribute__((always_inline)) inline Lanes load(const float* p) {
  Lanes v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
__attribute__((always_inline)) inline void store(float* p, const Lanes& v) {
  std::memcpy(p, &v, sizeof v);
}

// V = Bᵀ d B of one 4×4 tile d (row-major), for eight channels at once (Lanes) or one (float).
// Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]].
template <typename T>
__attribute__((always_inline)) inline void transformInputTile(const T* d, T* v) {
  T r[16];
  for (int j = 0; j < 4; j++) {
    r[j] = d[j] - d[8 + j];
    r[4 + j] = d[4 + j] + d[8 + j];
    r[8 + j] = d[8 + j] - d[4 + j];
    r[12 + j] = d[4 + j] - d[12 + j];
  }
  for (int i = 0; i < 4; i++) {
    v[i * 4] = r[i * 4] - r[i * 4 + 2];
    v[i * 4 + 1] = r[i * 4 + 1] + r[i * 4 + 2];
    v[i * 4 + 2] = r[i * 4 + 2] - r[i * 4 + 1];
    v[i * 4 + 3] = r[i * 4 + 1] - r[i * 4 + 3];
  }
}

// Y = Aᵀ m A + b of one tile's 16 products m (row-major), its 2×2 outputs into y, for eight
// channels at once (Lanes) or one (float). Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]].
template <typename T>
__attribute__((always_inline)) inline void transformOutputTile(const T* m, const T& b, T* y) {
  T r[8];
  for (int j = 0; j < 4; j++) {
    r[j] = m[j] + m[4 + j] + m[8 + j];
    r[4 + j] = m[4 + j] - m[8 + j] - m[12 + j];
  }
  for (int i = 0; i < 2; i++) {
    y[i * 2] = r[i * 4] + r[i * 4 + 1] + r[i * 4 + 2] + b;
    y[i * 2 + 1] = r[i * 4 + 1] - r[i * 4 + 2] - r[i * 4 + 3] + b;
  }
}

// V = Bᵀ d B of the tiles [first, end) of the image at `image`, into the chunk's V (row t − first of
// each tap's matrix, `tiles` rows per tap). `zeros` is a row of `in` zeros, read where the tile
// reaches into the padding.
__attribute__((target_clones("avx2", "default"))) inline void transformInput(
    const Shape& s, const float* image, int64_t first, int64_t end, int64_t tiles,
    const float* zeros, float* v) {
  const int64_t c = s.in, columns = s.tileColumns();
  for (int64_t t = first; t < end; t++) {
    const int64_t y0 = 2 * (t / columns) - s.padTop, x0 = 2 * (t % columns) - s.padLeft;
    const float* d[16];
    float* to[16];
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        const int64_t y = y0 + i, x = x0 + j;
        const bool inside = y >= 0 && y < s.h && x >= 0 && x < s.w;
        d[i * 4 + j] = inside ? image + (y * s.w + x) * c : zeros;
      }
    }
    for (int k = 0; k < 16; k++) to[k] = v + (k * tiles + t - first) * c;
    int64_t ch = 0;
    for (; ch + 8 <= c; ch += 8) {
      Lanes x[16], transformed[16];
      for (int k = 0; k < 16; k++) x[k] = load(d[k] + ch);
      transformInputTile(x, transformed);
      for (int k = 0; k < 16; k++) store(to[k] + ch, transformed[k]);
    }
    for (; ch < c; ch++) {
      float x[16], transformed[16];
      for (int k = 0; k < 16; k++) x[k] = d[k][ch];
      transformInputTile(x, transformed);
      for (int k = 0; k < 16; k++) to[k][ch] = transformed[k];
    }
  }
}

inline bool nonFinite(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return (bits & 0x7f800000u) == 0x7f800000u;
}

// Y = Aᵀ M A (+ bias, then relu when asked) of the tiles [first, end) of the image at `image`
// from the chunk's M; outputs past the grid's last row or column (odd sizes) are not written. Whether some output before the activation was not finite.
__attribute__((target_clones("avx2", "default"))) inline bool transformOutput(
    const Shape& s, const float* m, int64_t first, int64_t end, int64_t tiles, const float* bias,
    bool relu, float* image) {
  const int64_t o = s.out, columns = s.tileColumns();
  uint32_t bad = 0;
  const Lanes zero = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int64_t t = first; t < end; t++) {
    const int64_t y0 = 2 * (t / columns), x0 = 2 * (t % columns);
    const float* from[16];
    float* to[4];
    for (int k = 0; k < 16; k++) from[k] = m + (k * tiles + t - first) * o;
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 2; j++) {
        const bool inside = y0 + i < s.oh && x0 + j < s.ow;
        to[i * 2 + j] = inside ? image + ((y0 + i) * s.ow + x0 + j) * o : nullptr;
      }
    }
    int64_t ch = 0;
    for (; ch + 8 <= o; ch += 8) {
      Lanes x[16], y[4];
      for (int k = 0; k < 16; k++) x[k] = load(from[k] + ch);
      transformOutputTile(x, bias ? load(bias + ch) : zero, y);
      for (int k = 0; k < 4; k++) {
        if (!to[k]) continue;
        for (int lane = 0; lane < 8; lane++) bad |= nonFinite(y[k][lane]);
        // Written `y < 0 ? 0 : y` so that NaN stays NaN (the caller looks for it).
        if (relu) y[k] = y[k] < zero ? zero : y[k];
        store(to[k] + ch, y[k]);
      }
    }
    for (; ch < o; ch++) {
      float x[16], y[4];
      for (int k = 0; k < 16; k++) x[k] = from[k][ch];
      transformOutputTile(x, bias ? bias[ch] : 0.0f, y);
      for (int k = 0; k < 4; k++) {
        if (!to[k]) continue;
        bad |= nonFinite(y[k]);
        to[k][ch] = relu && y[k] < 0 ? 0.0f : y[k];
      }
    }
  }
  return bad != 0;
}

// The tap of U that serves tap ξ = 4i + j of the flipped kernel: the kernel flipped spatially is
// G J g J Gᵀ, and G J = P G where P swaps G's first and last rows (J reverses 3 rows, P swaps rows
// 0 and 3 of 4), so U' = P U P: rows and columns 0 and 3 swapped.
inline int flippedTap(int tap) {
  constexpr int kSwap[4] = {3, 1, 2, 0};
  return kSwap[tap / 4] * 4 + kSwap[tap % 4];
}

// The 16 products of one chunk of `tiles` tiles, taps [firstTap, endTap): M[ξ] = V[ξ] · U[ξ], or
// for a transpose (`flipped`: U is the transform of the kernel it transposes, [16][out][in])
// M[ξ] = V[ξ] · U[flippedTap(ξ)]ᵀ.
inline void multiplyChunk(const Shape& s, const float* u, bool flipped, int64_t tiles,
                          float* chunk, int firstTap, int endTap) {
  const float* v = chunk;
  float* m = chunk + 16 * tiles * s.in;
  for (int k = firstTap; k < endTap; k++) {
    if (flipped) {
      dnnl_sgemm('N', 'T', tiles, s.out, s.in, 1.0f, v + k * tiles * s.in, s.in,
                 u + flippedTap(k) * s.in * s.out, s.in, 0.0f, m + k * tiles * s.out, s.out);
    } else {
      dnnl_sgemm('N', 'N', tiles, s.out, s.in, 1.0f, v + k * tiles * s.in, s.in,
                 u + k * s.in * s.out, s.out, 0.0f, m + k * tiles * s.out, s.out);
    }
  }
}

// output = input ⋆ filter (+ bias, relu) on `threads` threads, with `u` the transformed filter and
// `scratch` scratchFloats(s, threads) floats. With `flipped`, the filter is the kernel of the
// stride-1 convolution this one transposes, flipped spatially with its channels swapped, and `u`
// that kernel's transform ([16][out][in]): one transformed copy serves a layer both ways. Whether
// every output before the activation was finite (when not, the caller recomputes it directly).
inline bool convolve(const Shape& s, const float* input, const float* u, bool flipped,
                     const float* bias, bool relu, float* output, float* scratch, int threads) {
  const int64_t perImage = chunksPerImage(s), chunks = s.n * perImage,
                tilesPerImage = s.tilesPerImage(), chunkTiles = tilesPerChunk(s);
  const int64_t inImage = s.h * s.w * s.in, outImage = s.oh * s.ow * s.out;
  float* zeros = scratch;
  std::fill(zeros, zeros + s.in, 0.0f);
  float* buffers = scratch + (s.in + 15) / 16 * 16;
  // Chunk `index`'s image, first tile, end and number of tiles.
  const auto cut = [&](int64_t index, int64_t* image, int64_t* first, int64_t* end) {
    *image = index / perImage;
    *first = index % perImage * chunkTiles;
    *end = std::min(tilesPerImage, *first + chunkTiles);
    return *end - *first;
  };
  int bad = 0;
  if (!spreadOverChunks(s, threads)) {
#pragma omp parallel num_threads(threads) reduction(| : bad)
    {
      omp_set_num_threads(1);  // each product on this thread alone (see the top of this file)
      float* chunk = buffers + omp_get_thread_num() * chunkFloats(s);
#pragma omp for schedule(dynamic, 1)
      for (int64_t index = 0; index < chunks; index++) {
        int64_t image, first, end;
        const int64_t tiles = cut(index, &image, &first, &end);
        transformInput(s, input + image * inImage, first, end, tiles, zeros, chunk);
        multiplyChunk(s, u, flipped, tiles, chunk, 0, 16);
        bad |= transformOutput(s, chunk + 16 * tiles * s.in, first, end, tiles, bias, relu,
                               output + image * outImage);
      }
    }
    return bad == 0;
  }
  // Few chunks: the threads share each chunk's transforms (by tile) and its 16 products (by tap).
  constexpr int64_t kTilesPerTask = 16;
  const int64_t tasksPerChunk = (chunkTiles + kTilesPerTask - 1) / kTilesPerTask;
#pragma omp parallel num_threads(threads) reduction(| : bad)
  {
    omp_set_num_threads(1);  // each product on this thread alone (see the top of this file)
    // task(chunk's scratch, image, chunk's first tile, from, to, chunk's tiles) for every chunk's
    // tiles in runs of kTilesPerTask, shared by the threads (an orphaned worksharing loop: each
    // call is one, with its barrier at the end).
    const auto forEachRunOfTiles = [&](auto task) {
#pragma omp for schedule(static) collapse(2)
      for (int64_t index = 0; index < chunks; index++) {
        for (int64_t part = 0; part < tasksPerChunk; part++) {
          int64_t image, first, end;
          const int64_t tiles = cut(index, &image, &first, &end);
          const int64_t from = first + part * kTilesPerTask;
          const int64_t to = std::min(end, from + kTilesPerTask);
          if (from < to) task(buffers + index * chunkFloats(s), image, first, from, to, tiles);
        }
      }
    };
    // Rows from − first of each chunk's V and M: the chunk's own layout, some rows of it.
    forEachRunOfTiles([&](float* chunk, int64_t image, int64_t first, int64_t from, int64_t to,
                          int64_t tiles) {
      transformInput(s, input + image * inImage, from, to, tiles, zeros,
                     chunk + (from - first) * s.in);
    });
#pragma omp for schedule(static) collapse(2)
    for (int tap = 0; tap < 16; tap++) {
      for (int64_t index = 0; index < chunks; index++) {
        int64_t image, first, end;
        const int64_t tiles = cut(index, &image, &first, &end);
        multiplyChunk(s, u, flipped, tiles, buffers + index * chunkFloats(s), tap, tap + 1);
      }
    }
    forEachRunOfTiles([&](float* chunk, int64_t image, int64_t first, int64_t from, int64_t to,
                          int64_t tiles) {
      const float* m = chunk + 16 * tiles * s.in;
      bad |= transformOutput(s, m + (from - first) * s.out, from, to, tiles, bias, relu,
                             output + image * outImage);
    });
  }
  return bad == 0;
}

}  // namespace winograd

#pragma GCC diagnostic pop
