/**
 * Weights quantised as tensorflowjs_converter writes them (`--quantize_uint8`, `--quantize_uint16`,
 * `--quantize_float16`) load dequantised to the known float values, and agree with tfjs' own
 * decoder.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import { halfToFloat } from '../src/io/decode-weights';
import { loadModelFromDir, saveModelToDir } from '../src/io/index';
import { baseModel } from './fixtures/untrusted/generate-fixtures';
import { expectNoTensorLeakPerTest } from './support/tensor-leak-check';
import { tempDirPerTest } from './support/temp-dir-per-test';

interface Entry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

expectNoTensorLeakPerTest();
const tmp = tempDirPerTest('rlrp-quantized-');

/** Little-endian bytes of unsigned 16-bit values. */
function uint16Bytes(values: readonly number[]): Buffer {
  const bytes = Buffer.alloc(2 * values.length);
  values.forEach((v, i) => bytes.writeUInt16LE(v, 2 * i));
  return bytes;
}

describe('quantised weights', () => {
  it('halfToFloat decodes normal, subnormal, signed and special half floats', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x3555)).toBe(0.333251953125);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x8000)).toBe(-0);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });

  it('uint8, uint16 and float16 in one shard load to the known values, as tfjs decodes them', async () => {
    const model = baseModel();
    const saved = await saveModelToDir(model, tmp());
    model.dispose();
    const json = JSON.parse(fs.readFileSync(saved.modelJsonPath, 'utf8')) as {
      weightsManifest: { paths: string[]; weights: Entry[] }[];
    };
    const [convKernel, convBias, denseKernel, denseBias] = json.weightsManifest[0].weights;
    expect([convKernel.name, convBias.name, denseKernel.name, denseBias.name]).toEqual([
      'conv/kernel',
      'conv/bias',
      'dense/kernel',
      'dense/bias',
    ]);
    // conv/kernel: uint8 q = 0…17 with scale 0.01, min −0.2 (what --quantize_uint8 writes).
    const kernelQ = Array.from({ length: 18 }, (_, i) => i);
    convKernel.quantization = { dtype: 'uint8', scale: 0.01, min: -0.2 };
    // conv/bias: float16 without scale or min (what --quantize_float16 writes).
    convBias.quantization = { dtype: 'float16' };
    // dense/kernel: uint16 q = 1000 + 37 i with scale 0.001, min −1.
    const denseQ = Array.from({ length: 24 }, (_, i) => 1000 + 37 * i);
    denseKernel.quantization = { dtype: 'uint16', scale: 0.001, min: -1 };
    denseBias.quantization = { dtype: 'float16' };
    const shard = Buffer.concat([
      Buffer.from(kernelQ),
      uint16Bytes([0x3c00, 0xc000]),
      uint16Bytes(denseQ),
      uint16Bytes([0x3555, 0x0001, 0x7bff]),
    ]);
    fs.writeFileSync(saved.shardPaths[0], shard);
    fs.writeFileSync(saved.modelJsonPath, JSON.stringify(json));

    const loaded = await loadModelFromDir(tmp());
    const values = loaded.getWeights().map((w) => Array.from(w.dataSync()));
    const f32 = (xs: number[]) => xs.map((x) => Math.fround(x));
    expect(values[0]).toEqual(f32(kernelQ.map((q) => q * 0.01 - 0.2)));
    expect(values[1]).toEqual([1, -2]);
    expect(values[2]).toEqual(f32(denseQ.map((q) => q * 0.001 - 1)));
    expect(values[3]).toEqual(f32([0.333251953125, 2 ** -24, 65504]));

    // tfjs' own decoder of the same manifest and bytes gives the same numbers.
    const reference = tf.io.decodeWeights(
      shard.buffer.slice(shard.byteOffset, shard.byteOffset + shard.byteLength),
      json.weightsManifest[0].weights as tf.io.WeightsManifestEntry[],
    );
    const names = ['conv/kernel', 'conv/bias', 'dense/kernel', 'dense/bias'];
    names.forEach((name, i) => expect(values[i]).toEqual(Array.from(reference[name].dataSync())));
    tf.dispose(Object.values(reference));

    // The dequantised model runs.
    const output = tf.tidy(() => (loaded.predict(tf.ones([1, 4, 4, 1])) as tf.Tensor).dataSync());
    expect(output).toHaveLength(3);
    loaded.dispose();
  });

  it('a quantised shard of the wrong size is reported with the quantised byte count', async () => {
    const model = baseModel();
    const saved = await saveModelToDir(model, tmp());
    model.dispose();
    const json = JSON.parse(fs.readFileSync(saved.modelJsonPath, 'utf8')) as {
      weightsManifest: { weights: Entry[] }[];
    };
    for (const weight of json.weightsManifest[0].weights) {
      weight.quantization = { dtype: 'uint8', scale: 1, min: 0 };
    }
    fs.writeFileSync(saved.modelJsonPath, JSON.stringify(json));
    // 47 uint8 values need 47 bytes; the float32 shard holds 188.
    await expect(loadModelFromDir(tmp())).rejects.toThrow(
      /"group1-shard1of1\.bin" has 188 bytes, expected 47/,
    );
  });
});
