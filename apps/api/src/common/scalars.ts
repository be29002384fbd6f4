import { DateTimeResolver, GraphQLJSON, GraphQLSafeInt } from 'graphql-scalars';
import { badInput } from './errors';

// The contract's scalar names: DateTime, JSON, SafeInt (graphql-scalars).
export const DateTimeScalar = DateTimeResolver;
export const JSONScalar = GraphQLJSON;
export const SafeIntScalar = GraphQLSafeInt;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else would only reach PostgreSQL as a syntax error. */
export function assertId(id: string, field = 'id'): string {
  if (!UUID_PATTERN.test(id))
    throw badInput(`"${field}" must be an id (a UUID), got "${id.slice(0, 64)}"`, { field });
  return id.toLowerCase();
}

export function isId(id: string): boolean {
  return UUID_PATTERN.test(id);
}

/** Tags and similar free-form maps must be JSON objects, not arrays or scalars. */
export function assertJsonObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badInput(`"${field}" must be a JSON object such as {"team": "fraud"}`, { field });
  }
  if (JSON.stringify(value).length > 16_384)
    throw badInput(`"${field}" is larger than 16 KiB`, { field });
  return value as Record<string, unknown>;
}
