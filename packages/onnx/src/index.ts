export * from './attributes';
export * from './datatypes';
export * from './errors';
export * from './graph-builder';
export * from './initializers';
export * from './large-model-file';
export * from './model-builders';
export {
  AttributeType,
  DataLocation,
  onnxProto,
  decodeModelMessage,
  encodeModelMessage,
  int64ToNumber,
} from './onnx-proto';
export type * from './onnx-proto';
export * from './signature';
export {
  DEFAULT_SIGNATURE_HEAP_MB,
  MAX_SIGNATURE_THREADS,
  readSignatureInThread,
  type SignatureThreadOptions,
} from './signature-thread-pool';
export * from './tabular-metadata';
export * from './tensor-data';
export * from './cnn-builder';
