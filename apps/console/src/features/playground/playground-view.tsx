'use client';
import { useSearchParams } from 'next/navigation';
import { useId, useState } from 'react';
import { useQuery } from 'urql';
import { SquareTerminal } from 'lucide-react';
import { ModelVersionNumbersQuery } from '@/graphql/registry';
import { PlaygroundSignatureQuery, PlaygroundTargetsQuery } from '@/graphql/serving';
import { describeError } from '@/lib/api-error';
import { PageHeader } from '@/components/page-header';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { Field, Select } from '@/components/ui/input';
import { EmptyState, ErrorMessage, LoadingRows } from '@/components/ui/states';
import { SignatureTable } from '@/features/models/signature-table';
import { PredictForm } from './predict-form';

/** `/playground`: pick a deployment or a model, fill a form generated from its signature, predict. */
export function PlaygroundView() {
  const id = useId();
  const params = useSearchParams();
  const [{ data, fetching, error }] = useQuery({ query: PlaygroundTargetsQuery });
  const deployments = data?.deployments ?? [];
  const models = data?.models.edges.map((e) => e.node) ?? [];
  const fromUrl = params.get('deployment')
    ? `d:${params.get('deployment')}`
    : params.get('model')
      ? `m:${params.get('model')}`
      : null;
  const [chosen, setChosen] = useState<string | null>(fromUrl);
  const [versionChoice, setVersionChoice] = useState('');
  const target =
    chosen ??
    (deployments[0] ? `d:${deployments[0].name}` : models[0] ? `m:${models[0].name}` : '');
  const [kind, name] = [target.slice(0, 1), target.slice(2)];
  const deployment = kind === 'd' ? deployments.find((d) => d.name === name) : undefined;
  const model = kind === 'm' ? models.find((m) => m.name === name) : undefined;
  const [versionList] = useQuery({
    query: ModelVersionNumbersQuery,
    variables: { name: model?.name ?? '' },
    pause: !model,
  });
  const versions = versionList.data?.model?.versions.edges.map((e) => e.node) ?? [];

  // The version whose signature shapes the form: the deployment's heaviest route, or the
  // model's chosen version, else its production alias, else its latest version (as predict does).
  const signatureVersionId = deployment
    ? [...deployment.routes].sort((a, b) => b.weight - a.weight)[0]?.version.id
    : model
      ? (versions.find((v) => String(v.version) === versionChoice)?.id ??
        model.aliases.find((a) => a.alias === 'production')?.version.id ??
        model.latestVersion?.id)
      : undefined;
  const [signature] = useQuery({
    query: PlaygroundSignatureQuery,
    variables: { id: signatureVersionId ?? '' },
    pause: !signatureVersionId,
  });
  const version = signature.data?.modelVersion;

  return (
    <>
      <PageHeader
        title="Playground"
        description="Send a prediction through the same API your services use."
      />
      <ErrorMessage error={describeError(error)} title="Cannot list models" className="mb-4" />
      {fetching && !data ? (
        <LoadingRows rows={4} />
      ) : !deployments.length && !models.some((m) => m.latestVersion) ? (
        <Card>
          <EmptyState
            icon={<SquareTerminal />}
            title="Nothing to predict with yet"
            description="Upload or train a model version first."
          />
        </Card>
      ) : (
        <div className="grid gap-6 lg:grid-cols-[22rem_1fr]">
          <div className="grid content-start gap-6">
            <Card>
              <CardHeader title="Endpoint" />
              <CardBody className="grid gap-4">
                <Field label="Deployment or model" htmlFor={`${id}-target`}>
                  <Select
                    id={`${id}-target`}
                    value={target}
                    onChange={(e) => {
                      setChosen(e.target.value);
                      setVersionChoice('');
                    }}
                  >
                    {deployments.length ? (
                      <optgroup label="Deployments">
                        {deployments.map((d) => (
                          <option key={d.id} value={`d:${d.name}`}>
                            {d.name} → {d.model.name}
                          </option>
                        ))}
                      </optgroup>
                    ) : null}
                    <optgroup label="Models">
                      {models
                        .filter((m) => m.latestVersion)
                        .map((m) => (
                          <option key={m.id} value={`m:${m.name}`}>
                            {m.name}
                          </option>
                        ))}
                    </optgroup>
                  </Select>
                </Field>
                {model ? (
                  <Field label="Version" htmlFor={`${id}-version`}>
                    <Select
                      id={`${id}-version`}
                      value={versionChoice}
                      onChange={(e) => setVersionChoice(e.target.value)}
                    >
                      <option value="">Default (production alias, else latest)</option>
                      {versions.map((v) => (
                        <option key={v.id} value={String(v.version)}>
                          v{v.version}
                        </option>
                      ))}
                    </Select>
                  </Field>
                ) : deployment ? (
                  <p className="text-sm text-muted-foreground">
                    The deployment picks the version by its route weights; the form follows v
                    {version?.version ?? '…'}, its main route.
                  </p>
                ) : null}
              </CardBody>
            </Card>
            {version ? (
              <Card>
                <CardHeader title={`Signature of ${version.model.name} v${version.version}`} />
                <CardBody>
                  <SignatureTable signature={version.signature} />
                </CardBody>
              </Card>
            ) : null}
          </div>
          <div className="min-w-0">
            <ErrorMessage
              error={describeError(signature.error)}
              title="Cannot read the signature"
              className="mb-4"
            />
            {version ? (
              <PredictForm
                key={version.id}
                endpoint={name}
                version={model && versionChoice ? Number(versionChoice) : null}
                signature={version.signature}
              />
            ) : (
              <LoadingRows rows={4} label="Loading the signature" />
            )}
          </div>
        </div>
      )}
    </>
  );
}
