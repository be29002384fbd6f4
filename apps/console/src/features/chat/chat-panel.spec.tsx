import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Provider } from 'urql';
import { describe, expect, it, vi } from 'vitest';
import { make, type Source } from 'wonka';
import type { OperationResult } from 'urql';
import { fakeClient } from '@/test/fake-api';
import { ChatPanel } from './chat-panel';
import type { Targets } from './target-picker';

const targets: Targets = {
  deployments: [],
  models: [{ id: 'm1', name: 'tiny', latestVersion: { id: 'v1', version: 1 } }],
};
const noUrl = { deployment: null, model: null, version: null };

const languageModel = (hasChatTemplate: boolean) => ({
  __typename: 'LanguageModelInfo',
  architecture: 'gpt2',
  contextLength: 128,
  vocabularySize: 50259,
  layers: 2,
  keyValueHeads: 2,
  headSize: 16,
  hasChatTemplate,
  embeddingDimensions: null,
});

/** A stream the test pushes chunks into; `cancelled` turns true when the page unsubscribes. */
function controlledStream() {
  const stream = {
    push: (_answer: Partial<OperationResult>) => undefined as void,
    complete: () => undefined as void,
    cancelled: false,
    source: null as unknown as Source<Partial<OperationResult>>,
  };
  stream.source = make<Partial<OperationResult>>((observer) => {
    stream.push = (answer) => observer.next(answer);
    stream.complete = () => observer.complete();
    return () => {
      stream.cancelled = true;
    };
  });
  return stream;
}

const chunk = (index: number, text: string, last?: { finishReason: string; usage: object }) => ({
  data: {
    generation: {
      __typename: 'GenerationChunk',
      id: 'gen-1',
      index,
      text,
      finishReason: last?.finishReason ?? null,
      usage: last?.usage ?? null,
    },
  },
});

function renderPanel(options: { hasChatTemplate?: boolean } = {}) {
  const streams: ReturnType<typeof controlledStream>[] = [];
  const subscribe = vi.fn(() => {
    const stream = controlledStream();
    streams.push(stream);
    return stream.source;
  });
  const { client, subscription } = fakeClient({
    query: (name) => {
      if (name === 'LanguageModelVersions')
        return {
          data: {
            model: {
              __typename: 'Model',
              id: 'm1',
              aliases: [],
              versions: { edges: [{ node: { __typename: 'ModelVersion', id: 'v1', version: 1 } }] },
            },
          },
        };
      if (name === 'LanguageModelVersionInfo')
        return {
          data: {
            modelVersion: {
              __typename: 'ModelVersion',
              id: 'v1',
              version: 1,
              model: { __typename: 'Model', id: 'm1', name: 'tiny' },
              languageModel: languageModel(options.hasChatTemplate ?? true),
            },
          },
        };
      return undefined;
    },
    subscribe,
  });
  render(
    <Provider value={client}>
      <ChatPanel targets={targets} fromUrl={noUrl} />
    </Provider>,
  );
  return { streams, subscribe, subscription };
}

const usage = { __typename: 'TokenUsage', promptTokens: 21, completionTokens: 3, totalTokens: 24 };

