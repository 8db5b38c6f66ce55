/**
 * The native elementwise kernels (native-elementwise.ts) against the wasm kernels they replace:
 * `Multiply`, `Add`, `AddN` and `Relu` give wasm's values bit for bit (−0, NaN of either sign,
 * ±Infinity, denormals, overflow), on one thread and on every thread; broadcasting, other dtypes
 * and empty tensors reach wasm's kernel; the addon refuses arrays of the wrong length or an output
 * laid over an input.
 */
import * as tf from '@tensorflow/tfjs';
import { initEngine } from '../src/engine/init-engine';
import { nativeKernelsActive } from '../src/engine/native-kernels';
import { loadOneDnnAddon, type OneDnnAddon } from '../src/engine/onednn-addon';
import { NATIVE, WASM_OWN, withNativeEngine } from './support/native-engine';
import { expectNoTensorLeakPerTest } from './support/tensor-leak-check';

expectNoTensorLeakPerTest();

withNativeEngine();

function addon(): OneDnnAddon {
  const { addon: loaded } = loadOneDnnAddon();
  if (!loaded) throw new Error('the addon must load here (npm test builds it)');
  return loaded;
}

/** The bit patterns of the float32 values `values`, with these patterns after them. */
function bitsOf(values: number[], patterns: number[] = []): Uint32Array {
  return Uint32Array.from([...new Uint32Array(new Float32Array(values).buffer), ...patterns]);
}

/** A tensor of these float32 bits: through a JavaScript number a NaN may lose its sign. */
function fromBits(bits: Uint32Array): tf.Tensor1D {
  return tf.tensor1d(new Float32Array(bits.buffer, bits.byteOffset, bits.length));
}

/** Zeros, denormals, float32's edges, ±Infinity, NaN, a NaN with the sign bit set (−NaN) and with a payload. */
const SPECIAL = bitsOf(
  [
    0,
    -0,
    1,
    -1,
    1e-45,
    -1e-45,
    1.1754942e-38,
    3.4028235e38,
    -3.4028235e38,
    Infinity,
    -Infinity,
    NaN,
    0.1,
    -2.5,
  ],
  [0xffc00000, 0x7fc00001],
);

/**
 * Every pair of special values (a and b as rows and columns), then `random` seeded normal values
 * scaled over float32's range: above the addon's threshold, so its threaded loop runs too.
 */
function operands(random: number): [tf.Tensor, tf.Tensor] {
  const n = SPECIAL.length;
  const rows = new Uint32Array(n * n);
  const columns = new Uint32Array(n * n);
  for (let k = 0; k < n * n; k++) {
    rows[k] = SPECIAL[Math.floor(k / n)];
    columns[k] = SPECIAL[k % n];
  }
  return tf.tidy(() => {
    const wide = (seed: number) =>
      tf
        .randomNormal([random], 0, 1, 'float32', seed)
        .mul(tf.pow(10, tf.randomUniform([random], -40, 38, 'float32', seed + 1)));
    return [tf.concat([fromBits(rows), wide(1)]), tf.concat([fromBits(columns), wide(3)])];
  });
}

/** A tensor's float32 values as bit patterns: NaN's sign and payload compared too. */
function bitsOfTensor(tensor: tf.Tensor): number[] {
  const values = tensor.dataSync() as Float32Array;
  return Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
}

/**
 * `op`'s values with the native kernels and with wasm's own, as bit patterns, and how often it
 * called each native elementwise function.
 */
async function bothWays(
  op: () => tf.Tensor,
): Promise<{ native: number[]; wasm: number[]; calls: Record<string, number> }> {
  await initEngine(NATIVE);
  expect(nativeKernelsActive()).toBe(true);
  // A spy calls through to the addon's function and counts the calls.
  const spies = (['multiply', 'add', 'addN', 'relu'] as const).map(
    (name) => [name, jest.spyOn(addon(), name)] as const,
  );
  const native = tf.tidy(() => bitsOfTensor(op()));
  const calls = Object.fromEntries(spies.map(([name, spy]) => [name, spy.mock.calls.length]));
  jest.restoreAllMocks();
  await initEngine(WASM_OWN);
  const wasm = tf.tidy(() => bitsOfTensor(op()));
  await initEngine(NATIVE);
  return { native, wasm, calls };
}

const NONE = { multiply: 0, add: 0, addN: 0, relu: 0 };

