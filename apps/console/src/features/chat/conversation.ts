// The Chat page's conversation: turns (a user message and the streamed answer), what a turn's
// stream did, and the messages the next request sends. Times are milliseconds on one clock
// (performance.now() in the page).
import type { ApiErrorInfo } from '@/lib/api-error';

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export type TurnStatus = 'streaming' | 'done' | 'stopped' | 'failed';

export interface Turn {
  id: number;
  /** What the model was asked with: a deployment, or a model (`name`, `name@alias`, `name@3`). */
  model: string;
  user: string;
  answer: string;
  status: TurnStatus;
  /** Chunks of text received. */
  chunks: number;
  startedAt: number;
  firstTextAt: number | null;
  endedAt: number | null;
  finishReason: string | null;
  usage: Usage | null;
  error: ApiErrorInfo | null;
}

export interface Conversation {
  turns: Turn[];
  nextId: number;
}

export const emptyConversation: Conversation = { turns: [], nextId: 1 };

export type ConversationAction =
  | { type: 'send'; model: string; user: string; at: number }
  | { type: 'text'; id: number; text: string; at: number }
  | { type: 'finish'; id: number; finishReason: string; usage: Usage | null; at: number }
  | { type: 'stop'; id: number; at: number }
  | { type: 'fail'; id: number; error: ApiErrorInfo; at: number }
  | { type: 'clear' };

function update(state: Conversation, id: number, change: (turn: Turn) => Turn): Conversation {
  return {
    ...state,
    // Only a streaming turn changes: a chunk that arrives after Stop is dropped.
    turns: state.turns.map((t) => (t.id === id && t.status === 'streaming' ? change(t) : t)),
  };
}

export function conversationReducer(state: Conversation, action: ConversationAction): Conversation {
  switch (action.type) {
    case 'send':
      return {
        nextId: state.nextId + 1,
        turns: [
          ...state.turns,
          {
            id: state.nextId,
            model: action.model,
            user: action.user,
            answer: '',
            status: 'streaming',
            chunks: 0,
            startedAt: action.at,
            firstTextAt: null,
            endedAt: null,
            finishReason: null,
            usage: null,
            error: null,
          },
        ],
      };
    case 'text':
      if (action.text === '') return state;
      return update(state, action.id, (t) => ({
        ...t,
        answer: t.answer + action.text,
        chunks: t.chunks + 1,
        firstTextAt: t.firstTextAt ?? action.at,
      }));
    case 'finish':
      return update(state, action.id, (t) => ({
        ...t,
        status: 'done',
        finishReason: action.finishReason,
        usage: action.usage,
        endedAt: action.at,
      }));
    case 'stop':
      return update(state, action.id, (t) => ({ ...t, status: 'stopped', endedAt: action.at }));
    case 'fail':
      return update(state, action.id, (t) => ({
        ...t,
        status: 'failed',
        error: action.error,
        endedAt: action.at,
      }));
    case 'clear':
      return { ...state, turns: [] };
  }
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * The messages of the next request: the system prompt (when there is one), every earlier turn
 * that answered (a stopped answer as far as it got; failed turns are left out), then `user`.
 */
export function chatMessages(system: string, turns: readonly Turn[], user: string): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (system.trim() !== '') messages.push({ role: 'system', content: system });
  for (const turn of turns) {
    if (turn.status !== 'done' && turn.status !== 'stopped') continue;
    messages.push({ role: 'user', content: turn.user });
    messages.push({ role: 'assistant', content: turn.answer });
  }
  messages.push({ role: 'user', content: user });
  return messages;
}

export interface TurnStats {
  /** From sending to the first piece of text, as the page saw it. */
  timeToFirstTokenMs: number | null;
  /** From sending to the end of the stream. */
  totalMs: number | null;
  /**
   * Decoding speed: the tokens after the first over the time after the first text. When the text
   * came in one piece, tokens over the whole time.
   */
  tokensPerSecond: number | null;
}

/** What a finished (or stopped) turn measured. */
export function turnStats(turn: Turn): TurnStats {
  const ttft = turn.firstTextAt === null ? null : turn.firstTextAt - turn.startedAt;
  const total = turn.endedAt === null ? null : turn.endedAt - turn.startedAt;
  const tokens = turn.usage?.completionTokens ?? null;
  let speed: number | null = null;
  if (tokens !== null && total !== null && tokens > 0) {
    const decodeMs =
      turn.firstTextAt === null || turn.endedAt === null ? 0 : turn.endedAt - turn.firstTextAt;
    if (tokens > 1 && turn.chunks > 1 && decodeMs > 0) speed = ((tokens - 1) * 1000) / decodeMs;
    else if (total > 0) speed = (tokens * 1000) / total;
  }
  return { timeToFirstTokenMs: ttft, totalMs: total, tokensPerSecond: speed };
}
