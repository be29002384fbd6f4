import { render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { BundleDetails } from './bundle-details';

vi.mock('next/link', () => ({
  default: ({ href, children }: { href: string; children: React.ReactNode }) => (
    <a href={href}>{children}</a>
  ),
}));

const files = [
  { path: 'config.json', sizeBytes: 612, sha256: 'a'.repeat(64) },
  { path: 'generation_config.json', sizeBytes: 140, sha256: 'b'.repeat(64) },
  { path: 'onnx/model.onnx', sizeBytes: 6_815_744, sha256: 'c'.repeat(64) },
  { path: 'tokenizer.json', sizeBytes: 2_211_840, sha256: 'd'.repeat(64) },
  { path: 'tokenizer_config.json', sizeBytes: 900, sha256: 'e'.repeat(64) },
];

const gpt2 = {
  __typename: 'LanguageModelInfo' as const,
  architecture: 'gpt2',
  contextLength: 128,
  vocabularySize: 50259,
  layers: 2,
  keyValueHeads: 2,
  headSize: 16,
  hasChatTemplate: true,
  embeddingDimensions: null,
};

describe('BundleDetails', () => {
  it("lists a decoder's config, which config files it has, and every file", () => {
    render(
      <BundleDetails
        modelName="tiny gpt"
        version={3}
        task="TEXT_GENERATION"
        languageModel={gpt2}
        files={files}
      />,
    );
    const facts = screen.getByRole('list', { name: 'Configuration files' });
    const fact = (label: string) =>
      screen.getByText(label, { selector: 'dt' }).nextElementSibling?.textContent;
    expect(fact('Architecture')).toBe('gpt2');
    expect(fact('Context length')).toBe('128 tokens');
    expect(fact('Vocabulary')).toBe('50,259');
    expect(fact('Layers')).toBe('2');
    expect(fact('KV heads')).toBe('2');
    expect(fact('Head size')).toBe('16');
    expect(fact('Chat template')).toBe('present');
    expect(screen.queryByText('Dimensions', { selector: 'dt' })).toBeNull();

    const item = (path: string) => within(facts).getByText(path).closest('li')?.textContent ?? '';
    expect(item('generation_config.json')).toContain('present');
    expect(item('special_tokens_map.json')).toContain('absent');
    expect(item('1_Pooling/config.json')).toContain('absent');

    const table = screen.getByRole('table', { name: 'Bundle files' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.querySelector('td')?.textContent)).toEqual(files.map((f) => f.path));
    expect(rows[2]?.textContent).toContain('6.50 MB');
    expect(rows[2]?.textContent).toContain('c'.repeat(64));
    expect(screen.getByRole('link', { name: /Open in Chat/ }).getAttribute('href')).toBe(
      '/chat?model=tiny%20gpt&version=3',
    );
  });

  it("shows an encoder's dimensions and links to the embeddings try-out", () => {
    render(
      <BundleDetails
        modelName="minilm"
        version={1}
        task="EMBEDDING"
        languageModel={{
          ...gpt2,
          architecture: 'bert',
          keyValueHeads: null,
          headSize: null,
          hasChatTemplate: false,
          embeddingDimensions: 384,
        }}
        files={files}
      />,
    );
    const fact = (label: string) =>
      screen.getByText(label, { selector: 'dt' }).nextElementSibling?.textContent;
    expect(fact('Dimensions')).toBe('384');
    expect(fact('Chat template')).toBe('none');
    expect(screen.queryByText('KV heads', { selector: 'dt' })).toBeNull();
    expect(screen.getByRole('link', { name: /Try embeddings/ }).getAttribute('href')).toBe(
      '/chat?tab=embeddings&model=minilm&version=1',
    );
  });
});