describe('the native elementwise kernels equal wasm’s own bit for bit', () => {
  // 70 000 values more than the special pairs: past the 65 536 from which the loops are threaded.
  for (const random of [0, 70_000]) {
    const where = random === 0 ? 'on one thread' : 'on every thread';

    it(`Multiply and Add of every pair of special values, ${where}`, async () => {
      const [a, b] = operands(random);
      for (const [name, op] of [
        ['multiply', () => tf.mul(a, b)],
        ['add', () => tf.add(a, b)],
      ] as const) {
        const result = await bothWays(op);
        expect(result.calls).toEqual({ ...NONE, [name]: 1 });
        expect(result.native).toEqual(result.wasm);
      }
      tf.dispose([a, b]);
    });

    it(`AddN of one, two and three tensors (a −0 sum is +0, as wasm's starts from +0), ${where}`, async () => {
      const [a, b] = operands(random);
      for (const inputs of [[a], [a, b], [b, a, b]]) {
        const result = await bothWays(() => tf.addN(inputs));
        expect(result.calls).toEqual({ ...NONE, addN: 1 });
        expect(result.native).toEqual(result.wasm);
      }
      const negativeZeros = tf.tensor1d([-0, -0]);
      const sum = await bothWays(() => tf.addN([negativeZeros, negativeZeros]));
      expect(sum.native).toEqual([0, 0]);
      tf.dispose([a, b, negativeZeros]);
    });

    it(`Relu (+0 for −0 and for a NaN whose sign bit is set, as wasm's), ${where}`, async () => {
      const [a, b] = operands(random);
      const result = await bothWays(() => tf.relu(a));
      expect(result.calls).toEqual({ ...NONE, relu: 1 });
      expect(result.native).toEqual(result.wasm);
      const signed = fromBits(bitsOf([-0], [0xffc00000, 0x7fc00000]));
      expect((await bothWays(() => tf.relu(signed))).native).toEqual([0, 0, 0x7fc00000]);
      tf.dispose([a, b, signed]);
    });
  }
});

describe('what the native elementwise kernels leave to wasm’s', () => {
  it('broadcasting, int32, empty tensors and differing shapes of one size', async () => {
    const cases: [string, () => tf.Tensor][] = [
      ['a row times a column', () => tf.mul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]))],
      ['a tensor plus a scalar', () => tf.add(tf.tensor1d([1, -0]), tf.scalar(-0))],
      ['int32 products', () => tf.mul(tf.tensor1d([3, 4], 'int32'), tf.tensor1d([5, 6], 'int32'))],
      ['int32 rectifiers', () => tf.relu(tf.tensor1d([-3, 4], 'int32'))],
      ['an empty sum', () => tf.addN([tf.zeros([0, 3]), tf.zeros([0, 3])])],
      ['[2, 1] plus [1, 2]', () => tf.add(tf.tensor2d([[1], [2]]), tf.tensor2d([[3, 4]]))],
    ];
    for (const [, op] of cases) {
      const result = await bothWays(op);
      expect(result.calls).toEqual(NONE);
      expect(result.native).toEqual(result.wasm);
    }
  });
});

describe('the addon’s elementwise functions', () => {
  const floats = (n: number) => new Float32Array(n);

  it('refuse inputs whose length is not the output’s, naming it', () => {
    expect(() => addon().multiply(floats(3), floats(4), floats(4))).toThrow(/wrong number/);
    expect(() => addon().add(floats(4), floats(4), floats(3))).toThrow(/wrong number/);
    expect(() => addon().addN([floats(4), floats(5)], floats(4))).toThrow(/wrong number/);
    expect(() => addon().relu(floats(2), floats(4))).toThrow(/wrong number/);
    expect(() => addon().addN([], floats(4))).toThrow(/at least one/);
    expect(() => addon().addN([new Int32Array(4) as never], floats(4))).toThrow(/Float32Array/);
  });

  it('refuse an output laid over an input, and compute side by side', () => {
    const heap = new Float32Array([1, -2, 3, -4, 0, 0, 0, 0]);
    expect(() => addon().relu(heap.subarray(0, 4), heap.subarray(2, 6))).toThrow(/shares memory/);
    expect(() =>
      addon().addN([heap.subarray(4, 8), heap.subarray(0, 4)], heap.subarray(0, 4)),
    ).toThrow(/shares memory/);
    addon().relu(heap.subarray(0, 4), heap.subarray(4, 8));
    expect(Array.from(heap.subarray(4, 8))).toEqual([1, 0, 3, 0]);
  });
});
