import {
  LanguageModelError,
  type GenerationEvent,
  type GenerationRequest,
  type LanguageModelBackend,
} from '@maas/api';

/** The context length of the double's "model". */
export const DOUBLE_CONTEXT = 256;
export const DOUBLE_DIMENSIONS = 4;

/** How the double renders a request into its prompt (one character is one token). */
export function renderPrompt(request: Pick<GenerationRequest, 'prompt' | 'messages'>): string {
  if (request.prompt !== undefined) return request.prompt;
  return (request.messages ?? []).map((m) => `${m.role}: ${m.content}\n`).join('');
}

/**
 * What the double answers, before max tokens and stop strings: the prompt reversed, once and
 * finished ("stop") when the prompt ends with ".", else repeated without end.
 */
export function answerOf(
  prompt: string,
  maxTokens: number,
): { text: string; finish: 'stop' | 'length' } {
  const reversed = [...prompt].reverse().join('');
  if (prompt.endsWith('.') && reversed.length <= maxTokens)
    return { text: reversed, finish: 'stop' };
  let text = '';
  while (text.length < maxTokens) text += reversed || 'x';
  return { text: text.slice(0, maxTokens), finish: 'length' };
}

/** The double's embedding of a text: a fixed function of its characters, L2-normalised. */
export function embeddingOf(text: string): Float32Array {
  const v = new Float32Array(DOUBLE_DIMENSIONS);
  [...text].forEach((c, i) => {
    const slot = i % DOUBLE_DIMENSIONS;
    v[slot] = (v[slot] ?? 0) + (c.codePointAt(0) ?? 0) / 100;
  });
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

/**
 * A LanguageModelBackend for the API layer's tests: deterministic, one token per character, with
 * the engine's contract (context length, cancellation within one step). A prompt containing
 * "slow" takes 20 ms a token. `active` counts generations holding a slot.
 */
export class LanguageModelDouble implements LanguageModelBackend {
  active = 0;
  peakActive = 0;
  generated = 0;

  async *generate(
    _key: { id: string },
    request: GenerationRequest,
    { signal }: { signal: AbortSignal },
  ): AsyncGenerator<GenerationEvent> {
    const prompt = renderPrompt(request);
    if (
      prompt.length >= DOUBLE_CONTEXT ||
      (!request.fitToContext && prompt.length + request.maxTokens > DOUBLE_CONTEXT)
    )
      throw new LanguageModelError(
        'CONTEXT_LENGTH_EXCEEDED',
        `This model's maximum context length is ${DOUBLE_CONTEXT} tokens; the request needs ${prompt.length + request.maxTokens}`,
        'messages',
      );
    const maxTokens = Math.min(request.maxTokens, DOUBLE_CONTEXT - prompt.length);
    let { text, finish } = answerOf(prompt, maxTokens);
    for (const stop of request.stop ?? []) {
      const at = text.indexOf(stop);
      if (at >= 0) {
        text = text.slice(0, at);
        finish = 'stop';
      }
    }
    const delayMs = prompt.includes('slow') ? 20 : 0;
    this.active += 1;
    this.peakActive = Math.max(this.peakActive, this.active);
    try {
      let completionTokens = 0;
      for (const c of text) {
        await new Promise((resolve) =>
          delayMs ? setTimeout(resolve, delayMs) : setImmediate(resolve),
        );
        if (signal.aborted) return;
        completionTokens += 1;
        this.generated += 1;
        yield { type: 'text', text: c, tokens: 1 };
      }
      yield {
        type: 'done',
        finishReason: finish,
        usage: { promptTokens: prompt.length, completionTokens },
      };
    } finally {
      this.active -= 1;
    }
  }

  embed(_key: { id: string }, texts: string[]) {
    return Promise.resolve({
      vectors: texts.map(embeddingOf),
      promptTokens: texts.reduce((n, t) => n + t.length, 0),
    });
  }

  occupancy() {
    return [{ versionId: 'double', running: this.active, queued: 0 }];
  }
}
