'use client';
import { useId, useState, type CSSProperties, type FormEvent } from 'react';
import { useClient } from 'urql';
import { Plus, Sigma, Trash2 } from 'lucide-react';
import type { EmbedQuery } from '@/gql/graphql';
import { EmbedQuery as EmbedDocument } from '@/graphql/language-models';
import { describeError, type ApiErrorInfo } from '@/lib/api-error';
import { formatCount, formatMs } from '@/lib/format';
import { Button } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { Field, Textarea } from '@/components/ui/input';
import { ErrorMessage } from '@/components/ui/states';
import { Table, TBody, THead, Td, Th, Tr } from '@/components/ui/table';
import { checkTexts, cosineMatrix, MAX_TRY_TEXTS } from './similarity';
import { TargetPicker, useTarget, type Targets } from './target-picker';

const exampleTexts = [
  'The cat sat on the mat.',
  'A kitten is resting on the rug.',
  'Quarterly revenue grew by twelve percent.',
];

interface Result {
  texts: string[];
  embed: EmbedQuery['embed'];
  matrix: number[][];
  latencyMs: number;
}

/** Embeds a few texts with an EMBEDDING model and compares them pairwise (cosine similarity). */
export function EmbeddingsPanel({
  targets,
  fromUrl,
}: {
  targets: Targets;
  fromUrl: { deployment: string | null; model: string | null; version: string | null };
}) {
  const id = useId();
  const client = useClient();
  const target = useTarget(targets, fromUrl);
  const [texts, setTexts] = useState<string[]>(exampleTexts);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ApiErrorInfo | null>(null);
  const [result, setResult] = useState<Result | null>(null);

  const run = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const checked = checkTexts(texts);
    if ('error' in checked) {
      setError({ message: checked.error, code: 'BAD_USER_INPUT' });
      return;
    }
    if (!target.reference) {
      setError({ message: 'Pick a deployment or a model first.', code: 'BAD_USER_INPUT' });
      return;
    }
    setRunning(true);
    const started = performance.now();
    const answer = await client
      .query(
        EmbedDocument,
        { input: { model: target.reference, inputs: checked.texts } },
        { requestPolicy: 'network-only' },
      )
      .toPromise();
    setRunning(false);
    if (answer.error) {
      setError(describeError(answer.error));
      return;
    }
    if (answer.data) {
      const embed = answer.data.embed;
      setResult({
        texts: checked.texts,
        embed,
        matrix: cosineMatrix(embed.vectors),
        latencyMs: performance.now() - started,
      });
    }
  };

  return (
    <div className="grid gap-6 lg:grid-cols-[20rem_1fr]">
      <Card className="content-start self-start">
        <CardHeader title="Model" description="An EMBEDDING model, or a deployment of one." />
        <CardBody className="grid gap-4">
          <TargetPicker id={`${id}-embed`} targets={targets} state={target} />
          {target.resolved?.languageModel ? (
            <dl className="grid grid-cols-2 gap-2 text-xs" aria-label="Embedding model">
              <div className="rounded-lg border border-border px-3 py-2">
                <dt className="text-muted-foreground">Context</dt>
                <dd className="font-mono font-semibold tabular-nums">
                  {formatCount(target.resolved.languageModel.contextLength)} tokens
                </dd>
              </div>
              <div className="rounded-lg border border-border px-3 py-2">
                <dt className="text-muted-foreground">Architecture</dt>
                <dd className="font-mono font-semibold">
                  {target.resolved.languageModel.architecture}
                </dd>
              </div>
            </dl>
          ) : null}
          <ErrorMessage error={target.error} title="Cannot read the model" />
        </CardBody>
      </Card>

      <div className="grid min-w-0 content-start gap-6">
        <Card>
          <CardHeader
            title="Texts"
            description="Each text becomes one normalised vector; the matrix compares every pair."
          />
          <CardBody>
            <form onSubmit={(event) => void run(event)} className="grid gap-3" noValidate>
              {texts.map((text, index) => (
                <div key={index} className="flex items-start gap-2">
                  <Field
                    label={`Text ${index + 1}`}
                    htmlFor={`${id}-text-${index}`}
                    className="flex-1"
                  >
                    <Textarea
                      id={`${id}-text-${index}`}
                      rows={1}
                      value={text}
                      onChange={(e) =>
                        setTexts(texts.map((t, i) => (i === index ? e.target.value : t)))
                      }
                      className="min-h-9"
                    />
                  </Field>
                  {texts.length > 1 ? (
                    <Button
                      variant="ghost"
                      size="icon"
                      className="mt-6"
                      aria-label={`Remove text ${index + 1}`}
                      onClick={() => setTexts(texts.filter((_, i) => i !== index))}
                    >
                      <Trash2 aria-hidden />
                    </Button>
                  ) : null}
                </div>
              ))}
              <ErrorMessage error={error} title="No embeddings" />
              <div className="flex flex-wrap items-center justify-between gap-2">
                <Button
                  variant="outline"
                  size="sm"
                  onClick={() => setTexts([...texts, ''])}
                  disabled={texts.length >= MAX_TRY_TEXTS}
                >
                  <Plus aria-hidden />
                  Add a text
                </Button>
                <Button type="submit" busy={running} disabled={!target.reference}>
                  <Sigma aria-hidden />
                  Embed
                </Button>
              </div>
            </form>
          </CardBody>
        </Card>
        {result ? <EmbeddingsResult result={result} /> : null}
      </div>
    </div>
  );
}

