import { OnnxFormatError } from './errors';

/** The `metadata_props` keys that make a model tabular (values are JSON). */
export const MAAS_METADATA_KEYS = {
  features: 'maas.features',
  labels: 'maas.labels',
  categories: 'maas.categories',
} as const;

/** Feature names (input column order), class labels (probability order) and categorical feature levels. */
export interface TabularMetadata {
  features?: string[];
  labels?: string[];
  /** Feature name → its categories; the model is fed a category's index. */
  categories?: Record<string, string[]>;
}

function checkStringList(value: unknown, key: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new OnnxFormatError(`metadata '${key}' must be a JSON array of strings`);
  }
  const seen = new Set<string>();
  for (const v of value) {
    if (seen.has(v)) throw new OnnxFormatError(`metadata '${key}' lists '${v}' twice`);
    seen.add(v);
  }
  return value;
}

function checkCategories(value: unknown, features: string[] | undefined): Record<string, string[]> {
  const key = MAAS_METADATA_KEYS.categories;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OnnxFormatError(
      `metadata '${key}' must be a JSON object mapping a feature name to an array of strings`,
    );
  }
  const categories: Record<string, string[]> = {};
  for (const [feature, levels] of Object.entries(value)) {
    if (features && !features.includes(feature)) {
      throw new OnnxFormatError(
        `metadata '${key}' names feature '${feature}', which is not in '${MAAS_METADATA_KEYS.features}'`,
      );
    }
    categories[feature] = checkStringList(levels, `${key}.${feature}`);
  }
  return categories;
}

/** Checks tabular metadata and returns it as `metadata_props` entries (JSON strings). */
export function encodeTabularMetadata(tabular: TabularMetadata): Record<string, string> {
  const entries: Record<string, string> = {};
  if (tabular.features)
    entries[MAAS_METADATA_KEYS.features] = JSON.stringify(
      checkStringList(tabular.features, MAAS_METADATA_KEYS.features),
    );
  if (tabular.labels)
    entries[MAAS_METADATA_KEYS.labels] = JSON.stringify(
      checkStringList(tabular.labels, MAAS_METADATA_KEYS.labels),
    );
  if (tabular.categories)
    entries[MAAS_METADATA_KEYS.categories] = JSON.stringify(
      checkCategories(tabular.categories, tabular.features),
    );
  return entries;
}

function parseJson(metadata: Readonly<Record<string, string>>, key: string): unknown {
  const text = metadata[key];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new OnnxFormatError(`metadata '${key}' is not valid JSON`, { cause });
  }
}

/** Reads and checks `maas.*` entries from a model's metadata; throws {@link OnnxFormatError} when malformed. */
export function parseTabularMetadata(metadata: Readonly<Record<string, string>>): TabularMetadata {
  const tabular: TabularMetadata = {};
  const features = parseJson(metadata, MAAS_METADATA_KEYS.features);
  if (features !== undefined)
    tabular.features = checkStringList(features, MAAS_METADATA_KEYS.features);
  const labels = parseJson(metadata, MAAS_METADATA_KEYS.labels);
  if (labels !== undefined) tabular.labels = checkStringList(labels, MAAS_METADATA_KEYS.labels);
  const categories = parseJson(metadata, MAAS_METADATA_KEYS.categories);
  if (categories !== undefined) tabular.categories = checkCategories(categories, tabular.features);
  return tabular;
}
