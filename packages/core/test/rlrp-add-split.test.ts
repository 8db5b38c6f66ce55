/**
 * R-LRP's Add split `R_{u_i} = u_i / y ⊙ R_y`, evenly where `y = 0`, at the values where the
 * engine's zero test (1 − step(|y|)) could differ from `y == 0`: +0, −0 and the smallest
 * denormals of either sign.
 */
import * as tf from '@tensorflow/tfjs';
import { splitAddFinite } from '../src/rules/rlrp-add-split';
import { expectNoTensorLeakPerTest } from './support/tensor-leak-check';

expectNoTensorLeakPerTest();

describe('R-LRP Add split at y = ±0 and denormal y', () => {
  it('splits evenly exactly where y is ±0, and by u / y elsewhere', () => {
    const denormal = 1.4e-45; // the smallest positive float32
    const y = [0, -0, denormal, -denormal];
    const u1 = y; // u1 + u2 = y
    const u2 = [0, 0, 0, 0];
    const relevance = [1, 2, 3, 4];
    const operands = [
      tf.tensor2d([u1]),
      tf.tensor2d([u2]),
      tf.tensor2d([y]),
      tf.tensor2d([relevance]),
    ];
    const parts = splitAddFinite(operands.slice(0, 2), operands[2], operands[3]);
    // (+ 0: a share of −0, 0 / −y, is no relevance either)
    const [first, second] = parts.map((p) => Array.from(p.dataSync(), (v) => v + 0));
    expect(first).toEqual([0.5, 1, 3, 4]);
    expect(second).toEqual([0.5, 1, 0, 0]);
    tf.dispose([...parts, ...operands]);
  });
});
