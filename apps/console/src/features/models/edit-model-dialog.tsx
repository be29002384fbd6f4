'use client';
import { useId, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { Pencil } from 'lucide-react';
import type { ModelTask } from '@/gql/graphql';
import { UpdateModelMutation } from '@/graphql/registry';
import { describeError } from '@/lib/api-error';
import { Button } from '@/components/ui/button';
import { Dialog, DialogClose } from '@/components/ui/dialog';
import { ErrorMessage } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { ModelDetailsFields } from './model-details-fields';
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
        <ModelDetailsFields
          id={id}
          description={description}
          onDescription={setDescription}
          descriptionRows={3}
          task={task}
          onTask={setTask}
          tagsText={tagsText}
          onTagsText={setTagsText}
          tagsError={'error' in tags ? tags.error : null}
        />
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
