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
/**
 * Loss functions (MLX's `nn.losses`), each with a `reduction` of 'none', 'mean' or 'sum'.
 *
 * @example
 * ```ts
 * nn.losses.mseLoss(mt.tensor([1, 2]), mt.tensor([1, 4])).item(); // 2
 * ```
 * @group Losses
 */
export * as losses from './losses.js';
/**
 * Initializers (MLX's `nn.init`): each returns a function from a tensor or shape to a new tensor.
 *
 * @example
 * ```ts
 * model.apply(nn.init.heNormal(), (name, p) => p.ndim >= 2);
 * ```
 * @group Init
 */
export * as init from './init.js';
