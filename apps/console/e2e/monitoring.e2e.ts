// The Monitoring tab of a deployment against a real platform: a linear model trained on y = 3x,
// served inputs shifted beyond its training range with feedback from y = 4x; the tab shows the
// API's drift per feature and the online RMSE, and an alert raised by the checker appears on
// screen without a reload (monitoringAlerts).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser, newPage, shoot, shootElement, signIn, watchErrors } from './browser';
import { apiGraphql, startPlatform, type RunningPlatform } from './platform';

const MODEL = 'e2e-monitored';
const DEPLOYMENT = 'e2e-monitored-api';

let platform: RunningPlatform;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];

const url = (pathname: string) => `${platform.consoleUrl}${pathname}`;

async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const answer = await apiGraphql<T>(platform.apiUrl, platform.adminKey, query, variables);
  if (answer.errors?.length || !answer.data)
    throw new Error(`GraphQL refused: ${JSON.stringify(answer.errors)}`);
  return answer.data;
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

/** A seeded uniform generator, so the data are the same on every run. */
function uniform(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

interface Monitoring {
  buckets: {
    onlineMetrics: { rmse?: number } | null;
    inputDrift: { feature: string; psi: number }[];
  }[];
  alerts: { id: string; kind: string; feature: string | null }[];
}

async function monitoring(): Promise<Monitoring> {
  const { deploymentMonitoring } = await graphql<{ deploymentMonitoring: Monitoring }>(
    `
      query ($n: String!) {
        deploymentMonitoring(name: $n) {
          buckets {
            onlineMetrics
            inputDrift {
              feature
              psi
            }
          }
          alerts {
            id
            kind
            feature
          }
        }
      }
    `,
    { n: DEPLOYMENT },
  );
  return deploymentMonitoring;
}

beforeAll(async () => {
  platform = await startPlatform({
    env: { MAAS_SEED_DEMO: 'false', MONITORING_CHECK_INTERVAL_MS: '1000' },
  });
  browser = await launchBrowser();
  ({ page } = await newPage(browser));
  pageErrors = watchErrors(page);

  const random = uniform(99);
  const lines = ['x,y'];
  for (let i = 0; i < 500; i += 1) {
    const x = random();
    lines.push(`${x.toFixed(4)},${(3 * x + 0.05 * random()).toFixed(4)}`);
  }
  const uploaded = await fetch(`${platform.apiUrl}/v1/datasets?name=e2e-monitored-rows`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${platform.adminKey}` },
    body: `${lines.join('\n')}\n`,
  });
  expect(uploaded.status).toBe(201);
  const datasetId = ((await uploaded.json()) as { id: string }).id;
  const { createModel } = await graphql<{ createModel: { id: string } }>(
    `mutation { createModel(input: { name: "${MODEL}", task: REGRESSION }) { id } }`,
  );
  const { startTrainingJob } = await graphql<{ startTrainingJob: { id: string } }>(
    `
      mutation ($m: ID!, $d: ID!) {
        startTrainingJob(
          input: { modelId: $m, datasetId: $d, algorithm: LINEAR_REGRESSION, target: "y" }
        ) {
          id
        }
      }
    `,
    { m: createModel.id, d: datasetId },
  );
  const versionId = await until('training', async () => {
    const { trainingJob } = await graphql<{
      trainingJob: { status: string; error: string | null; resultVersion: { id: string } | null };
    }>('query($id: ID!) { trainingJob(id: $id) { status error resultVersion { id } } }', {
      id: startTrainingJob.id,
    });
    if (trainingJob.status === 'FAILED') throw new Error(`training failed: ${trainingJob.error}`);
    return trainingJob.resultVersion?.id;
  });
  await graphql(
    `mutation($m: ID!, $v: ID!) {
      createDeployment(input: { name: "${DEPLOYMENT}", modelId: $m, routes: [{ versionId: $v, weight: 100 }] }) { name }
    }`,
    { m: createModel.id, v: versionId },
  );
  await graphql(
    `mutation { updateDeploymentLogging(name: "${DEPLOYMENT}", logSampleRate: 1) { name } }`,
  );
  // Inputs shifted to 0.5..1.5 (half beyond the training range), feedback from y = 4x.
  const shifted = uniform(7);
  const feedback: { predictionId: string; record: number; actual: number }[] = [];
  for (let p = 0; p < 10; p += 1) {
    const xs = Array.from({ length: 20 }, () => 0.5 + shifted());
    const { predict } = await graphql<{ predict: { id: string } }>(
      'query($i: PredictInput!) { predict(input: $i) { id } }',
      { i: { model: DEPLOYMENT, records: xs.map((x) => ({ x })) } },
    );
    xs.forEach((x, record) => feedback.push({ predictionId: predict.id, record, actual: 4 * x }));
  }
  const sent = await fetch(`${platform.apiUrl}/v1/feedback`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${platform.adminKey}` },
    body: JSON.stringify(feedback),
  });
  expect(sent.status).toBe(200);
  await signIn(page, platform.consoleUrl, platform.adminKey);
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

describe('the Monitoring tab', () => {
  test("shows the API's drift and online RMSE, and an alert arrives live", async () => {
    // The log and the serving stats are written in batches: wait for the API to see them all.
    const seen = await until('the logged predictions and their feedback', async () => {
      const m = await monitoring();
      const rmse = m.buckets.some((b) => (b.onlineMetrics?.rmse ?? 0) > 0);
      return rmse && m.buckets.some((b) => b.inputDrift.length > 0) ? m : undefined;
    });
    await page.goto(url(`/deployments/${DEPLOYMENT}`));
    await page.getByRole('tab', { name: 'Monitoring' }).click();
    await page.getByText('Online RMSE (from feedback)').waitFor();
    const table = page.getByRole('table', { name: 'Latest drift per feature' });
    await table.waitFor();
    const [row] = await table.getByRole('row').allTextContents();
    expect(row).toContain('Feature');
    const cells = await table.getByRole('row').nth(1).getByRole('cell').allTextContents();
    const latest = seen.buckets.flatMap((b) => b.inputDrift).at(-1);
    expect(cells[0]).toBe('x');
    expect(Number(cells[1])).toBeCloseTo(latest?.psi ?? NaN, 2);
    expect(cells[3]).toBe('large');
    expect(await page.getByTestId('monitoring-alert').count()).toBe(0);

    // A threshold the drift is above: the checker raises an alert, pushed to the open tab.
    await graphql(
      `mutation { setMonitoringThresholds(name: "${DEPLOYMENT}", thresholds: { maxInputDrift: 0.25, minSamples: 10 }) { name } }`,
    );
    const alert = page.getByTestId('monitoring-alert');
    await alert.first().waitFor({ timeout: 20_000 });
    expect(await alert.count()).toBe(1);
    expect(await alert.first().textContent()).toContain('inputDrift: x');
    const listed = await monitoring();
    expect(listed.alerts.map((a) => [a.kind, a.feature])).toEqual([['inputDrift', 'x']]);
    await shoot(page, 'monitoring');
    await shootElement(page.getByRole('tabpanel'), 'monitoring-tab');
    expect(pageErrors).toEqual([]);
  });
});