describe('ChatPanel', () => {
  it('streams the answer chunk by chunk, then shows token counts and speed', async () => {
    const user = userEvent.setup();
    const { streams, subscribe } = renderPanel();
    await screen.findByText('128 tokens');
    await user.clear(screen.getByLabelText('Temperature'));
    await user.type(screen.getByLabelText('Temperature'), '0');
    await user.type(screen.getByLabelText('Max tokens'), '16');
    await user.type(screen.getByLabelText('Message'), 'Hello there');
    await user.click(screen.getByRole('button', { name: 'Send' }));

    expect(subscribe).toHaveBeenCalledWith('Generation', {
      input: {
        model: 'tiny',
        messages: [
          { role: 'system', content: 'You are a helpful assistant.' },
          { role: 'user', content: 'Hello there' },
        ],
        temperature: 0,
        topP: 1,
        topK: 0,
        maxTokens: 16,
      },
    });
    const answer = screen.getByTestId('answer');
    expect(answer.dataset.status).toBe('streaming');
    expect(screen.getByRole('button', { name: 'Send' })).toHaveProperty('disabled', true);
    const stream = streams[0];
    if (!stream) throw new Error('no stream');
    act(() => stream.push(chunk(0, 'General')));
    expect(answer.textContent).toBe('General');
    act(() => stream.push(chunk(1, ' Kenobi')));
    expect(answer.textContent).toBe('General Kenobi');
    act(() => stream.push(chunk(2, '', { finishReason: 'length', usage })));
    expect(answer.dataset.status).toBe('done');
    expect(answer.textContent).toBe('General Kenobi');
    const stats = screen.getByTestId('turn-stats');
    expect(within(stats).getByText('21').dataset.stat).toBe('prompt-tokens');
    expect(within(stats).getByText('3').dataset.stat).toBe('completion-tokens');
    expect(stats.textContent).toContain('max tokens reached');
    expect(stats.textContent).toContain('tokens/s');
    expect(stats.querySelector('[data-stat="ttft"]')?.textContent).toMatch(/ms$/);
    // The finished stream is let go.
    expect(stream.cancelled).toBe(true);
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull();
  });

  it('sends the conversation so far with the next message', async () => {
    const user = userEvent.setup();
    const { streams, subscribe } = renderPanel();
    await screen.findByText('128 tokens');
    await user.type(screen.getByLabelText('Message'), 'one');
    await user.keyboard('{Enter}');
    act(() => streams[0]?.push(chunk(0, 'uno')));
    act(() => streams[0]?.push(chunk(1, '', { finishReason: 'stop', usage })));
    await user.type(screen.getByLabelText('Message'), 'two');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(subscribe).toHaveBeenLastCalledWith('Generation', {
      input: expect.objectContaining({
        messages: [
          { role: 'system', content: 'You are a helpful assistant.' },
          { role: 'user', content: 'one' },
          { role: 'assistant', content: 'uno' },
          { role: 'user', content: 'two' },
        ],
      }),
    });
  });

  it('Stop cancels the stream and keeps the answer so far', async () => {
    const user = userEvent.setup();
    const { streams } = renderPanel();
    await screen.findByText('128 tokens');
    await user.type(screen.getByLabelText('Message'), 'Tell me a story');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    const stream = streams[0];
    if (!stream) throw new Error('no stream');
    act(() => stream.push(chunk(0, 'Once upon')));
    await user.click(screen.getByRole('button', { name: 'Stop' }));
    expect(stream.cancelled).toBe(true);
    act(() => stream.push(chunk(1, ' a time')));
    const answer = screen.getByTestId('answer');
    expect(answer.dataset.status).toBe('stopped');
    expect(answer.textContent).toBe('Once upon');
    expect(screen.getByTestId('turn-stats').textContent).toContain('stopped');
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull();
    await user.type(screen.getByLabelText('Message'), 'Go on');
    expect(screen.getByRole('button', { name: 'Send' })).toHaveProperty('disabled', false);
  });

  it("shows the API's refusal with its code", async () => {
    const user = userEvent.setup();
    const { streams } = renderPanel();
    await screen.findByText('128 tokens');
    await user.type(screen.getByLabelText('Message'), 'Hi');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    act(() =>
      streams[0]?.push({
        error: {
          name: 'CombinedError',
          message: '[GraphQL] The prompt is 140 tokens, over the context of 128',
          graphQLErrors: [
            {
              message: 'The prompt is 140 tokens, over the context of 128',
              extensions: { code: 'BAD_USER_INPUT' },
            },
          ],
        } as never,
      }),
    );
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('over the context of 128');
    expect(alert.textContent).toContain('BAD_USER_INPUT');
    expect(screen.getByTestId('answer').dataset.status).toBe('failed');
    expect(streams[0]?.cancelled).toBe(true);
  });

  it('refuses a stream that restarts (a dropped connection) instead of mixing two answers', async () => {
    const user = userEvent.setup();
    const { streams } = renderPanel();
    await screen.findByText('128 tokens');
    await user.type(screen.getByLabelText('Message'), 'Hi');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    act(() => streams[0]?.push(chunk(0, 'a')));
    act(() => streams[0]?.push(chunk(0, 'a')));
    expect(screen.getByTestId('answer').dataset.status).toBe('failed');
    expect((await screen.findByRole('alert')).textContent).toContain('STREAM_INTERRUPTED');
  });

  it('says so when the stream ends without its last chunk, keeps the text, and lets you send again', async () => {
    const user = userEvent.setup();
    const { streams } = renderPanel();
    await screen.findByText('128 tokens');
    await user.type(screen.getByLabelText('Message'), 'Tell me a story');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    act(() => streams[0]?.push(chunk(0, 'Once upon')));
    act(() => streams[0]?.complete());
    const answer = screen.getByTestId('answer');
    expect(answer.dataset.status).toBe('failed');
    expect(answer.textContent).toBe('Once upon');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('ended before the model finished');
    expect(alert.textContent).toContain('STREAM_INTERRUPTED');
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull();
    await user.type(screen.getByLabelText('Message'), 'Go on');
    expect(screen.getByRole('button', { name: 'Send' })).toHaveProperty('disabled', false);
  });

  it('names a wrong sampling value next to its field and sends nothing', async () => {
    const user = userEvent.setup();
    const { subscribe } = renderPanel();
    await screen.findByText('128 tokens');
    await user.clear(screen.getByLabelText('Top-p'));
    await user.type(screen.getByLabelText('Top-p'), '1.5');
    await user.type(screen.getByLabelText('Message'), 'Hi');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(subscribe).not.toHaveBeenCalled();
    expect(screen.getByLabelText('Top-p').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Use a number above 0 and at most 1.')).toBeTruthy();
  });

  it('sends a completion prompt when the version has no chat template', async () => {
    const user = userEvent.setup();
    const { subscribe } = renderPanel({ hasChatTemplate: false });
    await screen.findByText(/no chat template/);
    expect(screen.getByLabelText<HTMLSelectElement>('Mode').value).toBe('completion');
    expect(screen.queryByLabelText('System prompt')).toBeNull();
    await user.type(screen.getByLabelText('Prompt'), 'Once upon a time');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(subscribe).toHaveBeenCalledWith('Generation', {
      input: expect.objectContaining({ model: 'tiny', prompt: 'Once upon a time' }),
    });
  });
});
