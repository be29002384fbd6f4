'use client';
import { useRouter } from 'next/navigation';
import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Plus } from 'lucide-react';
import { ModelVersionNumbersQuery } from '@/graphql/registry';
import { CreateDeploymentMutation, DeploymentModelsQuery } from '@/graphql/serving';
import { describeError } from '@/lib/api-error';
import { Button } from '@/components/ui/button';
import { Dialog, DialogClose } from '@/components/ui/dialog';
import { Field, Input, Select } from '@/components/ui/input';
import { ErrorMessage } from '@/components/ui/states';
import { useToast } from '@/components/ui/toast';
import { modelNameProblem } from '@/features/models/model-name';

/** "New deployment": an endpoint name, a model and the version that gets all traffic at first. */
export function CreateDeploymentDialog() {
  const id = useId();
  const router = useRouter();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [{ data }] = useQuery({ query: DeploymentModelsQuery, pause: !open });
  const models = (data?.models.edges.map((e) => e.node) ?? []).filter((m) => m.latestVersion);
  const [name, setName] = useState('');
  const [modelId, setModelId] = useState('');
  const [versionId, setVersionId] = useState('');
  const [touched, setTouched] = useState(false);
  const [created, createDeployment] = useMutation(CreateDeploymentMutation);

  const model = models.find((m) => m.id === modelId) ?? models[0];
  const [versionList] = useQuery({
    query: ModelVersionNumbersQuery,
    variables: { name: model?.name ?? '' },
    pause: !open || !model,
  });
  const versions = versionList.data?.model?.versions.edges.map((e) => e.node) ?? [];
  const version = versions.find((v) => v.id === versionId) ?? versions[0];
  const nameProblem = modelNameProblem(name);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (nameProblem || !model || !version) return;
    const result = await createDeployment({
      input: { name, modelId: model.id, routes: [{ versionId: version.id, weight: 100 }] },
    });
    if (result.data) {
      toast.success(`Deployment ${name} serves ${model.name} v${version.version}.`);
      setOpen(false);
      router.push(`/deployments/${encodeURIComponent(name)}`);
    }
  };

  return (
    <Dialog
      open={open}
      onOpenChange={setOpen}
      title="New deployment"
      description="An endpoint for predict and /v2/models/{name}. Add a canary version later from its page."
      trigger={
        <Button>
          <Plus aria-hidden />
          New deployment
        </Button>
      }
    >
      <form className="grid gap-4" onSubmit={(event) => void submit(event)} noValidate>
        <Field
          label="Endpoint name"
          htmlFor={`${id}-name`}
          hint="Lowercase; may not be the name of a model"
          error={touched ? nameProblem : null}
        >
          <Input
            id={`${id}-name`}
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="prices-api"
            autoComplete="off"
            autoFocus
          />
        </Field>
        <Field
          label="Model"
          htmlFor={`${id}-model`}
          error={touched && !model ? 'No model has a version yet.' : null}
        >
          <Select
            id={`${id}-model`}
            value={model?.id ?? ''}
            onChange={(e) => {
              setModelId(e.target.value);
              setVersionId('');
            }}
          >
            {models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Version" htmlFor={`${id}-version`} hint="Gets 100% of the traffic">
          <Select
            id={`${id}-version`}
            value={version?.id ?? ''}
            onChange={(e) => setVersionId(e.target.value)}
          >
            {versions.map((v) => (
              <option key={v.id} value={v.id}>
                v{v.version}
              </option>
            ))}
          </Select>
        </Field>
        <ErrorMessage error={describeError(created.error)} title="The deployment was not created" />
        <div className="flex justify-end gap-2">
          <DialogClose>
            <Button variant="outline">Cancel</Button>
          </DialogClose>
          <Button type="submit" busy={created.fetching}>
            Deploy
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
