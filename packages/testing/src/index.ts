export * from './test-database';
export type { TestDatabaseKey } from './provided-context.mjs';
export * from './seeded-random';
export * from './onnx-models';
export * from './model-zoo';
// The language-model bundles live in @maas/demo-models (the demo `npm start` seeds is built
// there too); re-exported so that tests keep one import for their fixtures.
export * from '@maas/demo-models';
