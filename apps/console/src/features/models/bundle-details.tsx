'use client';
import Link from 'next/link';
import { MessageSquare, Sigma } from 'lucide-react';
import type { LanguageModelInfoFieldsFragment } from '@/gql/graphql';
import { formatBytes, formatCount } from '@/lib/format';
import { Badge } from '@/components/ui/badge';
import { Table, TBody, THead, Td, Th, Tr } from '@/components/ui/table';

export interface BundleFileRow {
  path: string;
  sizeBytes: number;
  sha256: string;
}

/** The files of a bundle that configure tokenization and generation, and what each is for. */
export const configFiles: readonly { path: string; what: string }[] = [
  { path: 'config.json', what: 'architecture and dimensions' },
  { path: 'tokenizer.json', what: 'the tokenizer (vocabulary, merges, pre-tokenizer)' },
  { path: 'tokenizer_config.json', what: 'special tokens and the chat template' },
  { path: 'special_tokens_map.json', what: 'BOS, EOS, padding tokens' },
  { path: 'generation_config.json', what: 'EOS ids and default sampling' },
  { path: '1_Pooling/config.json', what: 'sentence-embedding pooling (mean or CLS)' },
];

/** A language-model bundle's config as the API reads it, and its files. */
export function BundleDetails({
  modelName,
  version,
  task,
  languageModel,
  files,
}: {
  modelName: string;
  version: number;
  task: string;
  languageModel: LanguageModelInfoFieldsFragment | null;
  files: readonly BundleFileRow[];
}) {
  const present = new Set(files.map((f) => f.path));
  const facts: [string, string][] = languageModel
    ? [
        ['Architecture', languageModel.architecture],
        ['Context length', `${formatCount(languageModel.contextLength)} tokens`],
        ['Vocabulary', formatCount(languageModel.vocabularySize)],
        ['Layers', formatCount(languageModel.layers)],
        ...(languageModel.keyValueHeads !== null
          ? ([['KV heads', formatCount(languageModel.keyValueHeads)]] as [string, string][])
          : []),
        ...(languageModel.headSize !== null
          ? ([['Head size', formatCount(languageModel.headSize)]] as [string, string][])
          : []),
        ...(languageModel.embeddingDimensions !== null
          ? ([['Dimensions', formatCount(languageModel.embeddingDimensions)]] as [string, string][])
          : []),
      ]
    : [];
  const tryHref =
    task === 'EMBEDDING'
      ? `/chat?tab=embeddings&model=${encodeURIComponent(modelName)}&version=${version}`
      : `/chat?model=${encodeURIComponent(modelName)}&version=${version}`;
  const total = files.reduce((sum, f) => sum + f.sizeBytes, 0);

  return (
    <>
      {languageModel ? (
        <div>
          <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
            <h4 className="text-sm font-medium">Language model</h4>
            {task === 'TEXT_GENERATION' || task === 'EMBEDDING' ? (
              <Link
                href={tryHref}
                className="inline-flex h-8 items-center gap-1.5 rounded-md border border-input bg-card px-3 text-xs font-medium hover:bg-muted"
              >
                {task === 'EMBEDDING' ? (
                  <Sigma aria-hidden className="size-4" />
                ) : (
                  <MessageSquare aria-hidden className="size-4" />
                )}
                {task === 'EMBEDDING' ? 'Try embeddings' : 'Open in Chat'}
              </Link>
            ) : null}
          </div>
          <dl aria-label="Language model" className="grid grid-cols-2 gap-2 sm:grid-cols-4">
            {facts.map(([label, value]) => (
              <div key={label} className="rounded-lg border border-border px-3 py-2">
                <dt className="text-xs text-muted-foreground">{label}</dt>
                <dd className="font-mono text-sm font-semibold tabular-nums">{value}</dd>
              </div>
            ))}
            <div className="rounded-lg border border-border px-3 py-2">
              <dt className="text-xs text-muted-foreground">Chat template</dt>
              <dd className="text-sm font-semibold">
                {languageModel.hasChatTemplate ? (
                  <Badge tone="success">present</Badge>
                ) : (
                  <Badge>none</Badge>
                )}
              </dd>
            </div>
          </dl>
        </div>
      ) : null}

      <div>
        <h4 className="mb-2 text-sm font-medium">Tokenizer and generation settings</h4>
        <ul aria-label="Configuration files" className="grid gap-1.5 text-sm">
          {configFiles.map(({ path, what }) => (
            <li key={path} className="grid grid-cols-[4.5rem_12rem_1fr] items-baseline gap-2">
              {present.has(path) ? (
                <Badge tone="success" className="justify-self-start">
                  present
                </Badge>
              ) : (
                <Badge className="justify-self-start">absent</Badge>
              )}
              <code className="truncate font-mono text-xs">{path}</code>
              <span className="min-w-0 text-xs text-muted-foreground">{what}</span>
            </li>
          ))}
        </ul>
      </div>

      <div>
        <h4 className="mb-2 text-sm font-medium">
          Files{' '}
          <span className="font-normal text-muted-foreground">
            ({formatCount(files.length)}, {formatBytes(total)})
          </span>
        </h4>
        <Table aria-label="Bundle files">
          <THead>
            <Tr>
              <Th>Path</Th>
              <Th className="text-right">Size</Th>
              <Th>SHA-256</Th>
            </Tr>
          </THead>
          <TBody>
            {files.map((file) => (
              <Tr key={file.path}>
                <Td className="font-mono text-xs">{file.path}</Td>
                <Td className="text-right font-mono text-xs whitespace-nowrap tabular-nums">
                  {formatBytes(file.sizeBytes)}
                </Td>
                <Td>
                  <code className="font-mono text-[11px] break-all text-muted-foreground select-all">
                    {file.sha256}
                  </code>
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      </div>
    </>
  );
}
