/**
 * R-LRP's two native kernels (packages/core/native) against the rule's own tfjs form, which runs
 * where they are not built: the direct linear step (rules/rlrp.ts) and the Add split
 * (rules/rlrp-add-split.ts). Each native value must be tfjs' float32 operations bit for bit, on the
 * masses it was scaled by (float32 sums whose order may differ from tfjs');
 * at zeros, denormals, float32's edges, ±Infinity and NaN; on one sample spread over every thread
 * and on many small samples spread over the threads; and the tensors the kernels cannot serve
 * stay with tfjs.
 *
 * `npm test` installs g++ and libdnnl-dev and builds the addon, so here it must be active.
 */
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/engine/init-engine';
import { nativeKernelsActive } from '../src/engine/native-kernels';
import type { LinearOp } from '../src/layers/linear-op';
import { rlrp } from '../src/rules/rlrp';
import { uncheckedAddSplit } from '../src/rules/rlrp-add-split';
import type { LinearContext, Unchecked } from '../src/rules/rule';
import { NATIVE, WASM_OWN, withNativeEngine } from './support/native-engine';
import { expectNoTensorLeakPerTest } from './support/tensor-leak-check';

expectNoTensorLeakPerTest();

withNativeEngine();

interface Read {
  readonly values: Float32Array[];
  readonly check: Float32Array;
  readonly kernels: string[];
}

/** `step`'s values, check and kernels, with the native kernels (`native`) or wasm's own. */
async function readStep(
  native: boolean,
  step: () => Unchecked<tf.Tensor | tf.Tensor[]>,
): Promise<Read> {
  await initEngine(native ? NATIVE : WASM_OWN);
  expect(nativeKernelsActive()).toBe(native);
  let read: Omit<Read, 'kernels'> | undefined;
  const profile = await tf.profile(() => {
    const result = step();
    const values = Array.isArray(result.value) ? result.value : [result.value];
    read = {
      values: values.map((v) => v.dataSync() as Float32Array),
      check: result.check.dataSync() as Float32Array,
    };
    tf.dispose([...values, result.check]);
  });
  await initEngine(NATIVE);
  return { ...(read as Omit<Read, 'kernels'>), kernels: profile.kernelNames };
}

/** The masses agree up to float32 summation order (equal where tfjs' are not finite). */
function expectSameMasses(native: Float32Array, own: Float32Array): void {
  expect(native.length).toBe(own.length);
  native.forEach((mass, i) => {
    if (Number.isFinite(own[i])) {
      expect(Math.abs(mass - own[i])).toBeLessThanOrEqual(1e-5 * Math.abs(own[i]));
    } else {
      expect(mass).toBe(own[i]);
    }
  });
}

/**
 * Every native value of the direct step is `(a · back) · (massOut / massIn)` in float32 from its
 * own masses, bit for bit; tfjs' value bit for bit where tfjs' masses are the same, and within
 * their difference (1e-5, relative) where they are not.
 */
function expectSameDirectStep(native: Read, own: Read, input: tf.Tensor, back: tf.Tensor): void {
  expectSameMasses(native.check, own.check);
  const [a, b] = [input.dataSync(), back.dataSync()];
  const perSample = a.length / input.shape[0];
  const [values, ownValues] = [native.values[0], own.values[0]];
  let differing = 0;
  values.forEach((value, i) => {
    const sample = Math.floor(i / perSample);
    const [massIn, massOut] = [native.check[2 * sample], native.check[2 * sample + 1]];
    const expected = Math.fround(Math.fround(a[i] * b[i]) * Math.fround(massOut / massIn));
    const sameMasses =
      Object.is(massIn, own.check[2 * sample]) && Object.is(massOut, own.check[2 * sample + 1]);
    const ownValue = ownValues[i];
    const close = Number.isFinite(ownValue)
      ? Math.abs(value - ownValue) <= 1e-5 * Math.abs(ownValue)
      : Object.is(value, ownValue);
    if (!Object.is(value, expected) || (sameMasses ? !Object.is(value, ownValue) : !close)) {
      differing++;
    }
  });
  expect(differing).toBe(0);
}

