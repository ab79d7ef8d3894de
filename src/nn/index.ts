// nn: modules, layers, activations, losses and initializers, as MLX's mlx.nn.
export { Module, type ParamTree } from './module.js';
export { flattenNamed, unflattenNamed, treeMap } from './tree.js';
export { valueAndGrad } from './value-and-grad.js';
export * from './activations.js';
export { Identity, Linear, Bilinear } from './linear.js';
export { Sequential } from './containers.js';
export { Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d, type ConvLayerOptions } from './convolution.js';
export { BatchNorm, LayerNorm, RMSNorm, GroupNorm, InstanceNorm, type BatchNormOptions } from './normalization.js';
export { MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d } from './pooling.js';
export { Dropout, Dropout2d } from './dropout.js';
export { Embedding } from './embedding.js';
export { RNN, GRU, LSTM } from './recurrent.js';
export { MultiHeadAttention, TransformerEncoderLayer, type MultiHeadAttentionOptions, type TransformerEncoderLayerOptions } from './transformer.js';
export { Upsample } from './upsample.js';
export * as losses from './losses.js';
export * as init from './init.js';
