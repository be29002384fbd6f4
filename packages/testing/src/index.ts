export * from './test-database';
export * from './seeded-random';
export * from './onnx-models';
export * from './model-zoo';
