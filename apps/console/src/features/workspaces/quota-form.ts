// The quota form of the Workspaces page: every quota as text, empty meaning unlimited; sizes in
// the units the console prints ("20 GB"), counts as whole numbers.
import type { QuotaFieldsFragment, QuotaInput } from '@/gql/graphql';
import { formatByteSizeInput, parseByteSize } from '@/lib/format';
import { quotaDefinitions, type QuotaName } from '@/features/quotas/quota';

export type QuotaFormValues = Record<QuotaName, string>;
export type QuotaFormErrors = Partial<Record<QuotaName, string>>;

/** GraphQL's Int: counts and rates above this are refused by the API's schema. */
const maxInt = 2 ** 31 - 1;
/** The per-day figures are SafeInts, like sizes. */
const safeIntQuotas: ReadonlySet<QuotaName> = new Set(['maxPredictionsPerDay', 'maxTokensPerDay']);

/** The form's text for a workspace's current quotas. */
export function quotaFormValues(quota: QuotaFieldsFragment): QuotaFormValues {
  const values = {} as QuotaFormValues;
  for (const { quota: name, kind } of quotaDefinitions) {
    const limit = quota[name];
    values[name] =
      limit === null ? '' : kind === 'bytes' ? formatByteSizeInput(limit) : String(limit);
  }
  return values;
}

/** The API's QuotaInput (every quota, null for unlimited), or what is wrong per field. */
export function parseQuotaForm(
  values: QuotaFormValues,
): { quota: QuotaInput; errors?: undefined } | { quota?: undefined; errors: QuotaFormErrors } {
  const quota: QuotaInput = {};
  const errors: QuotaFormErrors = {};
  for (const { quota: name, kind } of quotaDefinitions) {
    const text = values[name].trim();
    if (text === '') {
      quota[name] = null;
      continue;
    }
    if (kind === 'bytes') {
      const bytes = parseByteSize(text);
      if (bytes === null) errors[name] = 'A size such as 500 MB or 20 GB, or empty for unlimited.';
      else quota[name] = bytes;
      continue;
    }
    const count = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    const max = safeIntQuotas.has(name) ? Number.MAX_SAFE_INTEGER : maxInt;
    if (!Number.isSafeInteger(count) || count > max) {
      errors[name] = 'A whole number of 0 or more, or empty for unlimited.';
    } else {
      quota[name] = count;
    }
  }
  return Object.keys(errors).length ? { errors } : { quota };
}

/** The quota a BAD_USER_INPUT's `field` names ("maxModels", "quota.maxModels"), if any. */
export function quotaFieldOf(field: string | undefined): QuotaName | null {
  const name = field?.split('.').pop();
  return quotaDefinitions.find((d) => d.quota === name)?.quota ?? null;
}
