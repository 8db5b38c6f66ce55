import * as tf from '@tensorflow/tfjs';
import { prepare, DisposedError } from '../src/index';
import { seededConvNet } from './support/seeded-conv-net';
import { readsDuring } from './support/device-reads';

/**
 * A trace's per-layer mass Σ|R| and sum ΣR: no device read until asked for, then one read for every
 * layer (an explorer click used to pay two reads per layer), with the values of the relevance.
 */

describe('trace mass and sum', () => {
  let model: tf.LayersModel;
  let x: tf.Tensor;
  beforeAll(() => {
    model = seededConvNet({ inputShape: [6, 6, 2], filters: 3, hidden: 4, classes: 3 });
    x = tf.randomUniform([2, 6, 6, 2], 0, 1, 'float32', 4);
    // What the first preparation of a model keeps for later ones is not part of the baseline.
    const warm = prepare(model, x);
    warm.explain({ rule: 'epsilon', trace: true }).dispose();
    warm.dispose();
  });
  afterAll(() => {
    model.dispose();
    x.dispose();
  });

  it('are read once for all layers, on first use, and equal the relevance reductions', () => {
    const before = tf.memory().numTensors;
    const session = prepare(model, x);
    let trace: readonly import('../src/index').TraceLayer[] = [];
    let explanation!: ReturnType<typeof session.explain>;
    const readsBuilding = readsDuring(() => {
      explanation = session.explain({ rule: 'epsilon', target: 1, trace: true });
      trace = explanation.trace ?? [];
    });
    expect(trace.length).toBeGreaterThan(3);
    let seen: { mass: number[]; sum: number[]; vanished: boolean[] }[] = [];
    const readsUsing = readsDuring(() => {
      seen = trace.map((layer) => ({
        mass: [...layer.mass],
        sum: [...layer.sum],
        vanished: [...layer.vanished],
      }));
      // Asked again: no new read.
      trace.forEach((layer) => void layer.sum[0]);
    });
    expect(readsUsing).toBe(1);
    // Building the trace reads nothing of it: the same explanation without a trace reads as much.
    const readsWithout = readsDuring(() =>
      session.explain({ rule: 'epsilon', target: 1 }).dispose(),
    );
    expect(readsBuilding).toBe(readsWithout);
    trace.forEach((layer, i) => {
      const [massTensor, sumTensor] = tf.tidy(() => {
        const flat = layer.relevance.reshape([2, -1]);
        return [flat.abs().sum(1), flat.sum(1)];
      });
      const mass = Array.from(massTensor.dataSync() as Float32Array);
      const sum = Array.from(sumTensor.dataSync() as Float32Array);
      tf.dispose([massTensor, sumTensor]);
      mass.forEach((m, b) => expect(seen[i].mass[b]).toBeCloseTo(m, 5));
      sum.forEach((s, b) => expect(seen[i].sum[b]).toBeCloseTo(s, 5));
      expect(seen[i].vanished).toEqual(seen[i].mass.map((m) => m === 0));
    });
    // The output layer holds the target's logit per sample: its mass is |logit|.
    const logits = explanation.logits.arraySync() as number[][];
    seen[0].mass.forEach((m, b) => expect(m).toBeCloseTo(Math.abs(logits[b][1]), 5));
    // The seeded network is not a dead one: relevance reaches the input.
    expect(seen[seen.length - 1].mass.every((m) => m > 0)).toBe(true);
    // Spread copies (as a notebook or a widget might make) keep the values.
    const copy = { ...trace[1] };
    expect(copy.mass).toEqual(seen[1].mass);
    expect(JSON.parse(JSON.stringify({ sum: trace[1].sum }))).toEqual({ sum: seen[1].sum });
    explanation.dispose();
    // Read before disposal: still there afterwards.
    expect(trace[0].mass).toEqual(seen[0].mass);
    session.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('asked for only after the trace was disposed: a DisposedError saying to read them first', () => {
    const before = tf.memory().numTensors;
    const session = prepare(model, x);
    const explanation = session.explain({ rule: 'rlrp', trace: true });
    const trace = explanation.trace ?? [];
    explanation.dispose();
    expect(() => trace[2].mass).toThrow(DisposedError);
    expect(() => trace[2].sum).toThrow(/read them before disposing the explanation/);
    session.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
