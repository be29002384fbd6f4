/** A file that is not a usable ONNX model; the message says what is wrong, in words a user can act on. */
export class OnnxFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OnnxFormatError';
  }
}
