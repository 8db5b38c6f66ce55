// The paper's architectures (VGG16, VGG19, ResNet-50) and small models for tests and notebooks.
export { vgg16, vgg19 } from './vgg';
export type { VggOptions } from './vgg';
export { resnet50 } from './resnet50';
export type { ResNet50Options } from './resnet50';
export { smallResnet } from './smallResnet';
export type { SmallResnetOptions } from './smallResnet';
export { mnistCnn } from './mnistCnn';
export type { MnistCnnOptions } from './mnistCnn';
export { ArchitectureOptionError } from './architectureOptions';
export type { ArchitectureOptions } from './architectureOptions';
