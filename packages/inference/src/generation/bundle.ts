// A model bundle on disk: the Hugging Face / Optimum / transformers.js layout, extracted into one
// directory. Read on the main thread (small JSON files); the graph itself is loaded by a pool member.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ModelLoadError } from '../inference.errors';
import type { ModelSignature } from '../tensor.types';

/** Where the graph of a bundle may be, in the order they are looked for. */
export const BUNDLE_GRAPH_PATHS = [
  'onnx/model.onnx',
  'model.onnx',
  'onnx/decoder_model_merged.onnx',
] as const;

/** What a bundle's model does: a decoder that generates text, or an encoder that embeds it. */
export type LanguageModelTask = 'text-generation' | 'embedding';

/** How an embedding model pools token vectors (sentence-transformers' `1_Pooling/config.json`). */
export type PoolingMode = 'mean' | 'cls';

/** The shape of a bundle's language model, from its config.json and its graph. */
export interface LanguageModelInfo {
  task: LanguageModelTask;
  /** config.json `model_type` (e.g. `gpt2`, `llama`, `bert`). */
  architecture: string;
  /** Longest sequence (prompt plus completion) the model takes. */
  contextLength: number;
  vocabSize: number;
  layers: number;
  attentionHeads: number;
  /** Key/value heads (fewer than attention heads with grouped-query attention). */
  kvHeads: number;
  headDim: number;
  hiddenSize: number;
  hasChatTemplate: boolean;
  /** Token ids that end a generation (generation_config.json, else config.json). */
  eosTokenIds: number[];
  bosTokenId?: number;
  padTokenId?: number;
  /** Embedding models: how token vectors are pooled. */
  pooling?: PoolingMode;
  /** Decoders: whether the graph takes `position_ids` (needed to batch sequences of different lengths). */
  hasPositionIds: boolean;
}

/** The JSON files of a bundle, parsed. `tokenizer` is `tokenizer.json`. */
export interface BundleJson {
  config: Record<string, unknown>;
  tokenizer: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  generationConfig?: Record<string, unknown>;
  poolingConfig?: Record<string, unknown>;
}

/** A bundle directory, read: its JSON files and the path of its graph. */
export interface BundleFiles extends BundleJson {
  dir: string;
  graphPath: string;
  /** Bytes of the graph and its external data files (what a loaded session is charged). */
  graphBytes: number;
}

const MAX_JSON_BYTES = 64 * 1024 * 1024;

