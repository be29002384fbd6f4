'use client';
import { useEffect, useId, useReducer, useRef, useState, type KeyboardEvent } from 'react';
import { useClient } from 'urql';
import { onEnd, pipe, subscribe } from 'wonka';
import { Bot, Eraser, MessageSquare, Send, Square, User } from 'lucide-react';
import type { GenerateInput } from '@/gql/graphql';
import { GenerationSubscription } from '@/graphql/language-models';
import { describeError, type ApiErrorInfo } from '@/lib/api-error';
import { cn } from '@/lib/cn';
import { formatCount, formatMs } from '@/lib/format';
import { Badge } from '@/components/ui/badge';
import { Button, Spinner } from '@/components/ui/button';
import { Card, CardBody, CardHeader } from '@/components/ui/card';
import { Field, Input, Select, Textarea } from '@/components/ui/input';
import { EmptyState, ErrorMessage } from '@/components/ui/states';
import {
  chatMessages,
  conversationReducer,
  emptyConversation,
  turnStats,
  type Turn,
} from './conversation';
import { defaultSampling, parseSampling, type SamplingField, type SamplingForm } from './sampling';
import { TargetPicker, useTarget, type Targets } from './target-picker';

type Mode = 'chat' | 'completion';

interface Active {
  turnId: number;
  unsubscribe: () => void;
  /** The generation's id and the next chunk index expected: a restarted stream is refused. */
  generationId: string | null;
  nextIndex: number;
  ended: boolean;
}

const samplingFields: { field: Exclude<SamplingField, 'stop'>; label: string; hint: string }[] = [
  { field: 'temperature', label: 'Temperature', hint: '0 is greedy, up to 2' },
  { field: 'topP', label: 'Top-p', hint: 'Above 0, up to 1' },
  { field: 'topK', label: 'Top-k', hint: '0 for none' },
  { field: 'maxTokens', label: 'Max tokens', hint: 'Empty: fill the context' },
  { field: 'seed', label: 'Seed', hint: 'Repeatable samples' },
];

