import { describe, expect, it } from 'vitest';
import {
  chatMessages,
  conversationReducer,
  emptyConversation,
  turnStats,
  type Conversation,
  type ConversationAction,
} from './conversation';

const run = (actions: ConversationAction[], from: Conversation = emptyConversation) =>
  actions.reduce(conversationReducer, from);

const usage = { promptTokens: 9, completionTokens: 5, totalTokens: 14 };

describe('the conversation', () => {
  it('appends streamed text to the turn and finishes it with usage', () => {
    const state = run([
      { type: 'send', model: 'tiny', user: 'Hi', at: 1000 },
      { type: 'text', id: 1, text: 'Hel', at: 1040 },
      { type: 'text', id: 1, text: '', at: 1050 },
      { type: 'text', id: 1, text: 'lo', at: 1060 },
      { type: 'finish', id: 1, finishReason: 'stop', usage, at: 1100 },
    ]);
    expect(state.turns).toHaveLength(1);
    expect(state.turns[0]).toMatchObject({
      user: 'Hi',
      answer: 'Hello',
      status: 'done',
      chunks: 2,
      firstTextAt: 1040,
      endedAt: 1100,
      finishReason: 'stop',
      usage,
    });
    expect(state.nextId).toBe(2);
  });

  it('drops what arrives after Stop, and keeps the answer so far', () => {
    const state = run([
      { type: 'send', model: 'tiny', user: 'Hi', at: 0 },
      { type: 'text', id: 1, text: 'Once', at: 10 },
      { type: 'stop', id: 1, at: 20 },
      { type: 'text', id: 1, text: ' upon', at: 30 },
      { type: 'finish', id: 1, finishReason: 'length', usage, at: 40 },
    ]);
    expect(state.turns[0]).toMatchObject({
      answer: 'Once',
      status: 'stopped',
      endedAt: 20,
      usage: null,
    });
  });

  it('records a failure with its error, and clears', () => {
    const failed = run([
      { type: 'send', model: 'tiny', user: 'Hi', at: 0 },
      { type: 'fail', id: 1, error: { message: 'too long', code: 'BAD_USER_INPUT' }, at: 5 },
    ]);
    expect(failed.turns[0]).toMatchObject({ status: 'failed', error: { message: 'too long' } });
    const cleared = run([{ type: 'clear' }], failed);
    expect(cleared.turns).toEqual([]);
    // Ids keep counting, so a late chunk of a cleared turn touches nothing.
    expect(run([{ type: 'send', model: 'x', user: 'y', at: 0 }], cleared).turns[0]?.id).toBe(2);
  });

  it('sends the system prompt, the answered turns and the new message, in order', () => {
    const state = run([
      { type: 'send', model: 'tiny', user: 'one', at: 0 },
      { type: 'text', id: 1, text: 'uno', at: 1 },
      { type: 'finish', id: 1, finishReason: 'stop', usage, at: 2 },
      { type: 'send', model: 'tiny', user: 'two', at: 3 },
      { type: 'fail', id: 2, error: { message: 'no' }, at: 4 },
      { type: 'send', model: 'tiny', user: 'three', at: 5 },
      { type: 'text', id: 3, text: 'tr', at: 6 },
      { type: 'stop', id: 3, at: 7 },
    ]);
    expect(chatMessages('Be brief.', state.turns, 'four')).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'one' },
      { role: 'assistant', content: 'uno' },
      { role: 'user', content: 'three' },
      { role: 'assistant', content: 'tr' },
      { role: 'user', content: 'four' },
    ]);
    expect(chatMessages('  ', [], 'hi')).toEqual([{ role: 'user', content: 'hi' }]);
  });
});

describe('turn statistics', () => {
  it('measures time to first text, total time and the decoding speed after the first token', () => {
    const state = run([
      { type: 'send', model: 'tiny', user: 'Hi', at: 1000 },
      { type: 'text', id: 1, text: 'a', at: 1050 },
      { type: 'text', id: 1, text: 'b', at: 1100 },
      { type: 'text', id: 1, text: 'c', at: 1250 },
      { type: 'finish', id: 1, finishReason: 'length', usage, at: 1250 },
    ]);
    const turn = state.turns[0];
    if (!turn) throw new Error('no turn');
    // 5 tokens: 4 after the first, in the 200 ms after it.
    expect(turnStats(turn)).toEqual({ timeToFirstTokenMs: 50, totalMs: 250, tokensPerSecond: 20 });
  });

  it('falls back to tokens over the whole time when the text came in one piece', () => {
    const state = run([
      { type: 'send', model: 'tiny', user: 'Hi', at: 0 },
      { type: 'text', id: 1, text: 'all of it', at: 400 },
      { type: 'finish', id: 1, finishReason: 'stop', usage, at: 500 },
    ]);
    const turn = state.turns[0];
    if (!turn) throw new Error('no turn');
    expect(turnStats(turn).tokensPerSecond).toBe(10);
  });

  it('has no speed without usage (a stopped turn)', () => {
    const state = run([
      { type: 'send', model: 'tiny', user: 'Hi', at: 0 },
      { type: 'stop', id: 1, at: 30 },
    ]);
    const turn = state.turns[0];
    if (!turn) throw new Error('no turn');
    expect(turnStats(turn)).toEqual({
      timeToFirstTokenMs: null,
      totalMs: 30,
      tokensPerSecond: null,
    });
  });
});
