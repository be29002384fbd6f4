import { posix } from 'node:path';
import type {
  LanguageModelRecord,
  LanguageModelTask,
  SignatureRecord,
  TensorSpecRecord,
} from '@maas/db';
import { badInput } from '../../common/errors';
import type { ExtractedFile } from './bundle-archive';
import {
  architectureOf,
  chatTemplateOf,
  checkGenerationConfig,
  checkPoolingConfig,
  checkTokenizerConfig,
  checkTokenizerJson,
  intField,
  readJsonObject,
  requiredInt,
  type JsonObject,
} from './bundle-config';

/** Where a bundle's ONNX graph may be, in order of preference (Optimum / transformers.js layouts). */
export const BUNDLE_GRAPH_PATHS = [
  'onnx/model.onnx',
  'model.onnx',
  'onnx/decoder_model_merged.onnx',
  'decoder_model_merged.onnx',
] as const;

/** A file of a bundle, by its path from the bundle's root. */
export type BundleFile = ExtractedFile;

/** A bundle's files with the graph picked out. */
export interface BundleLayout {
  files: BundleFile[];
  graph: BundleFile;
  config: BundleFile;
}

/**
 * The bundle's files from its root: an archive whose files all sit under one top folder has that
 * folder stripped. Needs `config.json` and a graph ({@link BUNDLE_GRAPH_PATHS}).
 */
export function bundleLayout(extracted: readonly ExtractedFile[]): BundleLayout {
  if (extracted.length === 0) throw badInput('The bundle holds no files');
  const tops = new Set(extracted.map((f) => f.path.split('/')[0]));
  const [top] = tops;
  const nested =
    tops.size === 1 && top !== undefined && extracted.every((f) => f.path.includes('/'));
  const files = nested
    ? extracted.map((f) => ({ ...f, path: f.path.slice(top.length + 1) }))
    : [...extracted];
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const byPath = new Map(files.map((f) => [f.path, f]));
  const config = byPath.get('config.json');
  if (!config)
    throw badInput(
      "The bundle has no config.json: put the model's config.json at the bundle's root (or under its one top folder)",
      { file: 'config.json' },
    );
  const graphPath = BUNDLE_GRAPH_PATHS.find((p) => byPath.has(p));
  const graph = graphPath ? byPath.get(graphPath) : undefined;
  if (!graph)
    throw badInput(`The bundle has no ONNX graph: put it at ${BUNDLE_GRAPH_PATHS.join(', ')}`, {
      file: BUNDLE_GRAPH_PATHS[0],
    });
  return { files, graph, config };
}

/**
 * Each external data file the graph names must be a file of the bundle: a relative location,
 * resolved from the graph's folder, that stays inside the bundle.
 */
export function checkExternalData(layout: BundleLayout, locations: readonly string[]): void {
  const paths = new Set(layout.files.map((f) => f.path));
  const graph = layout.graph.path;
  for (const location of locations) {
    const resolved = posix.normalize(posix.join(posix.dirname(graph), location));
    const outside =
      location === '' ||
      location.startsWith('/') ||
      location.includes('\\') ||
      /[\u0000-\u001f]/.test(location) ||
      resolved === '..' ||
      resolved.startsWith('../');
    if (outside)
      throw badInput(
        `The graph ${graph} keeps tensor data in ${JSON.stringify(location)}, outside the bundle: external data files must be inside it`,
        { file: graph, entry: location },
      );
    if (!paths.has(resolved))
      throw badInput(
        `The graph ${graph} keeps tensor data in ${JSON.stringify(location)}, which is not a file of the bundle (${resolved})`,
        { file: graph, entry: location },
      );
  }
}

const PAST = /^past_key_values\.(\d+)\.(key|value)$/;

/** TEXT_GENERATION for an Optimum decoder with a KV cache, EMBEDDING for an encoder; else null. */
export function languageModelTaskOf(signature: SignatureRecord): LanguageModelTask | null {
  const inputs = new Set(signature.inputs.map((t) => t.name));
  const outputs = new Set(signature.outputs.map((t) => t.name));
  if (!inputs.has('input_ids')) return null;
  if (outputs.has('logits') && [...inputs].some((n) => PAST.test(n))) return 'TEXT_GENERATION';
  if (outputs.has('last_hidden_state')) return 'EMBEDDING';
  return null;
}