/** The Add split's values do not depend on its masses: every one is tfjs' bit for bit. */
function expectSameSplit(native: Read, own: Read): void {
  expectSameMasses(native.check, own.check);
  // toEqual compares with Object.is: NaN equals NaN, −0 differs from +0.
  expect(native.values).toEqual(own.values);
}

/** A linear layer whose transpose gives `back`, and a context with `input`. */
function contextWith(input: tf.Tensor, back: tf.Tensor): LinearContext {
  const op = { transpose: () => back } as unknown as LinearOp;
  return { op, input, node: undefined, output: undefined } as unknown as LinearContext;
}

/** The direct step of R-LRP's rule on `input`, `back` and `relevance`. */
function directStep(
  input: tf.Tensor,
  back: tf.Tensor,
  relevance: tf.Tensor,
): () => Unchecked<tf.Tensor> {
  const linear = rlrp().unchecked?.linear;
  if (!linear) throw new Error('R-LRP has an unchecked linear step');
  return () => linear(contextWith(input, back), relevance);
}

/** Values that test float32's corners, then `count` ordinary ones. */
function withEdges(edges: number[], count: number, seed: number, scale = 1): tf.Tensor1D {
  return tf.tidy(() =>
    tf.concat([tf.tensor1d(edges), tf.randomNormal([count], 0, scale, 'float32', seed)]),
  );
}

const EDGES = [0, -0, 1e-45, -1e-45, 1e-38, 3e38, -3e38, 1, -1, 0.5];

describe('R-LRP’s direct step', () => {
  it('does tfjs’ float32 operations on its own masses, on one sample spread over every thread, in one kernel', async () => {
    const n = 100_000 + EDGES.length; // above the addon's threading threshold (2¹⁶)
    const input = tf.tidy(() => withEdges(EDGES, n - EDGES.length, 1).reshape([1, n]));
    const back = tf.tidy(() =>
      withEdges([...EDGES].reverse(), n - EDGES.length, 2).reshape([1, n]),
    );
    const relevance = tf.randomNormal([1, 4000], 0, 1, 'float32', 3);
    const step = directStep(input, back, relevance);
    const native = await readStep(true, step);
    const own = await readStep(false, step);
    expect(native.kernels).toEqual(['RlrpDirectStep']);
    expect(own.kernels).toContain('Multiply');
    expectSameDirectStep(native, own, input, back);
    tf.dispose([input, back, relevance]);
  });

  it.each([
    [[64, 7, 7, 16], 'on this thread'],
    [[256, 28, 28, 1], 'spread over the threads (above 2¹⁶ values in all)'],
  ])(
    'is tfjs’ form on many small samples %j (%s), of another shape than the relevance',
    async (shape) => {
      const input = tf.randomUniform(shape, 0, 2, 'float32', 4);
      const back = tf.randomNormal(shape, 0, 1, 'float32', 5);
      const relevance = tf.randomNormal([shape[0], 10], 0, 1, 'float32', 6);
      const step = directStep(input, back, relevance);
      const native = await readStep(true, step);
      expectSameDirectStep(native, await readStep(false, step), input, back);
      tf.dispose([input, back, relevance]);
    },
  );

  it('gives what tfjs gives where its masses cannot be trusted: 0, ±Infinity and NaN', async () => {
    // Sample 0: all messages 0 (0 · Inf = NaN after the factor). Sample 1: messages overflow.
    // Sample 2: a NaN relevance. Sample 3: ordinary.
    const input = tf.tensor2d([
      [0, 0, 0],
      [3e38, -3e38, 1],
      [1, 2, 3],
      [0.5, -1, 2],
    ]);
    const back = tf.tensor2d([
      [1, -2, 3],
      [10, 10, 1],
      [1, 1, 1],
      [2, 2, -0],
    ]);
    const relevance = tf.tensor2d([
      [1, 2],
      [1, 1],
      [NaN, 1],
      [0.25, -4],
    ]);
    const step = directStep(input, back, relevance);
    const native = await readStep(true, step);
    expectSameDirectStep(native, await readStep(false, step), input, back);
    expect(Array.from(native.check)).toEqual([0, 3, Infinity, 2, 6, NaN, 3, 4.25]);
    tf.dispose([input, back, relevance]);
  });

  it('leaves a transpose of another shape than the input to tfjs', async () => {
    // A broadcast the rule's tfjs form allows; the kernel reads both element by element.
    const input = tf.tensor2d([[1, 2, 3]]);
    const back = tf.tensor1d([2, 2, 2]);
    const relevance = tf.tensor2d([[1, 1]]);
    const read = await readStep(true, directStep(input, back, relevance));
    expect(read.kernels).not.toContain('RlrpDirectStep');
    // Messages [2, 4, 6], renormalised from their mass 12 to the relevance's 2.
    const factor = Math.fround(2 / 12);
    expect(Array.from(read.values[0])).toEqual([2, 4, 6].map((m) => Math.fround(m * factor)));
    tf.dispose([input, back, relevance]);
  });
});

