/**
 * Vigil's gradient-boosted trees: a compact, deterministic port of LightGBM's GBDT (histogram-based,
 * leaf-wise growth, NaN and categorical handling), for DLE and the domain classifier. No maintained GBDT
 * library exists for Node; see train.ts for what is reproduced from LightGBM.
 */
export { gbdtParams, fromLightgbmParams, HyperparameterError, LIGHTGBM_DEFAULTS } from './params';
export type { GbdtParams, Objective } from './params';
export { trainGbdt } from './train';
export type { TrainFeature } from './train';
export { predict, predictLeaves, predictRaw } from './model';
export type { GbdtModel, TreeModel, ModelFeature, FeatureKind } from './model';
