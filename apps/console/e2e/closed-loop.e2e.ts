// The closed loop in the console against a real platform: a guarded promotion started from the
// deployment page advances 10 → 50 → 100 % → completed on screen while the test drives prediction
// traffic (no reload); the playground's contribution bars equal the API's explanation and the
// closed form of a linear model; the model page's evaluation puts the API's metrics side by side;
// its timeline lists the API's events (jobs, evaluation, promotion steps, alias move) in order.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser, newPage, shoot, shootElement, signIn, watchErrors } from './browser';
import { apiGraphql, startPlatform, type RunningPlatform } from './platform';

const MODEL = 'e2e-loop';
const DEPLOYMENT = 'e2e-loop-api';
/** Candidate requests each rollout step waits for. */
const MIN_REQUESTS = 12;
const STEPS = [10, 50, 100] as const;

let platform: RunningPlatform;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];
const made = { datasetId: '', modelId: '', v1: '', v2: '', evaluationId: '' };
/** The dataset's columns, as the CSV holds them (the training split: validationSplit 0). */
const columns: { x1: number[]; x2: number[] } = { x1: [], x2: [] };

const url = (pathname: string) => `${platform.consoleUrl}${pathname}`;

async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const answer = await apiGraphql<T>(platform.apiUrl, platform.adminKey, query, variables);
  if (answer.errors?.length || !answer.data)
    throw new Error(`GraphQL refused: ${JSON.stringify(answer.errors)}`);
  return answer.data;
}

/** y = 3·x1 − 2·x2 + noise, x1 in [0, 2), x2 in [0, 1), noise uniform in [0, 0.5). */
function loopCsv(rows: number): string {
  let state = 777;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const lines = ['x1,x2,y'];
  for (let i = 0; i < rows; i += 1) {
    const x1 = Number((2 * random()).toFixed(4));
    const x2 = Number(random().toFixed(4));
    columns.x1.push(x1);
    columns.x2.push(x2);
    lines.push(`${x1},${x2},${(3 * x1 - 2 * x2 + 0.5 * random()).toFixed(4)}`);
  }
  return `${lines.join('\n')}\n`;
}

