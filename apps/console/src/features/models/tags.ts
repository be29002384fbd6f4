// Model tags are a JSON object. The console edits them as "key=value, key=value" (or as JSON when
// the text starts with "{" or "["), and shows them as "key: value" badges.

export type TagsParse = { tags: Record<string, unknown> } | { error: string };

/** Parses "team=risk, stage=beta" or a JSON object. Empty text is no tags. */
export function parseTags(text: string): TagsParse {
  const trimmed = text.trim();
  if (!trimmed) return { tags: {} };
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const value: unknown = JSON.parse(trimmed);
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        return { tags: value as Record<string, unknown> };
      }
    } catch {
      // Fall through to the message below.
    }
    return { error: 'Tags written as JSON must be one object, e.g. {"team": "risk"}.' };
  }
  const tags: Record<string, unknown> = {};
  for (const part of trimmed.split(',')) {
    const pair = part.trim();
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = (eq === -1 ? pair : pair.slice(0, eq)).trim();
    const value = eq === -1 ? '' : pair.slice(eq + 1).trim();
    if (!key)
      return { error: `"${pair}" has no key: write tags as key=value, separated by commas.` };
    if (key in tags) return { error: `The tag "${key}" is given twice.` };
    tags[key] = value;
  }
  return { tags };
}

/** The inverse of parseTags for string values; JSON when a value is not a string. */
export function formatTags(tags: unknown): string {
  if (!tags || typeof tags !== 'object' || Array.isArray(tags)) return '';
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.some(([key, value]) => typeof value !== 'string' || /[,=]/.test(key + value))) {
    return JSON.stringify(tags);
  }
  return entries.map(([key, value]) => (value === '' ? key : `${key}=${String(value)}`)).join(', ');
}

/** "key: value" labels for badges. */
export function tagLabels(tags: unknown): string[] {
  if (!tags || typeof tags !== 'object' || Array.isArray(tags)) return [];
  return Object.entries(tags as Record<string, unknown>).map(([key, value]) =>
    value === '' || value === null || value === true
      ? key
      : `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`,
  );
}
