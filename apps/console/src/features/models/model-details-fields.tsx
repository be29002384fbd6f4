'use client';
import type { ModelTask } from '@/gql/graphql';
import { humanizeEnum } from '@/lib/format';
import { Field, Input, Select, Textarea } from '@/components/ui/input';

export const modelTasks: readonly ModelTask[] = [
  'REGRESSION',
  'BINARY_CLASSIFICATION',
  'MULTICLASS_CLASSIFICATION',
  'OTHER',
];

export interface ModelDetailsFieldsProps {
  /** Prefix of the inputs' ids (from `useId`). */
  id: string;
  description: string;
  onDescription: (value: string) => void;
  descriptionRows: number;
  task: ModelTask;
  onTask: (value: ModelTask) => void;
  tagsText: string;
  onTagsText: (value: string) => void;
  tagsError: string | null;
}

/** The description, task and tags fields that creating and editing a model share. */
export function ModelDetailsFields(props: ModelDetailsFieldsProps) {
  const { id } = props;
  return (
    <>
      <Field label="Description" htmlFor={`${id}-description`}>
        <Textarea
          id={`${id}-description`}
          value={props.description}
          onChange={(e) => props.onDescription(e.target.value)}
          rows={props.descriptionRows}
        />
      </Field>
      <Field label="Task" htmlFor={`${id}-task`}>
        <Select
          id={`${id}-task`}
          value={props.task}
          onChange={(e) => props.onTask(e.target.value as ModelTask)}
        >
          {modelTasks.map((t) => (
            <option key={t} value={t}>
              {humanizeEnum(t)}
            </option>
          ))}
        </Select>
      </Field>
      <Field
        label="Tags"
        htmlFor={`${id}-tags`}
        hint="key=value, separated by commas (or a JSON object)"
        error={props.tagsError}
      >
        <Input
          id={`${id}-tags`}
          value={props.tagsText}
          onChange={(e) => props.onTagsText(e.target.value)}
          placeholder="team=pricing, stage=beta"
          autoComplete="off"
        />
      </Field>
    </>
  );
}
