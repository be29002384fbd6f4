'use client';
import { useId, useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { useMutation } from 'urql';
import { Plus } from 'lucide-react';
import type { ModelTask } from '@/gql/graphql';
import { CreateModelMutation } from '@/graphql/registry';
import { describeError } from '@/lib/api-error';
import { Button } from '@/components/ui/button';
import { Dialog, DialogClose } from '@/components/ui/dialog';
import { Field, Input } from '@/components/ui/input';
import { ErrorMessage } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { ModelDetailsFields } from './model-details-fields';
import { modelNameProblem } from './model-name';
import { parseTags } from './tags';

/** "New model": name, description, task, tags; opens the model's page when created. */
export function CreateModelDialog() {
  const [open, setOpen] = useState(false);
  const router = useRouter();
  const toast = useToast();
  const id = useId();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [task, setTask] = useState<ModelTask>('REGRESSION');
  const [tagsText, setTagsText] = useState('');
  const [touched, setTouched] = useState(false);
  const [{ fetching, error }, createModel] = useMutation(CreateModelMutation);

  const nameProblem = modelNameProblem(name);
  const tags = parseTags(tagsText);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (nameProblem || 'error' in tags) return;
    const result = await createModel({
      input: { name, description: description.trim() || null, task, tags: tags.tags },
    });
    if (result.data) {
      toast.success(`Model ${result.data.createModel.name} created.`);
      setOpen(false);
      router.push(`/models/${encodeURIComponent(result.data.createModel.name)}`);
    }
  };

  return (
    <Dialog
      open={open}
      onOpenChange={setOpen}
      title="New model"
      description="A model groups the versions you upload or train."
      trigger={
        <Button>
          <Plus aria-hidden />
          New model
        </Button>
      }
    >
      <form className="grid gap-4" onSubmit={(event) => void submit(event)} noValidate>
        <Field
          label="Name"
          htmlFor={`${id}-name`}
          hint="Lowercase letters, digits, - _ . (used in URLs and predict)"
          error={touched ? nameProblem : null}
        >
          <Input
            id={`${id}-name`}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="house-prices"
            autoComplete="off"
            aria-invalid={touched && nameProblem ? true : undefined}
            autoFocus
          />
        </Field>
        <ModelDetailsFields
          id={id}
          description={description}
          onDescription={setDescription}
          descriptionRows={2}
          task={task}
          onTask={setTask}
          tagsText={tagsText}
          onTagsText={setTagsText}
          tagsError={'error' in tags ? tags.error : null}
        />
        <ErrorMessage error={describeError(error)} title="The model was not created" />
        <div className="flex justify-end gap-2">
          <DialogClose>
            <Button variant="outline">Cancel</Button>
          </DialogClose>
          <Button type="submit" busy={fetching}>
            Create model
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
