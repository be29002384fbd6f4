'use client';
import { useId, useState, type FormEvent } from 'react';
import { useClient } from 'urql';
import { Play, Plus, Trash2 } from 'lucide-react';
import type { PredictQuery, TensorSpecFieldsFragment } from '@/gql/graphql';
import { PredictQuery as PredictDocument } from '@/graphql/serving';
import { describeError, type ApiErrorInfo } from '@/lib/api-error';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { Field, Input, Select, Textarea } from '@/components/ui/input';
import { ErrorMessage } from '@/components/ui/states';
import { buildRecords, categoriesOf, inputsTemplate, parseInputs } from './predict-input';
import { PredictionResult } from './prediction-result';

interface Signature {
  inputs: TensorSpecFieldsFragment[];
  features: string[] | null;
  categories: unknown;
}

/** A field per feature for tabular models (several records at once), else a JSON tensor editor. */
export function PredictForm({
  endpoint,
  version,
  signature,
}: {
  endpoint: string;
  version: number | null;
  signature: Signature;
}) {
  const id = useId();
  const client = useClient();
  const features = signature.features ?? [];
  const tabular = features.length > 0;
  const categories = categoriesOf(signature.categories);
  const emptyRow = () =>
    Object.fromEntries(features.map((f) => [f, categories[f]?.[0] ?? ''])) as Record<
      string,
      string
    >;
  const [rows, setRows] = useState<Record<string, string>[]>(() => [emptyRow()]);
  const [json, setJson] = useState(() => inputsTemplate(signature.inputs));
  const [explain, setExplain] = useState(false);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ApiErrorInfo | null>(null);
  const [result, setResult] = useState<PredictQuery['predict'] | null>(null);

  const run = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const built = tabular ? buildRecords(features, categories, rows) : parseInputs(json);
    if ('error' in built) {
      setError({ message: built.error, code: 'BAD_USER_INPUT' });
      return;
    }
    setRunning(true);
    const answer = await client
      .query(
        PredictDocument,
        {
          input: {
            model: endpoint,
            version,
            ...('records' in built
              ? { records: built.records, explain }
              : { inputs: built.inputs }),
          },
        },
        { requestPolicy: 'network-only' },
      )
      .toPromise();
    setRunning(false);
    if (answer.error) setError(describeError(answer.error));
    else if (answer.data) setResult(answer.data.predict);
  };

  return (
    <div className="grid gap-6">
      <Card>
        <CardHeader
          title={tabular ? 'Records' : 'Input tensors'}
          description={
            tabular
              ? 'One row per record; categorical features offer their categories.'
              : 'JSON: nested arrays by input name (or {"shape": [...], "data": [...]}).'
          }
        />
        <CardBody>
          <form onSubmit={(event) => void run(event)} className="grid gap-4" noValidate>
            {tabular ? (
              <>
                {rows.map((row, index) => (
                  <fieldset key={index} className="grid gap-3 rounded-lg border border-border p-3">
                    <legend className="px-1 text-xs font-medium text-muted-foreground">
                      Record {index + 1}
                    </legend>
                    <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3">
                      {features.map((feature) => {
                        const fieldId = `${id}-${index}-${feature}`;
                        const set = (value: string) =>
                          setRows(
                            rows.map((r, i) => (i === index ? { ...r, [feature]: value } : r)),
                          );
                        return (
                          <Field key={feature} label={feature} htmlFor={fieldId}>
                            {categories[feature] ? (
                              <Select
                                id={fieldId}
                                value={row[feature] ?? ''}
                                onChange={(e) => set(e.target.value)}
                              >
                                {categories[feature].map((c) => (
                                  <option key={c} value={c}>
                                    {c}
                                  </option>
                                ))}
                              </Select>
                            ) : (
                              <Input
                                id={fieldId}
                                inputMode="decimal"
                                value={row[feature] ?? ''}
                                onChange={(e) => set(e.target.value)}
                                placeholder="0.0"
                                className="font-mono"
                              />
                            )}
                          </Field>
                        );
                      })}
                    </div>
                    {rows.length > 1 ? (
                      <Button
                        variant="ghost"
                        size="sm"
                        className="justify-self-end"
                        onClick={() => setRows(rows.filter((_, i) => i !== index))}
                      >
                        <Trash2 aria-hidden />
                        Remove record {index + 1}
                      </Button>
                    ) : null}
                  </fieldset>
                ))}
                <Button
                  variant="outline"
                  size="sm"
                  className="justify-self-start"
                  onClick={() => setRows([...rows, emptyRow()])}
                >
                  <Plus aria-hidden />
                  Add a record
                </Button>
              </>
            ) : (
              <Field label="Inputs (JSON)" htmlFor={`${id}-json`}>
                <Textarea
                  id={`${id}-json`}
                  value={json}
                  onChange={(e) => setJson(e.target.value)}
                  rows={10}
                  spellCheck={false}
                  className="font-mono text-xs"
                />
              </Field>
            )}
            <ErrorMessage error={error} title="No prediction" />
            <div className="flex flex-wrap items-center justify-end gap-4">
              {tabular ? (
                <label className="flex cursor-pointer items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    className="accent-primary"
                    checked={explain}
                    onChange={(e) => setExplain(e.target.checked)}
                  />
                  Explain (feature contributions, up to 32 records)
                </label>
              ) : null}
              <Button type="submit" busy={running}>
                <Play aria-hidden />
                Predict
              </Button>
            </div>
          </form>
        </CardBody>
      </Card>
      {result ? <PredictionResult prediction={result} /> : null}
    </div>
  );
}
