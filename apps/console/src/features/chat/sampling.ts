// The Chat page's sampling settings: what the form holds (text, as typed) and what it sends.
// The bounds are the API's (apps/api generation-limits): checked here too, so a typo is named
// next to its field before anything is sent; the API checks again and has the last word.

/** The settings as the form holds them: each field's text. */
export interface SamplingForm {
  temperature: string;
  topP: string;
  topK: string;
  maxTokens: string;
  seed: string;
  /** Stop sequences, one per line; `\n` and `\t` stand for a newline and a tab. */
  stop: string;
}

/** What GenerateInput takes; an empty field is left out (the API's default applies). */
export interface SamplingSettings {
  temperature?: number;
  topP?: number;
  topK?: number;
  maxTokens?: number;
  seed?: number;
  stop?: string[];
}

export type SamplingField = keyof SamplingForm;

export const defaultSampling: SamplingForm = {
  temperature: '0.7',
  topP: '1',
  topK: '0',
  maxTokens: '',
  seed: '',
  stop: '',
};

/** At most this many stop sequences (as OpenAI and the API allow). */
export const MAX_STOP_SEQUENCES = 4;
const MAX_STOP_LENGTH = 200;
const MAX_SEED = 2 ** 31 - 1;

type Parsed =
  | { ok: true; settings: SamplingSettings }
  | { ok: false; field: SamplingField; message: string };

function numberOf(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : Number.NaN;
}

/** `\n`, `\t` and `\\` in a stop sequence as typed, unescaped. */
export function unescapeStop(text: string): string {
  return text.replace(/\\([nt\\])/g, (_, c: string) =>
    c === 'n' ? '\n' : c === 't' ? '\t' : '\\',
  );
}

/** Checks the form and returns what to send, or the first field that is wrong and why. */
export function parseSampling(form: SamplingForm): Parsed {
  const settings: SamplingSettings = {};
  const temperature = numberOf(form.temperature);
  if (temperature !== null) {
    if (Number.isNaN(temperature) || temperature < 0 || temperature > 2)
      return { ok: false, field: 'temperature', message: 'Use 0 (greedy) to 2.' };
    settings.temperature = temperature;
  }
  const topP = numberOf(form.topP);
  if (topP !== null) {
    if (Number.isNaN(topP) || topP <= 0 || topP > 1)
      return { ok: false, field: 'topP', message: 'Use a number above 0 and at most 1.' };
    settings.topP = topP;
  }
  const topK = numberOf(form.topK);
  if (topK !== null) {
    if (!Number.isSafeInteger(topK) || topK < 0 || topK > 1_000_000)
      return { ok: false, field: 'topK', message: 'Use a whole number; 0 for none.' };
    settings.topK = topK;
  }
  const maxTokens = numberOf(form.maxTokens);
  if (maxTokens !== null) {
    if (!Number.isSafeInteger(maxTokens) || maxTokens < 1 || maxTokens > 1_000_000)
      return { ok: false, field: 'maxTokens', message: 'Use a whole number from 1.' };
    settings.maxTokens = maxTokens;
  }
  const seed = numberOf(form.seed);
  if (seed !== null) {
    if (!Number.isSafeInteger(seed) || Math.abs(seed) > MAX_SEED)
      return { ok: false, field: 'seed', message: `Use a whole number up to ${MAX_SEED}.` };
    settings.seed = seed;
  }
  const stop = form.stop
    .split('\n')
    .filter((line) => line !== '')
    .map(unescapeStop);
  if (stop.length > MAX_STOP_SEQUENCES)
    return {
      ok: false,
      field: 'stop',
      message: `At most ${MAX_STOP_SEQUENCES} stop sequences, one per line.`,
    };
  if (stop.some((s) => s.length > MAX_STOP_LENGTH))
    return {
      ok: false,
      field: 'stop',
      message: `A stop sequence holds at most ${MAX_STOP_LENGTH} characters.`,
    };
  if (stop.length) settings.stop = stop;
  return { ok: true, settings };
}
