// Language-model bundles in the Hugging Face / Optimum / transformers.js layout, built in code:
// a tiny GPT-2 decoder (text generation) and a tiny BERT encoder (embeddings), each with GPT-2's
// real byte-level BPE tokenizer. The same options always give the same bytes.
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { create as createTar } from 'tar';
import {
  GPT2_END_OF_TEXT,
  GPT2_END_OF_TEXT_ID,
  GPT2_VOCAB_SIZE,
  gpt2TokenizerJson,
} from './gpt2-tokenizer';
import {
  type TransformerDims,
  type TransformerModel,
  buildBertEncoder,
  buildGpt2Decoder,
} from './transformer-graphs';

/** A bundle in memory: relative path (POSIX) → file bytes. */
export type BundleFiles = Map<string, Uint8Array>;

/** ChatML's turn markers, added to the GPT-2 bundle's vocabulary as ids 50257 and 50258. */
export const CHATML_START = '<|im_start|>';
export const CHATML_END = '<|im_end|>';

/** A ChatML chat template (Jinja), as Qwen-style chat models ship it in tokenizer_config.json. */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** Options for {@link tinyGpt2Bundle}. */
export interface TinyGpt2Options {
  /** n_embd; default 32 (the 50,259 × 32 embedding, tied as LM head, is most of the 6.5 MB). */
  hidden?: number;
  /** n_layer; default 2. */
  layers?: number;
  /** n_head; default 2. */
  heads?: number;
  /** n_positions, the context length; default 128. */
  contextLength?: number;
  /** Seed of the weights; default 1. */
  seed?: number;
  /** Write a chat template into tokenizer_config.json; default true. */
  chatTemplate?: boolean;
}

/** What a GPT-2 bundle is, as a test needs to know it. */
export interface TinyGpt2Bundle {
  files: BundleFiles;
  model: TransformerModel;
  vocabSize: number;
  contextLength: number;
  layers: number;
  heads: number;
  headDim: number;
  bosTokenId: number;
  /** config.json's eos_token_id (`<|endoftext|>`). */
  eosTokenId: number;
  /** generation_config.json's eos_token_id: `<|endoftext|>` and `<|im_end|>`. */
  eosTokenIds: number[];
  chatStartId: number;
  chatEndId: number;
}

const json = (value: unknown): Uint8Array =>
  new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

const memo = new Map<string, unknown>();

function remember<T>(key: string, make: () => T): T {
  const known = memo.get(key) as T | undefined;
  if (known !== undefined) return known;
  const made = make();
  memo.set(key, made);
  return made;
}

/**
 * The tiny GPT-2 bundle in memory: `config.json`, `generation_config.json`, `tokenizer.json`,
 * `tokenizer_config.json`, `special_tokens_map.json`, `onnx/model.onnx`. Built once per options
 * in a process (about half a second).
 */
