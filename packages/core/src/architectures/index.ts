// The paper's architectures (VGG16, VGG19, ResNet-50), small models for tests and notebooks, and the
// small classifiers of the shipped models.
export { vgg16, vgg19 } from './vgg';
export type { VggOptions } from './vgg';
export { resnet50 } from './resnet50';
export type { ResNet50Options } from './resnet50';
export { smallResnet } from './small-resnet';
export type { SmallResnetOptions } from './small-resnet';
export { mnistCnn } from './mnist-cnn';
export type { MnistCnnOptions } from './mnist-cnn';
export { ArchitectureOptionError } from './architecture-options';
export type { ArchitectureOptions } from './architecture-options';
export { smallClassifier, SMALL_CLASSIFIERS } from './small-classifiers';
export type { SmallClassifierName, SmallClassifierOptions } from './small-classifiers';
