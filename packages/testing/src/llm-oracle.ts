// Independent oracles for language-model tests: transformers.js (@huggingface/transformers)
// loading a bundle directory from disk only, never the network. A separate entry point
// (`@maas/testing/llm-oracle`), so nothing imports transformers.js unless it asks for it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  AutoModelForCausalLM,
  AutoTokenizer,
  type FeatureExtractionPipeline,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  type Tensor,
  env,
  pipeline,
} from '@huggingface/transformers';

/** A chat message as chat templates take it. */
export interface OracleMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** What greedy decoding gave. */
export interface OracleGeneration {
  /** The prompt's token ids (after the chat template, for messages). */
  promptIds: number[];
  /** The new tokens, an EOS id included when generation stopped on one. */
  tokenIds: number[];
  /** The new tokens decoded, special tokens skipped. */
  text: string;
}

const SESSION_OPTIONS = { intraOpNumThreads: 1, interOpNumThreads: 1 };

/** Points transformers.js at `dir` (local files only) and returns the model id to load. */
function localModel(dir: string): string {
  const absolute = path.resolve(dir);
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useBrowserCache = false;
  env.useFSCache = false;
  env.localModelPath = `${path.dirname(absolute)}${path.sep}`;
  return path.basename(absolute);
}

interface Generator {
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
}

const generators = new Map<string, Promise<Generator>>();
const extractors = new Map<string, Promise<FeatureExtractionPipeline>>();

function generator(dir: string): Promise<Generator> {
  const key = path.resolve(dir);
  let known = generators.get(key);
  if (!known) {
    const id = localModel(dir);
    known = (async () => ({
      tokenizer: await AutoTokenizer.from_pretrained(id),
      model: await AutoModelForCausalLM.from_pretrained(id, {
        dtype: 'fp32',
        device: 'cpu',
        session_options: SESSION_OPTIONS,
      }),
    }))();
    generators.set(key, known);
  }
  return known;
}

/** The bundle's tokenizer as transformers.js loads it. */
export async function oracleTokenizer(dir: string): Promise<PreTrainedTokenizer> {
  const id = localModel(dir);
  return AutoTokenizer.from_pretrained(id);
}

/**
 * Greedy decoding (`do_sample: false`) of up to `maxNewTokens` tokens by transformers.js'
 * `generate`, which stops at generation_config.json's EOS ids. A string prompt is tokenized as
 * it is; messages go through the bundle's chat template with the generation prompt.
 */
export async function oracleGenerate(
  dir: string,
  prompt: string | readonly OracleMessage[],
  maxNewTokens: number,
): Promise<OracleGeneration> {
  const { tokenizer, model } = await generator(dir);
  const text =
    typeof prompt === 'string'
      ? prompt
      : tokenizer.apply_chat_template(
          prompt.map((m) => ({ role: m.role, content: m.content })),
          { tokenize: false, add_generation_prompt: true },
        );
  const inputs = tokenizer(text);
  const promptIds = Array.from(tokenizer.encode(text));
  const output = (await model.generate({
    ...inputs,
    max_new_tokens: maxNewTokens,
    do_sample: false,
  })) as Tensor;
  const all = Array.from(output.data as BigInt64Array, Number);
  const tokenIds = all.slice(promptIds.length);
  return { promptIds, tokenIds, text: tokenizer.decode(tokenIds, { skip_special_tokens: true }) };
}

/**
 * Sentence embeddings by transformers.js' `feature-extraction` pipeline, pooled as the bundle's
 * `1_Pooling/config.json` says (mean unless `pooling_mode_cls_token`), L2-normalised.
 */
export async function oracleEmbed(dir: string, texts: readonly string[]): Promise<number[][]> {
  const key = path.resolve(dir);
  let known = extractors.get(key);
  if (!known) {
    const id = localModel(dir);
    known = pipeline('feature-extraction', id, {
      dtype: 'fp32',
      device: 'cpu',
      session_options: SESSION_OPTIONS,
    });
    extractors.set(key, known);
  }
  const extractor = await known;
  const pooling = JSON.parse(readFileSync(path.join(dir, '1_Pooling', 'config.json'), 'utf8')) as {
    pooling_mode_cls_token?: boolean;
  };
  const output = await extractor([...texts], {
    pooling: pooling.pooling_mode_cls_token ? 'cls' : 'mean',
    normalize: true,
  });
  return output.tolist() as number[][];
}

/** Releases the ONNX sessions the oracles hold (call in afterAll). */
export async function disposeOracles(): Promise<void> {
  const models = await Promise.all([...generators.values()]);
  const pipes = await Promise.all([...extractors.values()]);
  generators.clear();
  extractors.clear();
  await Promise.all([...models.map((g) => g.model.dispose()), ...pipes.map((p) => p.dispose())]);
}
