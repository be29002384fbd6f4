// Tokenization and chat templates with the Hugging Face JavaScript libraries: @huggingface/tokenizers
// reads tokenizer.json / tokenizer_config.json, @huggingface/jinja renders the chat template the way
// transformers' apply_chat_template does. Runs on the main thread: inputs are bounded by the caller
// (see `GenerationLimits`), and encoding a few thousand characters takes well under a millisecond.
import { Template } from '@huggingface/jinja';
import { Tokenizer } from '@huggingface/tokenizers';
import { ModelLoadError } from '../inference.errors';
import { chatTemplateOf } from './bundle';
import type { BundleJson } from './bundle';

/** What this module uses of @huggingface/tokenizers' Tokenizer (its published types do not resolve under nodenext). */
interface HfTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): { ids: number[] };
  decode(
    ids: number[],
    options?: { skip_special_tokens?: boolean; clean_up_tokenization_spaces?: boolean },
  ): string;
  token_to_id(token: string): number | undefined;
}
const HfTokenizerClass = Tokenizer as unknown as new (
  tokenizer: object,
  config: object,
) => HfTokenizer;

/** One chat message: `content` is plain text (the API layer joins text parts). */
export interface ChatMessage {
  role: string;
  content: string;
  /** An optional author name (OpenAI's `name`), passed to the template. */
  name?: string;
}

/** The special-token attributes transformers passes to a chat template. */
const SPECIAL_TOKENS = [
  'bos_token',
  'eos_token',
  'unk_token',
  'sep_token',
  'pad_token',
  'cls_token',
  'mask_token',
] as const;

function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const content = (value as { content?: unknown }).content;
    if (typeof content === 'string') return content;
  }
  return undefined;
}

/** A bundle's tokenizer, its special tokens and chat template. */
export class TextTokenizer {
  private readonly tokenizer: HfTokenizer;
  private readonly template?: Template;
  private readonly specialTokens: Record<string, string> = {};

  constructor(json: Pick<BundleJson, 'tokenizer' | 'tokenizerConfig'>) {
    try {
      this.tokenizer = new HfTokenizerClass(json.tokenizer, json.tokenizerConfig);
    } catch (err) {
      throw new ModelLoadError(
        `the bundle's tokenizer.json could not be read: ${(err as Error).message}`,
      );
    }
    for (const name of SPECIAL_TOKENS) {
      const content = tokenContent(json.tokenizerConfig[name]);
      if (content !== undefined) this.specialTokens[name] = content;
    }
    const source = chatTemplateOf(json.tokenizerConfig);
    if (source !== undefined) {
      try {
        this.template = new Template(source);
      } catch (err) {
        throw new ModelLoadError(
          `the bundle's chat_template does not parse: ${(err as Error).message}`,
        );
      }
    }
  }

  get hasChatTemplate(): boolean {
    return this.template !== undefined;
  }

  /** Token ids of `text`; `addSpecialTokens` adds what the tokenizer's post-processor adds (BOS, CLS/SEP). */
  encode(text: string, addSpecialTokens: boolean): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: addSpecialTokens }).ids;
  }

  /**
   * Text of `ids`, special tokens left out. No clean-up of tokenization spaces: decoding is then
   * prefix-stable, so a stream's deltas add up to the final text.
   */
  decode(ids: readonly number[]): string {
    return this.tokenizer.decode([...ids], {
      skip_special_tokens: true,
      clean_up_tokenization_spaces: false,
    });
  }

  /** The id of a token string, if the vocabulary has it. */
  tokenId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  /** Renders the chat template (with the generation prompt) as transformers does; throws if there is none. */
  renderChat(messages: readonly ChatMessage[]): string {
    if (!this.template) throw new Error('the model has no chat template');
    return this.template.render({
      ...this.specialTokens,
      messages: messages.map((m) =>
        m.name === undefined ? { role: m.role, content: m.content } : { ...m },
      ),
      add_generation_prompt: true,
    });
  }
}
