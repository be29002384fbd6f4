import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { describe, expect, it, vi } from 'vitest';
import { fakeClient } from '@/test/fake-api';
import { ChatView } from './chat-view';

const search = { value: '' };
vi.mock('next/navigation', () => ({
  useSearchParams: () => new URLSearchParams(search.value),
}));

const model = (id: string, name: string, task: string) => ({
  node: {
    __typename: 'Model',
    id,
    name,
    task,
    latestVersion: { __typename: 'ModelVersion', id: `${id}-v1`, version: 1 },
  },
});

function renderView(url: string, embeddingModels: ReturnType<typeof model>[] = []) {
  search.value = url;
  const { client } = fakeClient({
    query: (name) =>
      name === 'LanguageModelTargets'
        ? {
            data: {
              deployments: [
                {
                  __typename: 'Deployment',
                  id: 'd1',
                  name: 'scorer',
                  // Not a language model: not offered.
                  model: { __typename: 'Model', id: 'm9', name: 'prices', task: 'REGRESSION' },
                  routes: [],
                },
              ],
              textModels: { edges: [model('m1', 'tiny', 'TEXT_GENERATION')] },
              embeddingModels: { edges: embeddingModels },
            },
          }
        : undefined,
  });
  render(
    <Provider value={client}>
      <ChatView />
    </Provider>,
  );
}

describe('ChatView', () => {
  it('opens on the chat tab with the model and version the URL names', () => {
    renderView('model=tiny&version=1');
    expect(screen.getByRole('tab', { name: 'Chat' }).getAttribute('aria-selected')).toBe('true');
    expect(screen.getByText('model: tiny@1')).toBeTruthy();
    const options = Array.from(
      screen.getByLabelText<HTMLSelectElement>('Deployment or model').options,
    ).map((o) => o.textContent);
    expect(options).toEqual(['tiny']);
  });

  it('switches to the embeddings tab, which says when there is no embedding model', async () => {
    const user = userEvent.setup();
    renderView('');
    await user.click(screen.getByRole('tab', { name: 'Embeddings' }));
    expect(screen.getByRole('tab', { name: 'Embeddings' }).getAttribute('aria-selected')).toBe(
      'true',
    );
    expect(screen.getByText('No embedding model yet')).toBeTruthy();
    expect(window.location.search).toBe('?tab=embeddings');
  });

  it('opens the embeddings tab from the URL with its model', () => {
    renderView('tab=embeddings&model=minilm', [model('m2', 'minilm', 'EMBEDDING')]);
    expect(screen.getByRole('tab', { name: 'Embeddings' }).getAttribute('aria-selected')).toBe(
      'true',
    );
    expect(screen.getByRole('button', { name: 'Embed' })).toBeTruthy();
    expect(screen.getByText('model: minilm')).toBeTruthy();
  });
});
