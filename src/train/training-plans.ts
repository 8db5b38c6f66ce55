/**
 * The fixed hyper-parameters of every shipped model. Kept short on purpose: the models only need
 * decent accuracy for the relevance evaluation, and training must finish in minutes on 2 cores.
 */
import type { SmallClassifierName } from '@rlrp/core';
import type { TrainingPlan } from './train-model';

/** Datasets with shipped models. */
export type DatasetName = 'mnist' | 'fashion-mnist';

/** All dataset names, in the order tables list them. */
export const DATASETS: readonly DatasetName[] = ['mnist', 'fashion-mnist'];

const mnist: TrainingPlan = {
  epochs: 6,
  batchSize: 64,
  learningRate: 1e-3,
  trainLimit: 8000,
  seed: 1,
};
/** The VGG-style net costs 3–4× more per batch on wasm; fewer epochs keep it within minutes. */
const mnistDeep: TrainingPlan = { ...mnist, epochs: 2 };
const fashion: TrainingPlan = {
  epochs: 3,
  batchSize: 64,
  learningRate: 1e-3,
  trainLimit: 12000,
  seed: 2,
};
const fashionDeep: TrainingPlan = { ...fashion, trainLimit: 8000 };

/** Plan per dataset and architecture. */
export const TRAINING_PLANS: Record<DatasetName, Record<SmallClassifierName, TrainingPlan>> = {
  mnist: { mlp: mnist, cnn: mnist, vgg: mnistDeep, resnet: { ...mnist, epochs: 4 } },
  'fashion-mnist': { mlp: fashion, cnn: fashion, vgg: fashionDeep, resnet: fashion },
};
