import type { SignatureRecord } from '@maas/db';
import type { ExtractedBundle } from './bundle-archive';
import {
  bundleLayout,
  checkBundleFiles,
  checkExternalData,
  languageModelOf,
  languageModelTaskOf,
} from './bundle-layout';
import type { VersionContent } from './model-upload.service';

/** How a bundle's graph is read and loaded (the upload service's own, off the main thread). */
export interface GraphInspector {
  readSignature(filePath: string): Promise<SignatureRecord & { externalDataLocations?: string[] }>;
  validate(filePath: string): Promise<void>;
}

/**
 * Checks an extracted bundle from the cheap to the costly: its layout, the graph's signature and
 * external data (inside the bundle only), its JSON files, what config.json says against the
 * graph, and last a load in ONNX Runtime (which reads the external data from the extracted
 * folder, where nothing but the bundle's own files is).
 */
export async function inspectBundle(
  extracted: ExtractedBundle,
  graph: GraphInspector,
): Promise<VersionContent> {
  const layout = bundleLayout(extracted.files);
  const { externalDataLocations = [], ...signature } = await graph.readSignature(
    layout.graph.diskPath,
  );
  checkExternalData(layout, externalDataLocations);
  const task = languageModelTaskOf(signature);
  const { config, hasChatTemplate } = await checkBundleFiles(layout, task);
  const languageModel = task
    ? languageModelOf(task, config, signature, layout.graph.path, hasChatTemplate)
    : null;
  await graph.validate(layout.graph.diskPath);
  const files = layout.files.map((f) => ({
    path: f.path,
    sizeBytes: f.sizeBytes,
    sha256: f.sha256,
  }));
  return {
    signature,
    sha256: layout.graph.sha256,
    sizeBytes: files.reduce((n, f) => n + f.sizeBytes, 0),
    stored: layout.files,
    bundle: { files, graphPath: layout.graph.path, languageModel },
  };
}
