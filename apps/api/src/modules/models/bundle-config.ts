import { open } from 'node:fs/promises';
import { badInput } from '../../common/errors';

/** Largest config-style JSON file of a bundle (config.json, tokenizer_config.json, ...) read. */
export const MAX_BUNDLE_JSON_BYTES = 4 * 1_048_576;
/** Largest tokenizer.json accepted (it is parsed by the generation engine, not at upload). */
export const MAX_TOKENIZER_JSON_BYTES = 128 * 1_048_576;

export type JsonObject = Record<string, unknown>;

/** A file of the bundle, named by its path in messages. */
export interface ConfigFile {
  path: string;
  diskPath: string;
  sizeBytes: number;
}

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads and parses a bounded JSON object file; 400 naming the file when it is not one. */
export async function readJsonObject(file: ConfigFile): Promise<JsonObject> {
  if (file.sizeBytes > MAX_BUNDLE_JSON_BYTES)
    throw badInput(
      `The bundle's ${file.path} is ${file.sizeBytes} bytes: at most ${MAX_BUNDLE_JSON_BYTES} are read`,
      { file: file.path },
    );
  const handle = await open(file.diskPath, 'r');
  let text: string;
  try {
    text = await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw badInput(`The bundle's ${file.path} is not valid JSON: ${(err as Error).message}`, {
      file: file.path,
    });
  }
  if (!isObject(value))
    throw badInput(`The bundle's ${file.path} must hold a JSON object`, { file: file.path });
  return value;
}

/** tokenizer.json: bounded, and a JSON object at first sight (the engine parses it whole). */
export async function checkTokenizerJson(file: ConfigFile): Promise<void> {
  if (file.sizeBytes > MAX_TOKENIZER_JSON_BYTES)
    throw badInput(
      `The bundle's ${file.path} is ${file.sizeBytes} bytes: at most ${MAX_TOKENIZER_JSON_BYTES} are accepted`,
      { file: file.path },
    );
  const handle = await open(file.diskPath, 'r');
  try {
    const head = Buffer.alloc(Math.min(1024, file.sizeBytes));
    await handle.read(head, 0, head.length, 0);
    if (!/^\s*\{/.test(head.toString('utf8')))
      throw badInput(
        `The bundle's ${file.path} must hold a JSON object (a Hugging Face tokenizer)`,
        {
          file: file.path,
        },
      );
  } finally {
    await handle.close();
  }
}

function fieldError(file: string, field: string, rule: string) {
  return badInput(`The bundle's ${file}: "${field}" ${rule}`, { file, field });
}

/**
 * The first of `fields` that `config` sets, as an integer in 1..max; null when none is set. 400
 * naming the file and field when the value is not such an integer.
 */
export function intField(
  config: JsonObject,
  file: string,
  fields: readonly string[],
  max: number,
  min = 1,
): { field: string; value: number } | null {
  for (const field of fields) {
    const value = config[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
      throw fieldError(file, field, `must be an integer from ${min} to ${max}`);
    return { field, value };
  }
  return null;
}

/** Like {@link intField}, but one of `fields` must be set. */
export function requiredInt(
  config: JsonObject,
  file: string,
  fields: readonly string[],
  max: number,
): { field: string; value: number } {
  const found = intField(config, file, fields, max);
  if (!found)
    throw badInput(`The bundle's ${file} must set ${fields.map((f) => `"${f}"`).join(' or ')}`, {
      file,
      field: fields[0],
    });
  return found;
}

/** config.json `model_type`: a short identifier such as `gpt2`, `llama`, `bert`. */
export function architectureOf(config: JsonObject, file: string): string {
  const value = config.model_type;
  if (typeof value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(value))
    throw fieldError(
      file,
      'model_type',
      'must be the model\'s architecture, e.g. "gpt2" or "llama" (letters, digits, _ . -; at most 64)',
    );
  return value;
}

/** A token id field: an integer id, or a list of them (generation_config's `eos_token_id`). */
function checkTokenIds(config: JsonObject, file: string, field: string): void {
  const value = config[field];
  if (value === undefined || value === null) return;
  const ids = Array.isArray(value) ? value : [value];
  if (
    ids.length > 64 ||
    ids.some((id) => typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0)
  )
    throw fieldError(file, field, 'must be a token id or a list of at most 64 token ids');
}

function checkNumber(config: JsonObject, file: string, field: string, min: number, max: number) {
  const value = config[field];
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    throw fieldError(file, field, `must be a number from ${min} to ${max}`);
}

function checkBoolean(config: JsonObject, file: string, field: string) {
  const value = config[field];
  if (value !== undefined && value !== null && typeof value !== 'boolean')
    throw fieldError(file, field, 'must be true or false');
}

/** generation_config.json: the sampling defaults and stop ids the engine reads. */
export function checkGenerationConfig(config: JsonObject, file: string): void {
  for (const field of ['eos_token_id', 'bos_token_id', 'pad_token_id', 'decoder_start_token_id'])
    checkTokenIds(config, file, field);
  intField(config, file, ['max_length'], 16_777_216);
  intField(config, file, ['max_new_tokens'], 16_777_216);
  intField(config, file, ['top_k'], 1_000_000, 0);
  checkNumber(config, file, 'temperature', 0, 100);
  checkNumber(config, file, 'top_p', 0, 1);
  checkNumber(config, file, 'repetition_penalty', 0, 100);
  checkBoolean(config, file, 'do_sample');
}

/** Whether tokenizer_config.json carries a chat template (a string, or named templates). */
export function chatTemplateOf(config: JsonObject, file: string): boolean {
  const value = config.chat_template;
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.length > 0;
  if (
    Array.isArray(value) &&
    value.every((t) => isObject(t) && typeof t.name === 'string' && typeof t.template === 'string')
  )
    return value.length > 0;
  throw fieldError(
    file,
    'chat_template',
    'must be a Jinja template string, or a list of {"name", "template"} objects',
  );
}

/** tokenizer_config.json: the special tokens, when set, are strings or {"content": string}. */
export function checkTokenizerConfig(config: JsonObject, file: string): void {
  for (const field of ['bos_token', 'eos_token', 'unk_token', 'pad_token']) {
    const value = config[field];
    if (value === undefined || value === null || typeof value === 'string') continue;
    if (isObject(value) && typeof value.content === 'string') continue;
    throw fieldError(file, field, 'must be a token string or an object with a "content" string');
  }
}

/** 1_Pooling/config.json (sentence-transformers): its pooling_mode_* flags are booleans. */
export function checkPoolingConfig(config: JsonObject, file: string): void {
  for (const field of Object.keys(config))
    if (field.startsWith('pooling_mode_')) checkBoolean(config, file, field);
  intField(config, file, ['word_embedding_dimension'], 1_048_576);
}