/** Chat with a TEXT_GENERATION model: the answer streams over `generation`, Stop cancels it. */
export function ChatPanel({
  targets,
  fromUrl,
}: {
  targets: Targets;
  fromUrl: { deployment: string | null; model: string | null; version: string | null };
}) {
  const id = useId();
  const client = useClient();
  const target = useTarget(targets, fromUrl);
  const [modeChoice, setModeChoice] = useState<Mode | null>(null);
  const [system, setSystem] = useState('You are a helpful assistant.');
  const [sampling, setSampling] = useState<SamplingForm>(defaultSampling);
  const [draft, setDraft] = useState('');
  const [invalid, setInvalid] = useState<{ field: SamplingField; message: string } | null>(null);
  const [error, setError] = useState<ApiErrorInfo | null>(null);
  const [conversation, dispatch] = useReducer(conversationReducer, emptyConversation);
  const active = useRef<Active | null>(null);
  const transcriptEnd = useRef<HTMLDivElement>(null);

  const info = target.resolved?.languageModel ?? null;
  // Chat needs a chat template; without one, the page sends the text as a completion prompt.
  const mode: Mode = modeChoice ?? (info && !info.hasChatTemplate ? 'completion' : 'chat');
  const streaming = conversation.turns.some((t) => t.status === 'streaming');

  // Leaving the page cancels the generation.
  useEffect(
    () => () => {
      const current = active.current;
      if (!current) return;
      current.ended = true;
      current.unsubscribe();
    },
    [],
  );
  const lastAnswerLength = conversation.turns.at(-1)?.answer.length ?? 0;
  useEffect(() => {
    transcriptEnd.current?.scrollIntoView?.({ block: 'nearest' });
  }, [conversation.turns.length, lastAnswerLength]);

  const end = (current: Active) => {
    current.ended = true;
    current.unsubscribe();
    if (active.current === current) active.current = null;
  };

  const send = () => {
    const text = draft;
    if (text.trim() === '' || streaming) return;
    setError(null);
    const parsed = parseSampling(sampling);
    if (!parsed.ok) {
      setInvalid({ field: parsed.field, message: parsed.message });
      return;
    }
    setInvalid(null);
    if (!target.reference) {
      setError({ message: 'Pick a deployment or a model first.', code: 'BAD_USER_INPUT' });
      return;
    }
    const input: GenerateInput = {
      model: target.reference,
      ...(mode === 'chat'
        ? { messages: chatMessages(system, conversation.turns, text) }
        : { prompt: text }),
      ...parsed.settings,
    };
    const turnId = conversation.nextId;
    dispatch({ type: 'send', model: target.reference, user: text, at: performance.now() });
    setDraft('');
    const current: Active = {
      turnId,
      unsubscribe: () => undefined,
      generationId: null,
      nextIndex: 0,
      ended: false,
    };
    active.current = current;
    const subscription = pipe(
      client.subscription(GenerationSubscription, { input }),
      // The stream ended without its last chunk (the API closed it): say so rather than show
      // "streaming" until someone presses Stop.
      onEnd(() => {
        if (current.ended) return;
        dispatch({
          type: 'fail',
          id: turnId,
          error: {
            message: 'The stream ended before the model finished: the answer may be cut off.',
            code: 'STREAM_INTERRUPTED',
          },
          at: performance.now(),
        });
        end(current);
      }),
      subscribe((result) => {
        if (current.ended) return;
        const at = performance.now();
        if (result.error) {
          dispatch({
            type: 'fail',
            id: turnId,
            error: describeError(result.error) ?? { message: 'The stream failed' },
            at,
          });
          end(current);
          return;
        }
        const chunk = result.data?.generation;
        if (!chunk) return;
        // The live channel re-subscribes after a dropped connection: that is a new generation,
        // not the rest of this one.
        if (
          (current.generationId !== null && chunk.id !== current.generationId) ||
          chunk.index !== current.nextIndex
        ) {
          dispatch({
            type: 'fail',
            id: turnId,
            error: {
              message:
                'The connection to the API dropped and the answer was cut off. Send it again.',
              code: 'STREAM_INTERRUPTED',
            },
            at,
          });
          end(current);
          return;
        }
        current.generationId = chunk.id;
        current.nextIndex += 1;
        if (chunk.text) dispatch({ type: 'text', id: turnId, text: chunk.text, at });
        if (chunk.finishReason) {
          dispatch({
            type: 'finish',
            id: turnId,
            finishReason: chunk.finishReason,
            usage: chunk.usage,
            at,
          });
          end(current);
        }
      }),
    );
    current.unsubscribe = () => subscription.unsubscribe();
    // The source may have answered (and ended) before `subscribe` returned.
    if (current.ended) subscription.unsubscribe();
  };

  const stop = () => {
    const current = active.current;
    if (!current) return;
    end(current);
    dispatch({ type: 'stop', id: current.turnId, at: performance.now() });
  };

  const onComposerKey = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  return (
    <div className="grid gap-6 lg:grid-cols-[20rem_1fr]">
      <div className="grid content-start gap-6">
        <Card>
          <CardHeader
            title="Model"
            description="A TEXT_GENERATION model, or a deployment of one."
          />
          <CardBody className="grid gap-4">
            <TargetPicker id={`${id}-chat`} targets={targets} state={target} />
            <Field
              label="Mode"
              htmlFor={`${id}-mode`}
              hint={
                info && !info.hasChatTemplate
                  ? 'This version has no chat template: chat messages cannot be rendered.'
                  : mode === 'chat'
                    ? 'Messages go through the bundle’s chat template.'
                    : 'The text is sent as it is, as a prompt to continue.'
              }
            >
              <Select
                id={`${id}-mode`}
                value={mode}
                onChange={(e) => setModeChoice(e.target.value as Mode)}
                disabled={streaming}
              >
                <option value="chat">Chat (messages)</option>
                <option value="completion">Completion (prompt)</option>
              </Select>
            </Field>
            {info ? (
              <dl className="grid grid-cols-2 gap-2 text-xs" aria-label="Language model">
                <div className="rounded-lg border border-border px-3 py-2">
                  <dt className="text-muted-foreground">Context</dt>
                  <dd className="font-mono font-semibold tabular-nums">
                    {formatCount(info.contextLength)} tokens
                  </dd>
                </div>
                <div className="rounded-lg border border-border px-3 py-2">
                  <dt className="text-muted-foreground">Architecture</dt>
                  <dd className="font-mono font-semibold">{info.architecture}</dd>
                </div>
              </dl>
            ) : null}
            <ErrorMessage error={target.error} title="Cannot read the model" />
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="Sampling" />
          <CardBody>
            <fieldset disabled={streaming} className="grid grid-cols-2 gap-3">
              {samplingFields.map(({ field, label, hint }) => (
                <Field
                  key={field}
                  label={label}
                  htmlFor={`${id}-${field}`}
                  hint={hint}
                  error={invalid?.field === field ? invalid.message : null}
                >
                  <Input
                    id={`${id}-${field}`}
                    inputMode={field === 'temperature' || field === 'topP' ? 'decimal' : 'numeric'}
                    value={sampling[field]}
                    onChange={(e) => setSampling({ ...sampling, [field]: e.target.value })}
                    aria-invalid={invalid?.field === field}
                    className="font-mono"
                  />
                </Field>
              ))}
              <Field
                label="Stop sequences"
                htmlFor={`${id}-stop`}
                hint="One per line, at most 4; \n is a newline"
                error={invalid?.field === 'stop' ? invalid.message : null}
                className="col-span-2"
              >
                <Textarea
                  id={`${id}-stop`}
                  rows={2}
                  value={sampling.stop}
                  onChange={(e) => setSampling({ ...sampling, stop: e.target.value })}
                  aria-invalid={invalid?.field === 'stop'}
                  spellCheck={false}
                  className="min-h-14 font-mono text-xs"
                />
              </Field>
            </fieldset>
          </CardBody>
        </Card>
      </div>

      <Card className="flex min-w-0 flex-col">
        <CardHeader
          title={mode === 'chat' ? 'Conversation' : 'Completions'}
          description={
            mode === 'chat'
              ? 'The answer streams as it is generated.'
              : 'Each prompt stands alone; the continuation streams.'
          }
          actions={
            <Button
              variant="ghost"
              size="sm"
              onClick={() => dispatch({ type: 'clear' })}
              disabled={streaming || conversation.turns.length === 0}
            >
              <Eraser aria-hidden />
              Clear
            </Button>
          }
        />
        <CardBody className="grid gap-4">
          {mode === 'chat' ? (
            <Field label="System prompt" htmlFor={`${id}-system`} hint="Empty: none">
              <Textarea
                id={`${id}-system`}
                rows={2}
                value={system}
                onChange={(e) => setSystem(e.target.value)}
                disabled={streaming}
                className="min-h-14"
              />
            </Field>
          ) : null}
          <div
            role="log"
            aria-label="Transcript"
            aria-live="polite"
            className="grid max-h-[32rem] min-h-48 content-start gap-4 overflow-y-auto rounded-lg border border-border bg-background/60 p-4"
          >
            {conversation.turns.length === 0 ? (
              <EmptyState
                icon={<MessageSquare />}
                title={mode === 'chat' ? 'Say something' : 'Write a prompt'}
                description="Press Enter to send, Shift+Enter for a new line."
              />
            ) : (
              conversation.turns.map((turn) => <TurnView key={turn.id} turn={turn} mode={mode} />)
            )}
            <div ref={transcriptEnd} />
          </div>
          <ErrorMessage error={error} title="Not sent" />
          <form
            className="grid gap-2"
            onSubmit={(event) => {
              event.preventDefault();
              send();
            }}
          >
            <Field label={mode === 'chat' ? 'Message' : 'Prompt'} htmlFor={`${id}-draft`}>
              <Textarea
                id={`${id}-draft`}
                rows={3}
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
                onKeyDown={onComposerKey}
                placeholder={mode === 'chat' ? 'Ask the model something…' : 'Once upon a time'}
              />
            </Field>
            <div className="flex items-center justify-end gap-2">
              {streaming ? (
                <Button type="button" variant="outline" onClick={stop}>
                  <Square aria-hidden />
                  Stop
                </Button>
              ) : null}
              <Button
                type="submit"
                disabled={streaming || draft.trim() === '' || !target.reference}
              >
                <Send aria-hidden />
                Send
              </Button>
            </div>
          </form>
        </CardBody>
      </Card>
    </div>
  );
}

