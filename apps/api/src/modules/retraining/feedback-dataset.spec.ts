import { describe, expect, it } from 'vitest';
import { buildFeedbackTable } from './feedback-dataset';
import { promotionPolicy } from './retrain-loop';
import { checkPromotion, checkTrigger } from './retrain-policy.service';

/** A query runner answering the feedback records (newest first, as the SQL orders them). */
const answering = (records: { input: unknown; actual: unknown }[]) => ({
  query: () => Promise.resolve(records as never),
});
const window = { workspaceId: 'w', deploymentId: 'd', from: null, until: new Date(0) };

describe('buildFeedbackTable', () => {
  it("writes the features in the parent version's order and the actual value as the target, oldest first", async () => {
    const table = await buildFeedbackTable(
      answering([
        { input: { b: 2, a: 1 }, actual: 3.5 },
        { input: [10, 20], actual: -1 },
      ]),
      window,
      { features: ['a', 'b'], target: 'y' },
      100,
    );
    expect(table).toEqual({ csv: 'a,b,y\n10,20,-1\n1,2,3.5', rows: 2, skipped: 0 });
  });

  it('leaves out and counts records that lack a feature, have the wrong width or a non-scalar', async () => {
    const table = await buildFeedbackTable(
      answering([
        { input: { a: 1 }, actual: 1 },
        { input: [1, 2, 3], actual: 1 },
        { input: { a: 1, b: { nested: true } }, actual: 1 },
        { input: { a: 1, b: 2 }, actual: [1] },
        { input: null, actual: 1 },
        { input: { a: 'red, "dark"', b: true }, actual: 'yes' },
      ]),
      window,
      { features: ['a', 'b'], target: 'label' },
      100,
    );
    expect(table.skipped).toBe(5);
    expect(table.rows).toBe(1);
    // RFC 4180 quoting of a cell with a delimiter and quotes.
    expect(table.csv).toBe('a,b,label\n"red, ""dark""",true,yes');
  });
});

describe('retraining policy checks', () => {
  it('needs a trigger, each condition within its bounds', () => {
    const field = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return (err as { extensions: { field?: string } }).extensions.field;
      }
      return 'accepted';
    };
    expect(field(() => checkTrigger({}, 1000))).toBe('policy.trigger');
    expect(field(() => checkTrigger({ minFeedbackRows: 1 }, 1000))).toBe('accepted');
    expect(field(() => checkTrigger({ minFeedbackRows: 1000 }, 1000))).toBe('accepted');
    expect(field(() => checkTrigger({ minFeedbackRows: 1001 }, 1000))).toBe(
      'policy.trigger.minFeedbackRows',
    );
    expect(field(() => checkTrigger({ minFeedbackRows: 1.5 }, 1000))).toBe(
      'policy.trigger.minFeedbackRows',
    );
    expect(field(() => checkTrigger({ maxInputDrift: 0 }, 1000))).toBe(
      'policy.trigger.maxInputDrift',
    );
    expect(field(() => checkTrigger({ maxInputDrift: Number.NaN }, 1000))).toBe(
      'policy.trigger.maxInputDrift',
    );
    expect(field(() => checkTrigger({ maxInputDrift: 0.2 }, 1000))).toBe('accepted');
    expect(field(() => checkTrigger({ everySeconds: 59 }, 1000))).toBe(
      'policy.trigger.everySeconds',
    );
    expect(field(() => checkTrigger({ everySeconds: 60 }, 1000))).toBe('accepted');
    expect(field(() => checkTrigger({ everySeconds: 31_536_001 }, 1000))).toBe(
      'policy.trigger.everySeconds',
    );
    // The promotion's own rules, named under policy.promotion.
    expect(field(() => checkPromotion({ steps: [{ weight: 50 }] }))).toBe('policy.promotion.steps');
    expect(field(() => checkPromotion({ maxErrorRate: 2 }))).toBe('policy.promotion.maxErrorRate');
    // A metric without a dataset is fine here: the run's feedback dataset is the default.
    expect(field(() => checkPromotion({ metric: 'rmse', maxRegression: 0.1 }))).toBe('accepted');
  });

  it("evaluates on the run's feedback dataset unless the policy names one", () => {
    const run = (promotion: Record<string, unknown> | null) => ({
      datasetId: 'feedback-ds',
      settings: { algorithm: null, hyperparameters: null, promotion },
    });
    expect(promotionPolicy(run(null))).toEqual({ evaluationDatasetId: 'feedback-ds' });
    expect(promotionPolicy(run({ metric: 'mae' }))).toEqual({
      metric: 'mae',
      evaluationDatasetId: 'feedback-ds',
    });
    expect(promotionPolicy(run({ evaluationDatasetId: 'held-out' })).evaluationDatasetId).toBe(
      'held-out',
    );
  });
});