function readJson(dir: string, name: string, required: true): Record<string, unknown>;
function readJson(dir: string, name: string, required: false): Record<string, unknown> | undefined;
function readJson(
  dir: string,
  name: string,
  required: boolean,
): Record<string, unknown> | undefined {
  const path = join(dir, name);
  if (!existsSync(path)) {
    if (required) throw new ModelLoadError(`the bundle has no ${name}`);
    return undefined;
  }
  if (statSync(path).size > MAX_JSON_BYTES)
    throw new ModelLoadError(`the bundle's ${name} is larger than ${MAX_JSON_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ModelLoadError(`the bundle's ${name} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ModelLoadError(`the bundle's ${name} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** Reads a bundle directory (see `BUNDLE_GRAPH_PATHS` for where the graph may be). */
export function readBundleDir(dir: string): BundleFiles {
  const graph = BUNDLE_GRAPH_PATHS.find((p) => existsSync(join(dir, p)));
  if (!graph)
    throw new ModelLoadError(`the bundle has no graph (${BUNDLE_GRAPH_PATHS.join(', ')})`);
  const graphPath = join(dir, graph);
  let graphBytes = statSync(graphPath).size;
  // External data lives next to the graph (`model.onnx_data`, `model.onnx.data`, ...).
  const base = graphPath.replace(/\.onnx$/, '');
  for (const suffix of ['.onnx_data', '.onnx.data'])
    if (existsSync(base + suffix)) graphBytes += statSync(base + suffix).size;
  return {
    dir,
    graphPath,
    graphBytes,
    config: readJson(dir, 'config.json', true),
    tokenizer: readJson(dir, 'tokenizer.json', true),
    tokenizerConfig: readJson(dir, 'tokenizer_config.json', false) ?? {},
    generationConfig: readJson(dir, 'generation_config.json', false),
    poolingConfig: readJson(dir, '1_Pooling/config.json', false),
  };
}

function int(config: Record<string, unknown>, ...names: string[]): number | undefined {
  for (const name of names) {
    const v = config[name];
    if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return v;
  }
  return undefined;
}

function ids(value: unknown): number[] | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return [value];
  if (Array.isArray(value)) {
    const list = value.filter((v): v is number => typeof v === 'number' && Number.isSafeInteger(v));
    return list.length > 0 ? list : undefined;
  }
  return undefined;
}

/** The chat template of a tokenizer_config.json: a string, or the `default` of a named list. */
export function chatTemplateOf(tokenizerConfig: Record<string, unknown>): string | undefined {
  const t = tokenizerConfig.chat_template;
  if (typeof t === 'string' && t.length > 0) return t;
  if (Array.isArray(t)) {
    const named = t.filter(
      (e): e is { name: string; template: string } =>
        typeof e === 'object' &&
        e !== null &&
        typeof (e as { template?: unknown }).template === 'string',
    );
    return (named.find((e) => e.name === 'default') ?? named[0])?.template;
  }
  return undefined;
}

const PAST_KEY = /^past_key_values\.(\d+)\.key$/;

/**
 * What a bundle's model is, from its JSON files and the graph's signature: a decoder with
 * `past_key_values.*` inputs and a `logits` output generates text; an encoder with a
 * `last_hidden_state` output embeds it. Throws `ModelLoadError` naming what is missing.
 */
export function describeLanguageModel(
  json: BundleJson,
  signature: ModelSignature,
): LanguageModelInfo {
  const c = json.config;
  const inputs = new Set(signature.inputs.map((i) => i.name));
  const outputs = new Set(signature.outputs.map((o) => o.name));
  const pastLayers = signature.inputs.filter((i) => PAST_KEY.test(i.name)).length;
  const isDecoder = pastLayers > 0 && outputs.has('logits');
  const isEncoder = !isDecoder && outputs.has('last_hidden_state');
  if (!isDecoder && !isEncoder)
    throw new ModelLoadError(
      'the bundle graph is neither a decoder (past_key_values.* inputs, logits output) nor an encoder (last_hidden_state output)',
    );
  if (!inputs.has('input_ids')) throw new ModelLoadError('the bundle graph has no input_ids input');
  const heads = int(c, 'num_attention_heads', 'n_head', 'num_heads');
  const hidden = int(c, 'hidden_size', 'n_embd', 'd_model');
  const layers = int(c, 'num_hidden_layers', 'n_layer', 'num_layers') ?? pastLayers;
  const contextLength = int(c, 'max_position_embeddings', 'n_positions', 'n_ctx', 'max_seq_len');
  const vocabSize = int(c, 'vocab_size');
  if (!heads || !hidden || !contextLength || !vocabSize)
    throw new ModelLoadError(
      'the bundle config.json needs num_attention_heads (n_head), hidden_size (n_embd), max_position_embeddings (n_positions) and vocab_size',
    );
  const kvHeads = int(c, 'num_key_value_heads', 'n_head_kv') ?? heads;
  const headDim = int(c, 'head_dim') ?? Math.floor(hidden / heads);
  if (isDecoder) {
    if (pastLayers !== layers)
      throw new ModelLoadError(
        `the bundle graph has ${pastLayers} past_key_values layers, config.json says ${layers}`,
      );
    for (let i = 0; i < layers; i++)
      for (const kind of ['key', 'value'])
        if (!inputs.has(`past_key_values.${i}.${kind}`) || !outputs.has(`present.${i}.${kind}`))
          throw new ModelLoadError(
            `the bundle graph lacks past_key_values.${i}.${kind} or present.${i}.${kind}`,
          );
    const past = signature.inputs.find((i) => i.name === 'past_key_values.0.key');
    const [, h, , d] = past?.shape ?? [];
    if ((h !== undefined && h > 0 && h !== kvHeads) || (d !== undefined && d > 0 && d !== headDim))
      throw new ModelLoadError(
        `the bundle graph's past_key_values shape [batch, ${h}, past, ${d}] does not match config.json (${kvHeads} key/value heads of ${headDim})`,
      );
  }
  const gen = json.generationConfig;
  const eos = (gen ? ids(gen.eos_token_id) : undefined) ?? ids(c.eos_token_id) ?? [];
  const bos = ids(gen?.bos_token_id ?? c.bos_token_id)?.[0];
  const pad = ids(gen?.pad_token_id ?? c.pad_token_id)?.[0];
  const pool = json.poolingConfig;
  return {
    task: isDecoder ? 'text-generation' : 'embedding',
    architecture: typeof c.model_type === 'string' ? c.model_type : 'unknown',
    contextLength,
    vocabSize,
    layers,
    attentionHeads: heads,
    kvHeads,
    headDim,
    hiddenSize: hidden,
    hasChatTemplate: chatTemplateOf(json.tokenizerConfig) !== undefined,
    eosTokenIds: eos,
    bosTokenId: bos,
    padTokenId: pad,
    pooling: isEncoder
      ? pool?.pooling_mode_cls_token === true && pool.pooling_mode_mean_tokens !== true
        ? 'cls'
        : 'mean'
      : undefined,
    hasPositionIds: inputs.has('position_ids'),
  };
}