/** The other JSON files of a bundle, read and checked; whether a chat template is present. */
export async function checkBundleFiles(
  layout: BundleLayout,
  task: LanguageModelTask | null,
): Promise<{ config: JsonObject; hasChatTemplate: boolean }> {
  const byPath = new Map(layout.files.map((f) => [f.path, f]));
  const config = await readJsonObject(layout.config);
  const tokenizer = byPath.get('tokenizer.json');
  const tokenizerConfig = byPath.get('tokenizer_config.json');
  if (task !== null) {
    for (const [file, path] of [
      [tokenizer, 'tokenizer.json'],
      [tokenizerConfig, 'tokenizer_config.json'],
    ] as const)
      if (!file)
        throw badInput(
          `The bundle has no ${path}: a ${task} model needs its tokenizer (tokenizer.json and tokenizer_config.json)`,
          { file: path },
        );
  }
  if (tokenizer) await checkTokenizerJson(tokenizer);
  let hasChatTemplate = byPath.has('chat_template.jinja');
  if (tokenizerConfig) {
    const parsed = await readJsonObject(tokenizerConfig);
    checkTokenizerConfig(parsed, tokenizerConfig.path);
    hasChatTemplate = chatTemplateOf(parsed, tokenizerConfig.path) || hasChatTemplate;
  }
  const generation = byPath.get('generation_config.json');
  if (generation) checkGenerationConfig(await readJsonObject(generation), generation.path);
  const specialTokens = byPath.get('special_tokens_map.json');
  if (specialTokens) await readJsonObject(specialTokens);
  const pooling = byPath.get('1_Pooling/config.json');
  if (pooling) checkPoolingConfig(await readJsonObject(pooling), pooling.path);
  return { config, hasChatTemplate };
}

const CONFIG = 'config.json';
const MAX_TOKENS = 16_777_216;
const MAX_LAYERS = 4096;

/** A static dimension (≥ 0) of a tensor, else null. */
function staticDim(spec: TensorSpecRecord | undefined, axis: number): number | null {
  const dim = spec?.shape[axis];
  return dim !== undefined && dim >= 0 ? dim : null;
}

function mismatch(field: string, value: number, graph: string, what: string) {
  return badInput(
    `The bundle's ${CONFIG}: "${field}" is ${value}, but the graph ${graph} ${what}`,
    { file: CONFIG, field },
  );
}

/** A decoder's KV-cache layers in the graph: past_key_values.{i}.key/value in, present.{i}.* out. */
function checkDecoderGraph(
  signature: SignatureRecord,
  graph: string,
  layers: { field: string; value: number },
  kv: { field: string; value: number },
  headSize: { field: string; value: number },
  vocab: { field: string; value: number },
): void {
  const inputs = new Map(signature.inputs.map((t) => [t.name, t]));
  const outputs = new Map(signature.outputs.map((t) => [t.name, t]));
  const indices = new Set<number>();
  for (const name of inputs.keys()) {
    const m = PAST.exec(name);
    if (m) indices.add(Number(m[1]));
  }
  if (indices.size !== layers.value || [...indices].some((i) => i >= layers.value))
    throw mismatch(
      layers.field,
      layers.value,
      graph,
      `has past_key_values inputs for ${indices.size} layers`,
    );
  for (let i = 0; i < layers.value; i++) {
    for (const part of ['key', 'value']) {
      const past = inputs.get(`past_key_values.${i}.${part}`);
      if (!past || !outputs.has(`present.${i}.${part}`))
        throw badInput(
          `The graph ${graph} lacks past_key_values.${i}.${part} (input) or present.${i}.${part} (output): a decoder needs both for each layer`,
          { file: graph },
        );
      if (past.shape.length !== 4) continue;
      const heads = staticDim(past, 1);
      if (heads !== null && heads !== kv.value)
        throw mismatch(kv.field, kv.value, graph, `has ${heads} key/value heads in ${past.name}`);
      const size = staticDim(past, 3);
      if (size !== null && size !== headSize.value)
        throw mismatch(
          headSize.field,
          headSize.value,
          graph,
          `has heads of size ${size} in ${past.name}`,
        );
    }
  }
  const logits = outputs.get('logits');
  const width = logits ? staticDim(logits, logits.shape.length - 1) : null;
  if (width !== null && width !== vocab.value)
    throw mismatch(vocab.field, vocab.value, graph, `has logits over ${width} tokens`);
}

