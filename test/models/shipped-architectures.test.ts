/**
 * `src/train/train.ts` builds the shipped models with core's smallClassifier: each builder must
 * still produce exactly the topology (layer names, order, configs, initialiser seeds) of the
 * model.json it once trained, or retraining would not reproduce models/.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import { smallClassifier, SMALL_CLASSIFIERS } from '@rlrp/core';

const MODELS = path.resolve(__dirname, '..', '..', 'models');
/** Seeds of the training plans (src/train/training-plans.ts). */
const SEEDS = { mnist: 1, 'fashion-mnist': 2 } as const;

/** The MLP's Flatten is unnamed, so its name carries a process-wide layer counter. */
function withoutLayerCounter(topology: unknown): string {
  return JSON.stringify(topology).replace(/flatten_Flatten\d+/g, 'flatten_Flatten');
}

describe.each(Object.entries(SEEDS))('%s', (dataset, seed) => {
  it.each(SMALL_CLASSIFIERS.map((name) => [name]))('%s', (name) => {
    const modelJson = path.join(MODELS, `${dataset}-${name}`, 'model.json');
    const shipped = JSON.parse(fs.readFileSync(modelJson, 'utf8')) as tf.io.ModelJSON;
    const before = tf.memory().numTensors;
    const model = smallClassifier(name, { seed });
    expect(withoutLayerCounter(model.toJSON(null, false))).toBe(
      withoutLayerCounter(shipped.modelTopology),
    );
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
