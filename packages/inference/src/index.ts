export * from './tensor.types';
export * from './inference.errors';
export * from './logger';
export * from './execution-provider';
export * from './tensor-codec';
export * from './tensor-output';
export * from './tensor-batch';
export * from './micro-batcher';
export * from './session-cache';
export { DEFAULT_BATCHING, isBatchable } from './engine-config';
export * from './inference-engine';
export { WorkerCallError, processRssBytes, workerScriptPath } from './worker-pool';
export type { PoolIsolation } from './worker-pool';
export * from './binary-data';
export * from './artifact-source';
export * from './disk-artifact-cache';
export * from './disk-cache-bound';
export * from './inference-server';
export * from './rendezvous';
export * from './remote-wire';
export * from './remote-inference-client';
export * from './remote-bundles';
export * from './remote-generation';
export * from './quarantine';
export * from './generation/generation.types';
export {
  BUNDLE_GRAPH_PATHS,
  chatTemplateOf,
  describeLanguageModel,
  readBundleDir,
} from './generation/bundle';
export type {
  BundleFiles,
  BundleJson,
  LanguageModelInfo,
  LanguageModelTask,
  PoolingMode,
} from './generation/bundle';
export type { ChatMessage } from './generation/text-tokenizer';
export { TextTokenizer } from './generation/text-tokenizer';
export { SeededRandom, sampleToken } from './generation/sampling';
export type { SamplingParams } from './generation/sampling';
export { isSafeBundlePath, materializeBundle } from './generation/materialize-bundle';
export type { BundleFileRef } from './generation/materialize-bundle';
