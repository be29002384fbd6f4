export * from './test-database';
export type { TestDatabaseKey } from './provided-context.mjs';
export * from './seeded-random';
export * from './onnx-models';
export * from './model-zoo';
export * from './gpt2-tokenizer';
export * from './transformer-graphs';
export * from './language-model-bundles';
