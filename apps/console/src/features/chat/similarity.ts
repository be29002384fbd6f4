// The embeddings try-out: the texts as typed, and the cosine similarity between their vectors.

/** At most this many texts in one try-out (the API allows EMBEDDING_MAX_INPUTS, 256 by default). */
export const MAX_TRY_TEXTS = 16;
/** Characters per text in the try-out. */
export const MAX_TRY_TEXT_LENGTH = 4000;

/** The texts to embed, or why not: at least one, none empty, within the try-out's bounds. */
export function checkTexts(texts: readonly string[]): { texts: string[] } | { error: string } {
  if (texts.length === 0) return { error: 'Enter at least one text.' };
  if (texts.length > MAX_TRY_TEXTS) return { error: `At most ${MAX_TRY_TEXTS} texts at once.` };
  const empty = texts.findIndex((t) => t.trim() === '');
  if (empty >= 0) return { error: `Text ${empty + 1} is empty: fill it in or remove it.` };
  const long = texts.findIndex((t) => t.length > MAX_TRY_TEXT_LENGTH);
  if (long >= 0)
    return { error: `Text ${long + 1} is longer than ${MAX_TRY_TEXT_LENGTH} characters.` };
  return { texts: [...texts] };
}

/** cos(a, b) = a·b / (|a| |b|); 0 when either vector is all zeros. */
export function cosine(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`vectors of ${a.length} and ${b.length} values`);
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i += 1) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    aa += x * x;
    bb += y * y;
  }
  if (aa === 0 || bb === 0) return 0;
  return dot / Math.sqrt(aa * bb);
}

/** The symmetric matrix of cosine similarities between every pair of vectors. */
export function cosineMatrix(vectors: readonly (readonly number[])[]): number[][] {
  return vectors.map((a) => vectors.map((b) => cosine(a, b)));
}

/** The vector's Euclidean length (the API normalises: about 1). */
export function norm(vector: readonly number[]): number {
  return Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
}