function TurnView({ turn, mode }: { turn: Turn; mode: Mode }) {
  const stats = turnStats(turn);
  return (
    <div className="grid gap-2" data-turn={turn.id}>
      <div className="flex justify-end gap-2">
        <div className="max-w-[85%] rounded-lg bg-accent px-3 py-2 text-sm whitespace-pre-wrap text-accent-foreground">
          {turn.user}
        </div>
        <User aria-label="You" className="mt-2 size-4 shrink-0 text-muted-foreground" />
      </div>
      <div className="flex gap-2">
        <Bot aria-label="Model" className="mt-2 size-4 shrink-0 text-primary" />
        <div className="grid min-w-0 max-w-[85%] gap-1.5">
          <div
            data-testid="answer"
            data-status={turn.status}
            className={cn(
              'rounded-lg border border-border bg-card px-3 py-2 text-sm break-words whitespace-pre-wrap',
              mode === 'completion' && 'font-mono text-xs',
            )}
          >
            {turn.answer}
            {turn.status === 'done' && turn.answer === '' ? (
              <span className="text-muted-foreground italic">(an empty answer)</span>
            ) : null}
            {turn.status === 'streaming' ? (
              turn.answer ? (
                <span
                  aria-hidden
                  className="ml-0.5 inline-block h-4 w-1.5 animate-pulse bg-primary align-text-bottom"
                />
              ) : (
                <span className="inline-flex items-center gap-2 text-muted-foreground">
                  <Spinner /> Waiting for the first token…
                </span>
              )
            ) : null}
          </div>
          {turn.status === 'failed' ? (
            <ErrorMessage error={turn.error} title="The generation failed" />
          ) : turn.status !== 'streaming' ? (
            <div
              data-testid="turn-stats"
              className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-muted-foreground"
            >
              {turn.status === 'stopped' ? (
                <Badge tone="warning">stopped</Badge>
              ) : (
                <Badge tone={turn.finishReason === 'length' ? 'neutral' : 'success'}>
                  {turn.finishReason === 'length'
                    ? 'max tokens reached'
                    : `finished: ${turn.finishReason ?? '—'}`}
                </Badge>
              )}
              {turn.usage ? (
                <span>
                  <span
                    data-stat="prompt-tokens"
                    className="font-mono tabular-nums text-foreground"
                  >
                    {formatCount(turn.usage.promptTokens)}
                  </span>{' '}
                  prompt +{' '}
                  <span
                    data-stat="completion-tokens"
                    className="font-mono tabular-nums text-foreground"
                  >
                    {formatCount(turn.usage.completionTokens)}
                  </span>{' '}
                  completion tokens
                </span>
              ) : (
                <span>{formatCount(turn.chunks)} chunks received</span>
              )}
              {stats.tokensPerSecond !== null ? (
                <span>
                  <span
                    data-stat="tokens-per-second"
                    className="font-mono tabular-nums text-foreground"
                  >
                    {stats.tokensPerSecond.toFixed(1)}
                  </span>{' '}
                  tokens/s
                </span>
              ) : null}
              <span>
                first token{' '}
                <span data-stat="ttft" className="font-mono tabular-nums text-foreground">
                  {formatMs(stats.timeToFirstTokenMs)}
                </span>
              </span>
              <span>
                total{' '}
                <span className="font-mono tabular-nums text-foreground">
                  {formatMs(stats.totalMs)}
                </span>
              </span>
              <span className="font-mono">{turn.model}</span>
            </div>
          ) : null}
        </div>
      </div>
    </div>
  );
}