export function tinyGpt2Bundle(options: TinyGpt2Options = {}): TinyGpt2Bundle {
  const hidden = options.hidden ?? 32;
  const layers = options.layers ?? 2;
  const heads = options.heads ?? 2;
  const contextLength = options.contextLength ?? 128;
  const seed = options.seed ?? 1;
  const chat = options.chatTemplate ?? true;
  const key = `gpt2:${hidden}:${layers}:${heads}:${contextLength}:${seed}:${chat}`;
  return remember(key, () => {
    const extra = [CHATML_START, CHATML_END];
    const vocabSize = GPT2_VOCAB_SIZE + extra.length;
    const dims: TransformerDims = {
      vocabSize,
      contextLength,
      hidden,
      layers,
      heads,
      intermediate: 4 * hidden,
    };
    const model = buildGpt2Decoder(dims, { seed });
    const chatStartId = GPT2_VOCAB_SIZE;
    const chatEndId = GPT2_VOCAB_SIZE + 1;
    const eosTokenIds = [GPT2_END_OF_TEXT_ID, chatEndId];
    const files: BundleFiles = new Map();
    files.set(
      'config.json',
      json({
        _name_or_path: 'maas/tiny-gpt2',
        architectures: ['GPT2LMHeadModel'],
        model_type: 'gpt2',
        activation_function: 'gelu_new',
        vocab_size: vocabSize,
        n_positions: contextLength,
        n_ctx: contextLength,
        n_embd: hidden,
        n_layer: layers,
        n_head: heads,
        n_inner: null,
        layer_norm_epsilon: 1e-5,
        initializer_range: 0.02,
        bos_token_id: GPT2_END_OF_TEXT_ID,
        eos_token_id: GPT2_END_OF_TEXT_ID,
        tie_word_embeddings: true,
        use_cache: true,
        torch_dtype: 'float32',
        transformers_version: '4.46.0',
      }),
    );
    files.set(
      'generation_config.json',
      json({
        bos_token_id: GPT2_END_OF_TEXT_ID,
        eos_token_id: eosTokenIds,
        pad_token_id: GPT2_END_OF_TEXT_ID,
        max_length: contextLength,
        do_sample: false,
        transformers_version: '4.46.0',
      }),
    );
    files.set('tokenizer.json', json(gpt2TokenizerJson(extra)));
    const addedTokensDecoder = Object.fromEntries(
      [GPT2_END_OF_TEXT, ...extra].map((content, i) => [
        String(GPT2_END_OF_TEXT_ID + i),
        {
          content,
          lstrip: false,
          normalized: false,
          rstrip: false,
          single_word: false,
          special: true,
        },
      ]),
    );
    files.set(
      'tokenizer_config.json',
      json({
        add_bos_token: false,
        add_prefix_space: false,
        added_tokens_decoder: addedTokensDecoder,
        additional_special_tokens: extra,
        bos_token: GPT2_END_OF_TEXT,
        eos_token: GPT2_END_OF_TEXT,
        pad_token: GPT2_END_OF_TEXT,
        unk_token: GPT2_END_OF_TEXT,
        clean_up_tokenization_spaces: false,
        model_max_length: contextLength,
        tokenizer_class: 'GPT2Tokenizer',
        ...(chat ? { chat_template: CHATML_TEMPLATE } : {}),
      }),
    );
    files.set(
      'special_tokens_map.json',
      json({
        additional_special_tokens: extra,
        bos_token: GPT2_END_OF_TEXT,
        eos_token: GPT2_END_OF_TEXT,
        pad_token: GPT2_END_OF_TEXT,
        unk_token: GPT2_END_OF_TEXT,
      }),
    );
    files.set('onnx/model.onnx', model.bytes);
    return {
      files,
      model,
      vocabSize,
      contextLength,
      layers,
      heads,
      headDim: hidden / heads,
      bosTokenId: GPT2_END_OF_TEXT_ID,
      eosTokenId: GPT2_END_OF_TEXT_ID,
      eosTokenIds,
      chatStartId,
      chatEndId,
    };
  });
}

/** Options for {@link tinyBertBundle}. */
export interface TinyBertOptions {
  /** hidden_size; default 32. */
  hidden?: number;
  /** num_hidden_layers; default 2. */
  layers?: number;
  /** num_attention_heads; default 2. */
  heads?: number;
  /** max_position_embeddings; default 128. */
  contextLength?: number;
  seed?: number;
  /** The sentence-transformers pooling in 1_Pooling/config.json; default 'mean'. */
  pooling?: 'mean' | 'cls';
}

/** What a BERT bundle is. */
export interface TinyBertBundle {
  files: BundleFiles;
  model: TransformerModel;
  vocabSize: number;
  hidden: number;
  contextLength: number;
  pooling: 'mean' | 'cls';
  clsTokenId: number;
  sepTokenId: number;
  padTokenId: number;
}

/** The BERT bundle's special tokens, added after GPT-2's vocabulary (ids 50257..50259). */
export const BERT_SPECIAL_TOKENS = ['[CLS]', '[SEP]', '[PAD]'] as const;

/**
 * The tiny BERT bundle in memory: `config.json`, `tokenizer.json` (GPT-2's BPE vocabulary with
 * `[CLS]`, `[SEP]` and `[PAD]`, and a TemplateProcessing post-processor wrapping every text in
 * `[CLS] … [SEP]` as BERT's does), `tokenizer_config.json`, `special_tokens_map.json`,
 * `1_Pooling/config.json`, `modules.json`, `onnx/model.onnx`.
 */
