'use client';
import { useId, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { Pencil } from 'lucide-react';
import type { ModelTask } from '@/gql/graphql';
import { UpdateModelMutation } from '@/graphql/registry';
import { describeError } from '@/lib/api-error';
import { humanizeEnum } from '@/lib/format';
import { Button } from '@/components/ui/button';
import { Dialog, DialogClose } from '@/components/ui/dialog';
import { Field, Input, Select, Textarea } from '@/components/ui/input';
import { ErrorMessage } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { modelTasks } from './create-model-dialog';
import { formatTags, parseTags } from './tags';

/** Edits a model's description, task and tags. */
export function EditModelDialog({
  model,
}: {
  model: { id: string; name: string; description: string | null; task: ModelTask; tags: unknown };
}) {
  const id = useId();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [description, setDescription] = useState(model.description ?? '');
  const [task, setTask] = useState<ModelTask>(model.task);
  const [tagsText, setTagsText] = useState(formatTags(model.tags));
  const [{ fetching, error }, updateModel] = useMutation(UpdateModelMutation);
  const tags = parseTags(tagsText);

  const onOpenChange = (next: boolean) => {
    setOpen(next);
    if (next) {
      setDescription(model.description ?? '');
      setTask(model.task);
      setTagsText(formatTags(model.tags));
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if ('error' in tags) return;
    const result = await updateModel({
      id: model.id,
      input: { description: description.trim() || null, task, tags: tags.tags },
    });
    if (!result.error) {
      toast.success(`Model ${model.name} saved.`);
      setOpen(false);
    }
  };

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={`Edit ${model.name}`}
      trigger={
        <Button variant="outline">
          <Pencil aria-hidden />
          Edit
        </Button>
      }
    >
      <form className="grid gap-4" onSubmit={(event) => void submit(event)}>
        <Field label="Description" htmlFor={`${id}-description`}>
          <Textarea
            id={`${id}-description`}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            rows={3}
          />
        </Field>
        <Field label="Task" htmlFor={`${id}-task`}>
          <Select
            id={`${id}-task`}
            value={task}
            onChange={(e) => setTask(e.target.value as ModelTask)}
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
          error={'error' in tags ? tags.error : null}
        >
          <Input id={`${id}-tags`} value={tagsText} onChange={(e) => setTagsText(e.target.value)} />
        </Field>
        <ErrorMessage error={describeError(error)} title="Not saved" />
        <div className="flex justify-end gap-2">
          <DialogClose>
            <Button variant="outline">Cancel</Button>
          </DialogClose>
          <Button type="submit" busy={fetching} disabled={'error' in tags}>
            Save
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