/** Background of a similarity cell: the primary colour, stronger as the texts agree. */
function cellStyle(value: number): CSSProperties {
  const strength = Math.max(0, Math.min(1, value));
  return {
    backgroundColor: `color-mix(in oklch, var(--primary) ${Math.round(strength * 45)}%, transparent)`,
  };
}

function EmbeddingsResult({ result }: { result: Result }) {
  const { embed, matrix, texts } = result;
  return (
    <Card aria-label="Embeddings">
      <CardHeader
        title={`Embeddings from ${embed.modelVersion.model.name} v${embed.modelVersion.version}`}
      />
      <CardBody className="grid gap-5">
        <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4">
          {[
            ['Dimensions', formatCount(embed.dimensions), 'dimensions'],
            ['Texts', formatCount(embed.vectors.length), 'texts'],
            ['Tokens', formatCount(embed.usage.promptTokens), 'tokens'],
            ['Round trip', formatMs(result.latencyMs), 'latency'],
          ].map(([label, value, stat]) => (
            <div key={label} className="rounded-lg border border-border px-3 py-2">
              <dt className="text-xs text-muted-foreground">{label}</dt>
              <dd data-stat={stat} className="font-mono text-base font-semibold tabular-nums">
                {value}
              </dd>
            </div>
          ))}
        </dl>
        <div>
          <h3 className="mb-2 text-sm font-medium">Cosine similarity</h3>
          <Table aria-label="Cosine similarity">
            <THead>
              <Tr>
                <Th />
                {texts.map((_, j) => (
                  <Th key={j} className="text-center">
                    {j + 1}
                  </Th>
                ))}
              </Tr>
            </THead>
            <TBody>
              {matrix.map((row, i) => (
                <Tr key={i}>
                  <Th scope="row" className="max-w-64 truncate font-normal" title={texts[i]}>
                    <span className="mr-2 font-mono text-muted-foreground">{i + 1}</span>
                    {texts[i]}
                  </Th>
                  {row.map((value, j) => (
                    <Td
                      key={j}
                      data-cell={`${i}-${j}`}
                      data-value={value}
                      className="text-center font-mono text-xs tabular-nums"
                      style={cellStyle(value)}
                    >
                      {value.toFixed(3)}
                    </Td>
                  ))}
                </Tr>
              ))}
            </TBody>
          </Table>
        </div>
        <div>
          <h3 className="mb-2 text-sm font-medium">Vectors (first 8 values)</h3>
          <ol className="grid gap-1 font-mono text-xs text-muted-foreground">
            {embed.vectors.map((vector, i) => (
              <li key={i} className="truncate">
                <span className="mr-2 text-foreground">{i + 1}</span>[
                {vector
                  .slice(0, 8)
                  .map((x) => x.toFixed(4))
                  .join(', ')}
                {vector.length > 8 ? ', …' : ''}]
              </li>
            ))}
          </ol>
        </div>
      </CardBody>
    </Card>
  );
}
