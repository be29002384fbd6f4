/**
 * ONNX Runtime's error messages name the files it was given ("Load model from /tmp/… failed: …").
 * Those paths are this host's business, not the client's: the file we loaded is named by what it
 * is, and any other absolute path in the message is replaced by `<path>`. The reason stays.
 */
export function withoutPaths(message: string, file?: { path: string; as: string }): string {
  let text = file && file.path ? message.split(file.path).join(file.as) : message;
  // An absolute POSIX path (after the start, a space, a quote, a bracket or '=') or a Windows path.
  text = text.replace(/(^|[\s'"`(=[])(?:\/|[A-Za-z]:\\)[^\s'"`()[\],;]*/g, '$1<path>');
  return text;
}