async function until<T>(what: string, read: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Trains a linear regression on the dataset and answers the version it made. */
async function train(epochs: number): Promise<string> {
  const started = await graphql<{ startTrainingJob: { id: string } }>(
    `
      mutation ($m: ID!, $d: ID!, $h: JSON) {
        startTrainingJob(
          input: {
            modelId: $m
            datasetId: $d
            algorithm: LINEAR_REGRESSION
            target: "y"
            hyperparameters: $h
          }
        ) {
          id
        }
      }
    `,
    { m: made.modelId, d: made.datasetId, h: { epochs, validationSplit: 0 } },
  );
  return until(`training job (${epochs} epochs)`, async () => {
    const { trainingJob } = await graphql<{
      trainingJob: { status: string; error: string | null; resultVersion: { id: string } | null };
    }>('query($id: ID!) { trainingJob(id: $id) { status error resultVersion { id } } }', {
      id: started.startTrainingJob.id,
    });
    if (trainingJob.status === 'FAILED') throw new Error(`training failed: ${trainingJob.error}`);
    return trainingJob.resultVersion?.id;
  });
}

interface Served {
  outputs: { predictions: number[] };
  modelVersion: { id: string };
  explanation: {
    method: string;
    records: { baseline: number; contributions: { feature: string; contribution: number }[] }[];
  } | null;
}

/** `predict` through the deployment, as any client would call it. */
async function predict(records: Record<string, number>[], explain = false): Promise<Served> {
  const { predict: served } = await graphql<{ predict: Served }>(
    `
      query ($input: PredictInput!) {
        predict(input: $input) {
          outputs
          modelVersion {
            id
          }
          explanation {
            method
            records {
              baseline
              contributions {
                feature
                contribution
              }
            }
          }
        }
      }
    `,
    { input: { model: DEPLOYMENT, records, explain } },
  );
  return served;
}

beforeAll(async () => {
  // No demo seed (nothing else training on the worker) and a promotion tick every second.
  platform = await startPlatform({
    env: { MAAS_SEED_DEMO: 'false', PROMOTION_TICK_INTERVAL_MS: '1000' },
  });
  browser = await launchBrowser();
  ({ page } = await newPage(browser));
  pageErrors = watchErrors(page);

  const uploaded = await fetch(`${platform.apiUrl}/v1/datasets?name=e2e-loop-rows`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${platform.adminKey}` },
    body: loopCsv(2000),
  });
  expect(uploaded.status).toBe(201);
  made.datasetId = ((await uploaded.json()) as { id: string }).id;
  const created = await graphql<{ createModel: { id: string } }>(
    `mutation { createModel(input: { name: "${MODEL}", task: REGRESSION }) { id } }`,
  );
  made.modelId = created.createModel.id;
  // Version 1 stops early (the champion), version 2 trains longer (the candidate).
  made.v1 = await train(1);
  made.v2 = await train(40);
  await graphql(
    `mutation ($m: ID!, $v: ID!) {
      createDeployment(input: { name: "${DEPLOYMENT}", modelId: $m, routes: [{ versionId: $v, weight: 100 }] }) { name }
    }`,
    { m: made.modelId, v: made.v1 },
  );
  // Scored on the worker while the promotion runs.
  const evaluation = await graphql<{ startEvaluationJob: { id: string } }>(
    `
      mutation ($v: [ID!]!, $d: ID!) {
        startEvaluationJob(input: { versionIds: $v, datasetId: $d, target: "y" }) {
          id
        }
      }
    `,
    { v: [made.v1, made.v2], d: made.datasetId },
  );
  made.evaluationId = evaluation.startEvaluationJob.id;
  await signIn(page, platform.consoleUrl, platform.adminKey);
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

describe('the closed loop in the console', () => {
  test('a promotion started on the deployment page advances 10 → 50 → 100 % → completed live', async () => {
    await page.goto(url(`/deployments/${DEPLOYMENT}`));
    const panel = page.getByRole('region', { name: 'Promotion' });
    await panel.getByLabel('Candidate').selectOption({ label: 'v2' });
    expect(await panel.getByLabel('Steps (%)').inputValue()).toBe(STEPS.join(', '));
    await panel.getByLabel('Requests per step').fill(String(MIN_REQUESTS));
    await page.evaluate(() => Object.assign(window, { e2eMarker: 'kept' }));
    await panel.getByRole('button', { name: 'Start promotion' }).click();

    const status = panel.getByLabel('Promotion status');
    const step = (i: number) =>
      panel.getByRole('listitem', { name: `Step ${i + 1}: ${STEPS[i]}%` });
    const traffic = page.getByRole('img', { name: /^Traffic: / });
    const trafficSplit = async () =>
      Object.fromEntries(
        [...((await traffic.getAttribute('aria-label')) ?? '').matchAll(/version (\d+) (\d+)%/g)]
          .map((m) => [`v${m[1]}`, Number(m[2])])
          .sort(),
      );
    expect(await trafficSplit()).toEqual({ v1: 100 });
    await panel.getByText('v2 over v1').waitFor();
    expect(await status.textContent()).toBe('Rolling out');

    // What the screen showed, each change once: "<status>: <state of each step>".
    const shown: string[] = [];
    // One read of the card's text (so that no re-render falls between two steps' reads): the
    // status badge, and each step's state as its badge reads ("Step 1: 10% to v2passed12 / …").
    const observe = async () => {
      const text = await panel.evaluate((card) => ({
        status: card.querySelector('[aria-label="Promotion status"]')?.textContent ?? '',
        steps: [...card.querySelectorAll('[aria-label="Rollout steps"] > li')].map(
          (li) => li.textContent ?? '',
        ),
      }));
      const states = text.steps.map(
        (t) => /% to v\d+(pending|running|passed|rolled back|cancelled)/.exec(t)?.[1] ?? 'none',
      );
      const now = `${text.status}: ${states.join(' ')}`;
      if (shown.at(-1) !== now) shown.push(now);
      return states;
    };
    for (let i = 0; i < STEPS.length; i += 1) {
      await expect.poll(async () => (await observe())[i], { timeout: 15_000 }).toBe('running');
      // The traffic card follows: the step's weight to v2, the rest to v1.
      const weight = STEPS[i] ?? 0;
      await expect
        .poll(trafficSplit, { timeout: 10_000 })
        .toEqual(weight === 100 ? { v2: 100 } : { v1: 100 - weight, v2: weight });
      // The promotion owns the weights: the traffic card offers no controls meanwhile.
      await page.getByTestId('routes-locked').waitFor();
      expect(await page.getByRole('button', { name: 'Save routes' }).count()).toBe(0);
      if (i === 0) await shoot(page, 'promotion-running');
      // Mid-rollout, for the docs: step 1 passed with its figures, step 2 at 50 / 50.
      if (i === 1) await shoot(page, 'promotion-rollout', { fullPage: false });
      // Send predictions until the candidate (v2) has served MIN_REQUESTS of them in this step,
      // then wait for the screen; a request whose stats sample landed in the previous step does
      // not count here, so top up while the step has not passed.
      const counts = new Set<string>();
      let served = 0;
      let enoughAt = 0;
      const deadline = Date.now() + 40_000;
      while ((await observe())[i] === 'running') {
        if (Date.now() > deadline)
          throw new Error(`step ${i + 1} never passed: ${shown.join(', ')}`);
        if (served < MIN_REQUESTS) {
          const batch = await Promise.all(
            Array.from({ length: 8 }, (_, k) => predict([{ x1: k / 4, x2: 0.5 }])),
          );
          served += batch.filter((b) => b.modelVersion.id === made.v2).length;
          if (served >= MIN_REQUESTS) enoughAt = Date.now();
        } else if (Date.now() - enoughAt > 6000) {
          // Some of them were counted before the step started: one more batch.
          served = MIN_REQUESTS - 1;
        } else {
          await page.waitForTimeout(200);
        }
        counts.add(
          (await step(i)
            .getByText(/ requests$/)
            .textContent()) ?? '',
        );
      }
      // At 10 % the hold takes a while: its request count moved on screen while it was held.
      if (i === 0) expect(counts.size).toBeGreaterThan(1);
    }
    await expect.poll(async () => (await observe(), status.textContent())).toBe('Completed');
    expect(shown).toEqual([
      'Rolling out: running pending pending',
      'Rolling out: passed running pending',
      'Rolling out: passed passed running',
      'Completed: passed passed passed',
    ]);
    expect(await page.evaluate(() => (window as unknown as { e2eMarker?: string }).e2eMarker)).toBe(
      'kept',
    );
    // Over: the weights are editable again, and the next candidate is the old champion.
    await page.getByRole('button', { name: 'Save routes' }).waitFor();
    expect(await panel.getByLabel('Candidate').locator('option').allTextContents()).toEqual(['v1']);

    // The API agrees: completed, every step passed with the candidate's requests, v2 serving.
    const { promotions, deployment } = await graphql<{
      promotions: {
        status: string;
        steps: { weight: number; requests: number; outcome: string }[];
      }[];
      deployment: { routes: { weight: number; version: { id: string } }[] };
    }>(
      `
        query ($d: String!) {
          promotions(deployment: $d) {
            status
            steps {
              weight
              requests
              outcome
            }
          }
          deployment(name: $d) {
            routes {
              weight
              version {
                id
              }
            }
          }
        }
      `,
      { d: DEPLOYMENT },
    );
    expect(promotions[0]?.status).toBe('COMPLETED');
    for (const [i, s] of (promotions[0]?.steps ?? []).entries()) {
      expect(s).toMatchObject({ weight: STEPS[i], outcome: 'passed' });
      expect(s.requests).toBeGreaterThanOrEqual(MIN_REQUESTS);
      expect(
        await step(i)
          .getByText(/ requests$/)
          .textContent(),
      ).toBe(`${s.requests} / ${MIN_REQUESTS} requests`);
    }
    expect(deployment.routes).toEqual([{ weight: 100, version: { id: made.v2 } }]);
    await shoot(page, 'promotion');
  });

  test("the playground's contribution bars are the API's explanation and the linear closed form", async () => {
    const records = [
      { x1: 1.5, x2: 0.25 },
      { x1: 0.2, x2: 0.9 },
    ];
    await page.goto(url(`/playground?deployment=${DEPLOYMENT}`));
    await page.getByLabel('x1', { exact: true }).fill(String(records[0]?.x1));
    await page.getByLabel('x2', { exact: true }).fill(String(records[0]?.x2));
    await page.getByRole('button', { name: 'Add a record' }).click();
    await page.getByLabel('x1', { exact: true }).nth(1).fill(String(records[1]?.x1));
    await page.getByLabel('x2', { exact: true }).nth(1).fill(String(records[1]?.x2));
    await page.getByLabel(/^Explain/).check();
    await page.getByRole('button', { name: 'Predict', exact: true }).click();
    await page.getByRole('region', { name: 'Explanation' }).waitFor();

    const api = await predict(records, true);
    expect(api.modelVersion.id).toBe(made.v2);
    expect(api.explanation?.method).toBe('exact-linear');
    // The closed form, from served predictions only: the baseline is the output at the training
    // mean, and feature i contributes f(x) − f(x with x_i at its mean).
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const means = { x1: mean(columns.x1), x2: mean(columns.x2) };
    const [atMean] = (await predict([means])).outputs.predictions;
    for (const [r, record] of records.entries()) {
      const explained = api.explanation?.records[r];
      expect(explained?.baseline).toBeCloseTo(atMean ?? NaN, 4);
      const [full] = (await predict([record])).outputs.predictions;
      for (const feature of ['x1', 'x2'] as const) {
        const [without] = (await predict([{ ...record, [feature]: means[feature] }])).outputs
          .predictions;
        const contribution = explained?.contributions.find((c) => c.feature === feature);
        expect(contribution?.contribution).toBeCloseTo((full ?? NaN) - (without ?? NaN), 4);
      }

      // The record's sum on screen: baseline, then what the bars add up to, = the prediction shown.
      const sum = page.getByTestId('explanation-sum').nth(r);
      const [, baseline, total] =
        /^baseline (\S+) ([+−±]\S+) = \S+$/.exec((await sum.textContent()) ?? '') ?? [];
      expect(Number(baseline)).toBeCloseTo(explained?.baseline ?? NaN, 2);
      const contributed = (explained?.contributions ?? []).reduce((t, c) => t + c.contribution, 0);
      expect(Number(total?.replace('−', '-').replace('±', ''))).toBeCloseTo(contributed, 2);
      expect((await sum.textContent())?.split(' = ')[1]).toBe(
        await page.getByTestId('prediction-value').nth(r).textContent(),
      );

      // The bars on screen: sign, figure (4 significant digits) and length (largest = half).
      const bars = page.getByRole('list', { name: `Contributions, record ${r + 1}` });
      const largest = Math.max(
        ...(explained?.contributions ?? []).map((c) => Math.abs(c.contribution)),
      );
      for (const c of explained?.contributions ?? []) {
        const item = bars.getByRole('listitem', { name: new RegExp(`^${c.feature} = `) });
        // "x1 = 1.5: +1.234" (the value as sent, the contribution to 4 significant digits).
        const [, value, shown] =
          /^\w+ = (.+): ([+−±][\d.e+-]+)$/.exec((await item.getAttribute('aria-label')) ?? '') ??
          [];
        expect(Number(value)).toBe(record[c.feature as keyof typeof record]);
        const figure = Number(shown?.replace('−', '-').replace('±', ''));
        expect(Math.abs(figure - c.contribution)).toBeLessThanOrEqual(
          5e-4 * Math.abs(c.contribution) + 1e-9,
        );
        expect(await item.textContent()).toContain(shown);
        const bar = item.getByTestId('contribution-bar');
        expect(await bar.getAttribute('data-direction')).toBe(c.contribution > 0 ? 'up' : 'down');
        const width = await bar.evaluate((el) => parseFloat((el as HTMLElement).style.width));
        // (the style as the browser serialises it: a few decimals)
        expect(width).toBeCloseTo((Math.abs(c.contribution) / largest) * 50, 2);
      }
    }
    await shoot(page, 'explanations');
  });

  test("an evaluation of both versions shows the API's metrics side by side on the model page", async () => {
    type Results = {
      status: string;
      error: string | null;
      results: { version: { version: number }; metrics: Record<string, number> }[];
    };
    const evaluationJob = await until('the evaluation job', async () => {
      const answer = await graphql<{ evaluationJob: Results }>(
        'query($id: ID!) { evaluationJob(id: $id) { status error results { version { version } metrics } } }',
        { id: made.evaluationId },
      );
      const job = answer.evaluationJob;
      if (job.status === 'FAILED') throw new Error(`evaluation failed: ${job.error}`);
      return job.status === 'SUCCEEDED' ? job : undefined;
    });
    expect(evaluationJob.results.map((r) => r.version.version)).toEqual([1, 2]);
    await page.goto(url(`/models/${MODEL}`));
    const table = page.getByRole('table', { name: 'Metrics by version' });
    await table.waitFor();
    const header = await table.getByRole('columnheader').allTextContents();
    const metrics = header.slice(1);
    expect(new Set(metrics)).toEqual(new Set(Object.keys(evaluationJob.results[0]?.metrics ?? {})));
    for (const result of evaluationJob.results) {
      const row = table.getByRole('row').filter({
        has: page.getByRole('cell', { name: new RegExp(`^v${result.version.version}`) }),
      });
      const cells = await row.getByRole('cell').allTextContents();
      for (const [k, metric] of metrics.entries()) {
        const shown = Number(/^-?[\d.e+-]+/.exec(cells[k + 1] ?? '')?.[0]);
        const value = result.metrics[metric] ?? NaN;
        expect(Math.abs(shown - value)).toBeLessThanOrEqual(5e-4 * Math.abs(value) + 1e-9);
      }
    }
    await shoot(page, 'model-evaluated');
    await shootElement(page.getByRole('region', { name: 'Evaluations' }), 'evaluation');
  });

  test("the model page's timeline shows the API's events in its order, and a new one on Refresh", async () => {
    interface Event {
      at: string;
      kind: string;
      message: string;
      version: { version: number } | null;
      trainingJob: { id: string } | null;
    }
    const timeline = async () =>
      (
        await graphql<{ model: { timeline: Event[] } }>(
          `
            query ($n: String!) {
              model(name: $n) {
                timeline(first: 50) {
                  at
                  kind
                  message
                  version {
                    version
                  }
                  trainingJob {
                    id
                  }
                }
              }
            }
          `,
          { n: MODEL },
        )
      ).model.timeline;
    const before = await timeline();
    // What this file did, newest first: two training jobs (v1, v2), the evaluation, and the
    // promotion (started, each step started and passed, completed) with its alias move.
    const at = before.map((e) => Date.parse(e.at));
    expect(at).toEqual([...at].sort((a, b) => b - a));
    const of = (prefix: string) => before.filter((e) => e.kind.startsWith(prefix));
    expect(of('training.').map((e) => [e.kind, e.version?.version ?? null])).toEqual([
      ['training.succeeded', 2],
      ['training.started', null],
      ['training.succeeded', 1],
      ['training.started', null],
    ]);
    expect(of('evaluation.').map((e) => e.kind)).toEqual([
      'evaluation.succeeded',
      'evaluation.started',
    ]);
    const promotion = of('promotion.');
    expect(promotion.map((e) => e.kind)).toEqual([
      'promotion.completed',
      ...[...STEPS].reverse().flatMap(() => ['promotion.step.ended', 'promotion.step']),
      'promotion.started',
    ]);
    // Each step's start and end name its weight, last step first.
    expect(
      promotion
        .filter((e) => e.kind.startsWith('promotion.step'))
        .map((e) => /(\d+)%/.exec(e.message)?.[1]),
    ).toEqual([...STEPS].reverse().flatMap((w) => [String(w), String(w)]));
    const aliases = of('alias');
    expect(aliases).toHaveLength(1);
    expect(aliases[0]?.message).toMatch(/"production".*version 2/);
    // The alias moved while the last step ran or as the promotion completed.
    const lastStep = promotion.find((e) => e.kind === 'promotion.step');
    expect(Date.parse(aliases[0]?.at ?? '')).toBeGreaterThanOrEqual(Date.parse(lastStep?.at ?? ''));
    expect(before).toHaveLength(4 + 2 + promotion.length + 1);

    // The card: one item per event in the API's order, its time (exact, on the <time>), kind,
    // links (the version, the job) and message.
    await page.goto(url(`/models/${MODEL}`));
    const card = page.getByRole('region', { name: 'Timeline' });
    const list = card.getByRole('list', { name: 'Timeline events' });
    await list.waitFor();
    const shown = () =>
      list.evaluate((ol) =>
        [...ol.querySelectorAll(':scope > li')].map((li) => {
          const time = li.querySelector('time');
          const relative = time?.textContent ?? '';
          const text = li.textContent ?? '';
          return {
            at: time?.dateTime ?? '',
            relative,
            rest: text.startsWith(relative) ? text.slice(relative.length) : `(no time) ${text}`,
          };
        }),
      );
    const expected = (events: Event[]) =>
      events.map((e) => ({
        at: e.at,
        relative: expect.stringMatching(/\S/),
        rest: `${e.kind}${e.version ? `v${e.version.version}` : ''}${e.trainingJob ? 'job' : ''}${e.message}`,
      }));
    expect(await shown()).toEqual(expected(before));
    await card.getByText(/^No retraining policy/).waitFor();

    // A retraining policy set through the API: on the timeline once the card asks again.
    await graphql(
      `
        mutation ($m: ID!, $d: String!) {
          setRetrainPolicy(
            modelId: $m
            policy: { trigger: { minFeedbackRows: 500 }, deployment: $d }
          ) {
            enabled
          }
        }
      `,
      { m: made.modelId, d: DEPLOYMENT },
    );
    const after = await until('the policy on the timeline', async () => {
      const events = await timeline();
      return events[0]?.kind === 'policy.set' ? events : undefined;
    });
    expect(after.slice(1)).toEqual(before);
    expect(after[0]?.message).toContain(`"${DEPLOYMENT}"`);
    // Not live: the card still shows what it loaded until Refresh.
    expect(await shown()).toEqual(expected(before));
    await card.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(async () => (await shown()).length).toBe(after.length);
    expect(await shown()).toEqual(expected(after));
    const policy = card.getByLabel('Retraining policy');
    expect(await policy.textContent()).toContain('after 500 new feedback rows; not run yet.');
    expect(await policy.getByRole('link', { name: DEPLOYMENT }).getAttribute('href')).toBe(
      `/deployments/${DEPLOYMENT}`,
    );
    await shootElement(card, 'timeline');
  });

  test('the four views render in the dark theme and at phone width without errors', async () => {
    const { ctx, page: dark } = await newPage(browser, { dark: true });
    const errors = watchErrors(dark);
    await signIn(dark, platform.consoleUrl, platform.adminKey);
    await dark.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await dark.goto(url(`/deployments/${DEPLOYMENT}`));
    await dark.getByRole('region', { name: 'Promotion' }).getByText('Completed').waitFor();
    await shoot(dark, 'promotion-dark');
    await dark.goto(url(`/playground?deployment=${DEPLOYMENT}`));
    await dark.getByLabel('x1', { exact: true }).fill('1.5');
    await dark.getByLabel('x2', { exact: true }).fill('0.25');
    await dark.getByLabel(/^Explain/).check();
    await dark.getByRole('button', { name: 'Predict', exact: true }).click();
    await dark.getByRole('region', { name: 'Explanation' }).waitFor();
    await shoot(dark, 'explanations-dark');
    await dark.goto(url(`/models/${MODEL}`));
    const card = dark.getByRole('region', { name: 'Evaluations' });
    await card.getByRole('table', { name: 'Metrics by version' }).waitFor();
    await shootElement(card, 'evaluation-dark');
    const timeline = dark.getByRole('region', { name: 'Timeline' });
    await timeline.getByRole('list', { name: 'Timeline events' }).waitFor();
    await shootElement(timeline, 'timeline-dark');
    expect(errors).toEqual([]);
    await ctx.close();

    // At phone width the promotion card, the evaluation table and the timeline stay inside the
    // screen.
    const phone = await newPage(browser, { width: 390, height: 844 });
    await signIn(phone.page, platform.consoleUrl, platform.adminKey);
    await phone.page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    for (const [pathname, region] of [
      [`/deployments/${DEPLOYMENT}`, 'Promotion'],
      [`/models/${MODEL}`, 'Evaluations'],
      [`/models/${MODEL}`, 'Timeline'],
    ] as const) {
      await phone.page.goto(url(pathname));
      const card = phone.page.getByRole('region', { name: region });
      await (
        region === 'Promotion'
          ? card.getByText('Completed')
          : region === 'Evaluations'
            ? card.getByRole('table', { name: 'Metrics by version' })
            : card.getByRole('list', { name: 'Timeline events' })
      ).waitFor();
      const box = await card.boundingBox();
      expect((box?.x ?? -1) + (box?.width ?? 1000)).toBeLessThanOrEqual(390);
      // Nothing in it (a long message, a wide table) sticks out of the card.
      const width = await card.evaluate((el) => [el.scrollWidth, el.clientWidth]);
      expect(width[0], region).toBeLessThanOrEqual(width[1] ?? 0);
      await shootElement(card, `${region.toLowerCase()}-phone`);
    }
    expect(
      await phone.page.evaluate(() => document.documentElement.scrollWidth),
    ).toBeLessThanOrEqual(390);
    await phone.ctx.close();
    expect(pageErrors).toEqual([]);
  });
});
