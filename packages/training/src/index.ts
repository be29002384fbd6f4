export * from './errors';
export * from './dataset/dataset.types';
export * from './dataset/csv-dataset';
export * from './dataset/column-codec';