export function tinyBertBundle(options: TinyBertOptions = {}): TinyBertBundle {
  const hidden = options.hidden ?? 32;
  const layers = options.layers ?? 2;
  const heads = options.heads ?? 2;
  const contextLength = options.contextLength ?? 128;
  const seed = options.seed ?? 2;
  const pooling = options.pooling ?? 'mean';
  const key = `bert:${hidden}:${layers}:${heads}:${contextLength}:${seed}:${pooling}`;
  return remember(key, () => {
    const [cls, sep, pad] = BERT_SPECIAL_TOKENS;
    const clsTokenId = GPT2_VOCAB_SIZE;
    const sepTokenId = GPT2_VOCAB_SIZE + 1;
    const padTokenId = GPT2_VOCAB_SIZE + 2;
    const vocabSize = GPT2_VOCAB_SIZE + BERT_SPECIAL_TOKENS.length;
    const model = buildBertEncoder(
      { vocabSize, contextLength, hidden, layers, heads, intermediate: 4 * hidden },
      { seed },
    );
    const special = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
    const sequence = (id: string, typeId: number) => ({ Sequence: { id, type_id: typeId } });
    const postProcessor = {
      type: 'TemplateProcessing',
      single: [special(cls, 0), sequence('A', 0), special(sep, 0)],
      pair: [special(cls, 0), sequence('A', 0), special(sep, 0), sequence('B', 1), special(sep, 1)],
      special_tokens: {
        [cls]: { id: cls, ids: [clsTokenId], tokens: [cls] },
        [sep]: { id: sep, ids: [sepTokenId], tokens: [sep] },
      },
    };
    const files: BundleFiles = new Map();
    files.set(
      'config.json',
      json({
        _name_or_path: 'maas/tiny-bert',
        architectures: ['BertModel'],
        model_type: 'bert',
        vocab_size: vocabSize,
        hidden_size: hidden,
        num_hidden_layers: layers,
        num_attention_heads: heads,
        intermediate_size: 4 * hidden,
        hidden_act: 'gelu',
        max_position_embeddings: contextLength,
        type_vocab_size: 2,
        layer_norm_eps: 1e-12,
        pad_token_id: padTokenId,
        position_embedding_type: 'absolute',
        torch_dtype: 'float32',
        transformers_version: '4.46.0',
      }),
    );
    files.set('tokenizer.json', json(gpt2TokenizerJson([...BERT_SPECIAL_TOKENS], postProcessor)));
    files.set(
      'tokenizer_config.json',
      json({
        add_prefix_space: false,
        cls_token: cls,
        sep_token: sep,
        pad_token: pad,
        unk_token: GPT2_END_OF_TEXT,
        model_max_length: contextLength,
        clean_up_tokenization_spaces: false,
        tokenizer_class: 'PreTrainedTokenizerFast',
      }),
    );
    files.set(
      'special_tokens_map.json',
      json({ cls_token: cls, sep_token: sep, pad_token: pad, unk_token: GPT2_END_OF_TEXT }),
    );
    files.set(
      '1_Pooling/config.json',
      json({
        word_embedding_dimension: hidden,
        pooling_mode_cls_token: pooling === 'cls',
        pooling_mode_mean_tokens: pooling === 'mean',
        pooling_mode_max_tokens: false,
        pooling_mode_mean_sqrt_len_tokens: false,
        pooling_mode_weightedmean_tokens: false,
        pooling_mode_lasttoken: false,
        include_prompt: true,
      }),
    );
    files.set(
      'modules.json',
      json([
        { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
        { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
        { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' },
      ]),
    );
    files.set('onnx/model.onnx', model.bytes);
    return {
      files,
      model,
      vocabSize,
      hidden,
      contextLength,
      pooling,
      clsTokenId,
      sepTokenId,
      padTokenId,
    };
  });
}

/** Writes bundle files under `dir` (created as needed); returns `dir`. */
export function writeBundle(dir: string, files: BundleFiles): string {
  for (const [name, bytes] of files) {
    const target = path.join(dir, ...name.split('/'));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
  return dir;
}

/** Writes the tiny GPT-2 bundle into `dir`; returns what it is. */
export function writeTinyGpt2Bundle(dir: string, options: TinyGpt2Options = {}): TinyGpt2Bundle {
  const bundle = tinyGpt2Bundle(options);
  writeBundle(dir, bundle.files);
  return bundle;
}

/** Writes the tiny BERT bundle into `dir`; returns what it is. */
export function writeTinyBertBundle(dir: string, options: TinyBertOptions = {}): TinyBertBundle {
  const bundle = tinyBertBundle(options);
  writeBundle(dir, bundle.files);
  return bundle;
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix))
    .sort()
    .flatMap((name) => {
      const rel = prefix ? `${prefix}/${name}` : name;
      return statSync(path.join(dir, rel)).isDirectory() ? listFiles(dir, rel) : [rel];
    });
}

/** Options for {@link tarBundle}. */
export interface TarBundleOptions {
  /** Put every entry under this one top folder (`tiny-gpt2/config.json`); default: at the root. */
  topFolder?: string;
  /** gzip the archive (a .tar.gz); default false. */
  gzip?: boolean;
}

/**
 * A tar (or tar.gz) of the files under `dir`, sorted, with fixed modes and times, so the same
 * directory always gives the same bytes.
 */
export async function tarBundle(dir: string, options: TarBundleOptions = {}): Promise<Buffer> {
  const stream = createTar(
    {
      cwd: dir,
      portable: true,
      gzip: options.gzip ?? false,
      mtime: new Date(0),
      prefix: options.topFolder,
      noDirRecurse: true,
    },
    listFiles(dir),
  );
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
