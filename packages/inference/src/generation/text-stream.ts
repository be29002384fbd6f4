// Turns a growing list of token ids into text deltas: decodes the whole completion after each token
// and emits the new suffix (so a character split across tokens, as byte-level BPE does with
// multi-byte UTF-8, comes out whole), holding back an incomplete character and any tail that could
// still become a stop string. A stop string ends the text before it.

/** Decodes token ids to text (special tokens skipped). */
export type Detokenize = (ids: readonly number[]) => string;

export interface TextStepResult {
  /** New text to hand to the client (may be empty). */
  delta: string;
  /** A stop string appeared: the text ends before it. */
  stopped: boolean;
}

export class TextStream {
  private readonly ids: number[] = [];
  private text = '';
  private emitted = 0;
  private final?: string;

  constructor(
    private readonly detokenize: Detokenize,
    private readonly stop: readonly string[],
  ) {}

  get tokenIds(): readonly number[] {
    return this.ids;
  }

  /** The text so far (the final text once a stop string matched or `finish()` was called). */
  get value(): string {
    return this.final ?? this.text.slice(0, this.emitted);
  }

  /** Adds a generated token; `countsAsText` is false for an EOS token (kept in the ids only). */
  push(id: number, countsAsText = true): TextStepResult {
    this.ids.push(id);
    if (!countsAsText || this.final !== undefined) return { delta: '', stopped: false };
    this.text = this.detokenize(this.ids);
    // Text already emitted was searched; only a stop string ending after it can be new.
    for (const s of this.stop) {
      const at = this.text.indexOf(s, Math.max(0, this.emitted - s.length + 1));
      if (at >= 0 && (this.final === undefined || at < this.final.length))
        this.final = this.text.slice(0, at);
    }
    if (this.final !== undefined) {
      const delta = this.final.slice(Math.min(this.emitted, this.final.length));
      this.emitted = this.final.length;
      return { delta, stopped: true };
    }
    let safe = this.text.length;
    // An incomplete UTF-8 sequence decodes to U+FFFD; wait for the bytes that complete it.
    while (safe > this.emitted && this.text.charCodeAt(safe - 1) === 0xfffd) safe--;
    safe = Math.min(safe, this.text.length - this.heldForStop());
    if (safe <= this.emitted) return { delta: '', stopped: false };
    const delta = this.text.slice(this.emitted, safe);
    this.emitted = safe;
    return { delta, stopped: false };
  }

  /** The generation ended (EOS, length): what was held back is text after all. */
  finish(): string {
    if (this.final !== undefined) return '';
    this.final = this.text;
    const delta = this.text.slice(this.emitted);
    this.emitted = this.text.length;
    return delta;
  }

  /** Length of the longest tail of the text that is a proper prefix of a stop string. */
  private heldForStop(): number {
    let held = 0;
    for (const s of this.stop) {
      for (let n = Math.min(s.length - 1, this.text.length); n > held; n--) {
        if (this.text.endsWith(s.slice(0, n))) {
          held = n;
          break;
        }
      }
    }
    return held;
  }
}
