// Turns a growing list of token ids into text deltas, decoding only a window of recent tokens per
// token (the whole completion once, never per token). The window runs from the last-but-one point
// where the text was whole (no incomplete character at its end) to the newest token, and its text
// beyond what the tokens before the last whole point decoded to is new: the earlier tokens give
// the decoder the context a full decode would have (a SentencePiece decoder drops the leading
// space of the first token only), and a character split across tokens, as byte-level BPE does
// with multi-byte UTF-8, comes out whole once its last byte came. An incomplete character and any
// tail that could still become a stop string are held back; a stop string ends the text before it.

/** Decodes token ids to text (special tokens skipped). */
export type Detokenize = (ids: readonly number[]) => string;

export interface TextStepResult {
  /** New text to hand to the client (may be empty). */
  delta: string;
  /** A stop string appeared: the text ends before it. */
  stopped: boolean;
}

const REPLACEMENT = 0xfffd;

export class TextStream {
  private readonly ids: number[] = [];
  /** The ids that count as text (no EOS). */
  private readonly textIds: number[] = [];
  /** Window start: the text was whole after `textIds[0, prefix)`. */
  private prefix = 0;
  /** The last whole point after `prefix`: `textIds[prefix, read)` decodes to `prefixText`. */
  private read = 0;
  private prefixText = '';
  /** Characters of the window's text (from `prefix`) already in `text`. */
  private shown = 0;
  /** The text decoded so far (whole characters, or bytes shown as U+FFFD once more came after them). */
  private text = '';
  /** Characters of `text` handed out. */
  private emitted = 0;
  private final?: string;
  private readonly keep: number;
  /** The last `keep` characters of `text`: where a stop string ending in new text can start. */
  private tail = '';

  constructor(
    private readonly detokenize: Detokenize,
    private readonly stop: readonly string[],
  ) {
    this.keep = Math.max(0, ...stop.map((s) => s.length - 1));
  }

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
    this.textIds.push(id);
    const window = this.detokenize(this.textIds.slice(this.prefix));
    // An incomplete UTF-8 sequence decodes to U+FFFD; wait for the bytes that complete it.
    let end = window.length;
    while (end > this.shown && window.charCodeAt(end - 1) === REPLACEMENT) end--;
    const piece = end > this.shown ? window.slice(this.shown, end) : '';
    if (end > this.shown) this.shown = end;
    if (end === window.length) {
      // Whole: the next window starts at the previous whole point.
      this.prefix = this.read;
      this.read = this.textIds.length;
      this.prefixText = this.detokenize(this.textIds.slice(this.prefix, this.read));
      this.shown = this.prefixText.length;
    }
    return this.append(piece);
  }

  /** The generation ended (EOS, length): what was held back is text after all. */
  finish(): string {
    if (this.final !== undefined) return '';
    let delta = '';
    if (this.read < this.textIds.length) {
      // Bytes that never made a whole character: as a full decode shows them.
      const window = this.detokenize(this.textIds.slice(this.prefix));
      const step = this.append(window.length > this.shown ? window.slice(this.shown) : '');
      this.read = this.textIds.length;
      if (step.stopped) return step.delta;
      delta = step.delta;
    }
    this.final = this.text;
    delta += this.text.slice(this.emitted);
    this.emitted = this.text.length;
    return delta;
  }

  /** Adds decoded text: looks for a stop string ending in it, hands out what is safe. */
  private append(piece: string): TextStepResult {
    const start = this.text.length;
    this.text += piece;
    // Searched: the tail (text already seen, where a stop string ending in `piece` may start) and `piece`.
    const searched = this.tail + piece;
    const offset = start - this.tail.length;
    let at = -1;
    for (const s of this.stop) {
      const found = searched.indexOf(s, Math.max(0, this.tail.length - s.length + 1));
      if (found >= 0 && (at < 0 || found < at)) at = found;
    }
    if (at >= 0) {
      this.final = this.text.slice(0, offset + at);
      const delta = this.final.slice(Math.min(this.emitted, this.final.length));
      this.emitted = this.final.length;
      return { delta, stopped: true };
    }
    this.tail = this.keep > 0 ? searched.slice(Math.max(0, searched.length - this.keep)) : '';
    const safe = this.text.length - this.heldForStop(searched);
    if (safe <= this.emitted) return { delta: '', stopped: false };
    // `searched` covers everything not yet handed out (held text is shorter than `keep`).
    const delta = searched.slice(this.emitted - offset, safe - offset);
    this.emitted = safe;
    return { delta, stopped: false };
  }

  /** Length of the longest tail of `text` (ending as `searched` does) that is a proper prefix of a stop string. */
  private heldForStop(searched: string): number {
    let held = 0;
    for (const s of this.stop) {
      for (let n = Math.min(s.length - 1, searched.length); n > held; n--) {
        if (searched.endsWith(s.slice(0, n))) {
          held = n;
          break;
        }
      }
    }
    return held;
  }
}
