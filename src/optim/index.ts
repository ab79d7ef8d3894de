// optim: optimizers, gradient clipping and learning-rate schedules.
export { Optimizer, type OptimizerOptions, type ParamState, type Schedule, type StepScalars, type UpdateOptions } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, Adamax, type AdamOptions, type AdamScalars, type AdamWOptions, type Moments } from './adam.js';
export { Adagrad, AdaDelta, RMSprop, type AdagradOptions, type AdaDeltaOptions, type RMSpropOptions, type DeltaState } from './adaptive.js';
export { Lion, type LionOptions } from './lion.js';
export { Adafactor, type AdafactorOptions, type FactorState } from './adafactor.js';
export { clipGradNorm, clipGradValue } from './clip.js';
export { stepDecay, exponentialDecay, cosineDecay, linearSchedule, joinSchedules, ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './schedulers.js';
