import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { describe, expect, it, vi } from 'vitest';
import { fakeClient } from '@/test/fake-api';
import { EmbeddingsPanel } from './embeddings-panel';
import type { Targets } from './target-picker';

const targets: Targets = {
  deployments: [
    {
      id: 'd1',
      name: 'search',
      model: { name: 'minilm' },
      routes: [{ weight: 100, version: { id: 'v1', version: 1 } }],
    },
  ],
  models: [{ id: 'm1', name: 'minilm', latestVersion: { id: 'v1', version: 1 } }],
};

// Three unit vectors: the first two 60° apart (cos 0.5), the third orthogonal to both.
const vectors = [
  [1, 0, 0],
  [0.5, Math.sqrt(3) / 2, 0],
  [0, 0, 1],
];

function renderPanel(embed: (variables: unknown) => object) {
  const answer = vi.fn(embed);
  const { client } = fakeClient({
    query: (name, variables) => {
      if (name === 'Embed') return answer(variables);
      return undefined;
    },
  });
  render(
    <Provider value={client}>
      <EmbeddingsPanel
        targets={targets}
        fromUrl={{ deployment: null, model: null, version: null }}
      />
    </Provider>,
  );
  return answer;
}

const embedded = {
  data: {
    embed: {
      __typename: 'Embeddings',
      vectors,
      dimensions: 3,
      usage: { __typename: 'TokenUsage', promptTokens: 27, totalTokens: 27 },
      modelVersion: {
        __typename: 'ModelVersion',
        id: 'v1',
        version: 1,
        model: { __typename: 'Model', id: 'm1', name: 'minilm' },
      },
    },
  },
};

describe('EmbeddingsPanel', () => {
  it('embeds the texts and shows dimensions, tokens and the cosine matrix', async () => {
    const user = userEvent.setup();
    const answer = renderPanel(() => embedded);
    await user.click(screen.getByRole('button', { name: 'Embed' }));
    expect(answer).toHaveBeenCalledWith({
      input: {
        model: 'search',
        inputs: [
          'The cat sat on the mat.',
          'A kitten is resting on the rug.',
          'Quarterly revenue grew by twelve percent.',
        ],
      },
    });
    const matrix = await screen.findByRole('table', { name: 'Cosine similarity' });
    const cell = (i: number, j: number) =>
      matrix.querySelector(`[data-cell="${i}-${j}"]`)?.textContent;
    expect(cell(0, 0)).toBe('1.000');
    expect(cell(0, 1)).toBe('0.500');
    expect(cell(1, 0)).toBe('0.500');
    expect(cell(0, 2)).toBe('0.000');
    expect(cell(2, 2)).toBe('1.000');
    expect(within(matrix).getAllByRole('row')).toHaveLength(4);
    expect(document.querySelector('[data-stat="dimensions"]')?.textContent).toBe('3');
    expect(document.querySelector('[data-stat="tokens"]')?.textContent).toBe('27');
  });

  it('sends the texts as edited, and refuses an empty one before asking the API', async () => {
    const user = userEvent.setup();
    const answer = renderPanel(() => embedded);
    await user.click(screen.getByRole('button', { name: 'Remove text 3' }));
    await user.click(screen.getByRole('button', { name: 'Add a text' }));
    await user.click(screen.getByRole('button', { name: 'Embed' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Text 3 is empty');
    expect(answer).not.toHaveBeenCalled();
    await user.type(screen.getByLabelText('Text 3'), 'dogs');
    await user.selectOptions(screen.getByLabelText('Deployment or model'), 'm:minilm');
    await user.click(screen.getByRole('button', { name: 'Embed' }));
    expect(answer).toHaveBeenCalledWith({
      input: {
        model: 'minilm',
        inputs: ['The cat sat on the mat.', 'A kitten is resting on the rug.', 'dogs'],
      },
    });
  });

  it("shows the API's refusal", async () => {
    const user = userEvent.setup();
    renderPanel(() => ({
      error: {
        name: 'CombinedError',
        message: '[GraphQL] minilm is not an EMBEDDING model',
        graphQLErrors: [
          { message: 'minilm is not an EMBEDDING model', extensions: { code: 'BAD_USER_INPUT' } },
        ],
      },
    }));
    await user.click(screen.getByRole('button', { name: 'Embed' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('not an EMBEDDING model');
    expect(alert.textContent).toContain('BAD_USER_INPUT');
  });
});
