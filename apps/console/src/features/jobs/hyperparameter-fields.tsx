'use client';
import { useId } from 'react';
import { Field, Input, Select } from '@/components/ui/input';
import type { HyperparameterSpec } from './hyperparameters';

/** One input per hyperparameter, typed by its spec, with its description and bounds as hint. */
// Shown first; the others sit under "More hyperparameters".
const mainHyperparameters = new Set([
  'epochs',
  'learningRate',
  'batchSize',
  'optimizer',
  'hiddenLayers',
  'task',
  'validationSplit',
  'earlyStoppingPatience',
]);

export function HyperparameterFields({
  specs,
  values,
  errors,
  onChange,
}: {
  specs: readonly HyperparameterSpec[];
  values: Readonly<Record<string, string>>;
  errors: Readonly<Record<string, string>>;
  onChange: (name: string, text: string) => void;
}) {
  const id = useId();
  const field = (spec: HyperparameterSpec) => {
    const fieldId = `${id}-${spec.name}`;
    const value = values[spec.name] ?? '';
    const range =
      spec.min !== null || spec.max !== null
        ? ` Range ${spec.min ?? '−∞'} … ${spec.max ?? '∞'}.`
        : '';
    const hint = `${spec.description}${range}`;
    return (
      <Field
        key={spec.name}
        label={spec.name}
        htmlFor={fieldId}
        hint={hint}
        error={errors[spec.name]}
      >
        {spec.type === 'boolean' ? (
          <Select id={fieldId} value={value} onChange={(e) => onChange(spec.name, e.target.value)}>
            <option value="true">true</option>
            <option value="false">false</option>
          </Select>
        ) : spec.values ? (
          <Select id={fieldId} value={value} onChange={(e) => onChange(spec.name, e.target.value)}>
            {spec.values.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </Select>
        ) : (
          <Input
            id={fieldId}
            value={value}
            inputMode={spec.type === 'int' ? 'numeric' : spec.type === 'float' ? 'decimal' : 'text'}
            onChange={(e) => onChange(spec.name, e.target.value)}
            aria-invalid={errors[spec.name] ? true : undefined}
            className="font-mono"
          />
        )}
      </Field>
    );
  };
  const main = specs.filter((s) => mainHyperparameters.has(s.name));
  const more = specs.filter((s) => !mainHyperparameters.has(s.name));
  const moreHasErrors = more.some((s) => errors[s.name]);
  return (
    <div className="grid gap-4">
      <div className="grid items-start gap-4 sm:grid-cols-2">{main.map(field)}</div>
      {more.length ? (
        <details
          open={moreHasErrors || undefined}
          className="rounded-lg border border-border px-3 py-2"
        >
          <summary className="cursor-pointer text-sm font-medium text-muted-foreground hover:text-foreground">
            More hyperparameters ({more.map((s) => s.name).join(', ')})
          </summary>
          <div className="mt-3 grid items-start gap-4 sm:grid-cols-2">{more.map(field)}</div>
        </details>
      ) : null}
    </div>
  );
}