/** What config.json (checked against the graph) says about a language model. */
export function languageModelOf(
  task: LanguageModelTask,
  config: JsonObject,
  signature: SignatureRecord,
  graph: string,
  hasChatTemplate: boolean,
): LanguageModelRecord {
  const architecture = architectureOf(config, CONFIG);
  const vocab = requiredInt(config, CONFIG, ['vocab_size'], MAX_TOKENS);
  if (task === 'EMBEDDING') {
    const context = requiredInt(
      config,
      CONFIG,
      ['max_position_embeddings', 'n_positions'],
      MAX_TOKENS,
    );
    const layers = requiredInt(
      config,
      CONFIG,
      ['num_hidden_layers', 'n_layers', 'n_layer', 'num_layers'],
      MAX_LAYERS,
    );
    const hidden = intField(config, CONFIG, ['hidden_size', 'dim', 'd_model', 'n_embd'], 1_048_576);
    const state = signature.outputs.find((t) => t.name === 'last_hidden_state');
    const width = state ? staticDim(state, state.shape.length - 1) : null;
    if (hidden && width !== null && width !== hidden.value)
      throw mismatch(hidden.field, hidden.value, graph, `has last_hidden_state of width ${width}`);
    const dimensions = hidden?.value ?? width;
    if (dimensions === null)
      throw badInput(`The bundle's ${CONFIG} must set "hidden_size" (the embedding width)`, {
        file: CONFIG,
        field: 'hidden_size',
      });
    return {
      task,
      architecture,
      contextLength: context.value,
      vocabularySize: vocab.value,
      layers: layers.value,
      keyValueHeads: null,
      headSize: null,
      hasChatTemplate,
      embeddingDimensions: dimensions,
    };
  }
  const context = requiredInt(
    config,
    CONFIG,
    ['n_positions', 'max_position_embeddings', 'n_ctx', 'seq_length'],
    MAX_TOKENS,
  );
  const layers = requiredInt(
    config,
    CONFIG,
    ['n_layer', 'num_hidden_layers', 'num_layers'],
    MAX_LAYERS,
  );
  const heads = requiredInt(config, CONFIG, ['n_head', 'num_attention_heads'], MAX_LAYERS);
  const kv = intField(config, CONFIG, ['num_key_value_heads', 'num_kv_heads'], MAX_LAYERS) ?? heads;
  if (kv.value > heads.value || heads.value % kv.value !== 0)
    throw badInput(
      `The bundle's ${CONFIG}: "${kv.field}" (${kv.value}) must divide "${heads.field}" (${heads.value})`,
      { file: CONFIG, field: kv.field },
    );
  let headSize = intField(config, CONFIG, ['head_dim'], 65_536);
  if (!headSize) {
    const hidden = requiredInt(config, CONFIG, ['n_embd', 'hidden_size', 'd_model'], 1_048_576);
    if (hidden.value % heads.value !== 0)
      throw badInput(
        `The bundle's ${CONFIG}: "${hidden.field}" (${hidden.value}) is not a multiple of "${heads.field}" (${heads.value}): set "head_dim"`,
        { file: CONFIG, field: 'head_dim' },
      );
    headSize = { field: hidden.field, value: hidden.value / heads.value };
  }
  checkDecoderGraph(signature, graph, layers, kv, headSize, vocab);
  return {
    task,
    architecture,
    contextLength: context.value,
    vocabularySize: vocab.value,
    layers: layers.value,
    keyValueHeads: kv.value,
    headSize: headSize.value,
    hasChatTemplate,
    embeddingDimensions: null,
  };
}
