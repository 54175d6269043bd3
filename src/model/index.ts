/** The model domain: trainable models, optimizers, local training and serialization. */
export type { Batch, Model, ModelKind, ModelMeta, ParameterBlock, Penalty, SerializedModel } from './model.js';
export { LogisticRegression, logisticLayout } from './logistic.js';
export { Mlp, mlpLayout, resolveMlpConfig, MAX_HIDDEN_UNITS, type Activation, type MlpConfig, type ResolvedMlpConfig } from './mlp.js';
export { Adam, Sgd, type AdamOptions, type Optimizer, type SgdOptions } from './optimizer.js';
export { trainLocal, type ClassWeights, type TrainData, type TrainOptions, type TrainResult } from './train.js';
export {
  serializeModel,
  deserializeModel,
  encodeModelFile,
  decodeModelFile,
  MODEL_FILE_MAGIC,
  MODEL_FILE_VERSION,
  MAX_META_BYTES,
} from './serialize.js';
export { createModel, type ModelConfig } from './factory.js';
export { float64ToBytes, bytesToFloat64 } from './bytes.js';
export { MAX_FEATURES } from './check.js';
