// The Audit page's filter: kept in the address bar (shareable, survives a reload), edited in a form
// of plain strings, sent as the API's AuditFilter.
import type { AuditFilter } from '@/gql/graphql';

/** The outcomes the API records, as the filter offers them. */
export const auditOutcomes = ['ok', 'forbidden', 'quota_exceeded', 'failed'] as const;

/** Actions the API records (docs/api.md, "Audit log"), offered as suggestions; any name may be typed. */
export const knownAuditActions = [
  'workspace.create',
  'quota.set',
  'apiKey.create',
  'apiKey.revoke',
  'apiKey.rotate',
  'auth.signIn',
  'model.create',
  'model.update',
  'model.delete',
  'version.upload',
  'version.train',
  'version.delete',
  'alias.set',
  'alias.delete',
  'dataset.create',
  'dataset.delete',
  'trainingJob.start',
  'trainingJob.cancel',
  'trainingJob.retry',
  'deployment.create',
  'deployment.routes',
  'deployment.delete',
] as const;

/** The form's fields: '' is "any". `from`/`to` are datetime-local values (the browser's time zone). */
export interface AuditFilterValues {
  action: string;
  outcome: string;
  actorId: string;
  workspaceId: string;
  from: string;
  to: string;
}

const fields = ['action', 'outcome', 'actorId', 'workspaceId', 'from', 'to'] as const;

export const emptyAuditFilter: AuditFilterValues = {
  action: '',
  outcome: '',
  actorId: '',
  workspaceId: '',
  from: '',
  to: '',
};

/** The filter the address bar holds. */
export function filterFromSearch(params: { get(name: string): string | null }): AuditFilterValues {
  const values = { ...emptyAuditFilter };
  for (const field of fields) values[field] = params.get(field)?.trim() ?? '';
  return values;
}

/** The address bar's query for `values` (empty fields left out). */
export function filterToSearch(values: AuditFilterValues): URLSearchParams {
  const search = new URLSearchParams();
  for (const field of fields) {
    const value = values[field].trim();
    if (value) search.set(field, value);
  }
  return search;
}

/** A datetime-local value ("2025-06-01T12:30") in the browser's zone as an ISO instant. */
function localToIso(value: string): string | null {
  if (!value) return null;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? null : time.toISOString();
}

/** What is wrong with the form, per field; empty when it can be applied. */
export function auditFilterErrors(
  values: AuditFilterValues,
): Partial<Record<'from' | 'to', string>> {
  const errors: Partial<Record<'from' | 'to', string>> = {};
  if (values.from && !localToIso(values.from)) errors.from = 'Not a date and time.';
  if (values.to && !localToIso(values.to)) errors.to = 'Not a date and time.';
  const from = localToIso(values.from);
  const to = localToIso(values.to);
  if (from && to && from > to) errors.to = 'Must be after "From".';
  return errors;
}

/** The API's filter, or null when nothing is filtered. */
export function toAuditFilter(values: AuditFilterValues): AuditFilter | null {
  const filter: AuditFilter = {};
  if (values.action.trim()) filter.action = values.action.trim();
  if (values.outcome) filter.outcome = values.outcome;
  if (values.actorId) filter.actorId = values.actorId;
  if (values.workspaceId) filter.workspaceId = values.workspaceId;
  const from = localToIso(values.from);
  const to = localToIso(values.to);
  if (from) filter.from = from;
  if (to) filter.to = to;
  return Object.keys(filter).length ? filter : null;
}