describe('R-LRP’s Add split', () => {
  /** Summands that cancel to exactly 0 in places, and a relevance with float32's corners. */
  function addOf(count: number, shape: number[], seed: number) {
    return tf.tidy(() => {
      const size = shape.reduce((a, b) => a * b, 1);
      const summands = Array.from({ length: count }, (_, i) =>
        withEdges(EDGES, size - EDGES.length, seed + i).reshape(shape),
      );
      // Where the mask holds, the last summand cancels the others: y is exactly 0 there.
      const mask = tf.randomUniform(shape, 0, 1, 'float32', seed + 10).less(0.2);
      const others = summands.slice(0, -1).reduce((a, b) => a.add(b), tf.zerosLike(summands[0]));
      const last = tf.where(mask, others.neg(), summands[count - 1]);
      const inputs = count === 1 ? [summands[0]] : [...summands.slice(0, -1), last];
      const output = inputs.reduce((a, b) => a.add(b));
      const relevance = withEdges(
        [...EDGES, Infinity, -Infinity],
        size - EDGES.length - 2,
        seed + 20,
      ).reshape(shape);
      return { inputs, output, relevance };
    });
  }

  it.each([
    [2, [1, 300, 300, 1], 'one sample spread over every thread'],
    [3, [32, 8, 8, 4], 'many small samples, on this thread'],
    [2, [256, 16, 16, 2], 'many small samples spread over the threads'],
    [1, [2, 40, 40, 2], 'one summand'],
  ])(
    'is tfjs’ form bit for bit with %i summands, on %j (%s), y = 0 and float32’s edges included',
    async (count, shape) => {
      const { inputs, output, relevance } = addOf(count, shape, 40 + count);
      const step = () => uncheckedAddSplit(inputs, output, relevance);
      const native = await readStep(true, step);
      const own = await readStep(false, step);
      expect(native.kernels).toEqual(['RlrpAddSplit']);
      expectSameSplit(native, own);
      tf.dispose([...inputs, output, relevance]);
    },
  );

  it('keeps a NaN in y as tfjs does (the forward pass’s check rules it out before)', async () => {
    const inputs = [tf.tensor2d([[NaN, 1, 0]]), tf.tensor2d([[1, -1, 0]])];
    const output = tf.tensor2d([[NaN, 0, 0]]);
    const relevance = tf.tensor2d([[2, 4, -6]]);
    const step = () => uncheckedAddSplit(inputs, output, relevance);
    expectSameSplit(await readStep(true, step), await readStep(false, step));
    tf.dispose([...inputs, output, relevance]);
  });

  it('leaves summands that broadcast to tfjs', async () => {
    const inputs = [tf.tensor2d([[1, 2]]), tf.tensor2d([[1]])];
    const output = tf.tensor2d([[2, 3]]);
    const relevance = tf.tensor2d([[4, 6]]);
    const read = await readStep(true, () => uncheckedAddSplit(inputs, output, relevance));
    expect(read.kernels).not.toContain('RlrpAddSplit');
    expect(read.values.map((v) => Array.from(v))).toEqual([
      [2, 4],
      [2, 2],
    ]);
    tf.dispose([...inputs, output, relevance]);
  });
});
