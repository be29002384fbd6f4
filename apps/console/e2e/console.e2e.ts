// The console against a real platform, in Chromium: sign in, the seeded demo, a dataset, a job
// started from the form whose chart grows live, an ONNX upload, aliases, a canary deployment, a
// prediction in the playground, a language-model bundle answering in the Chat page and an
// embedding model in its try-out, keys created and revoked; screenshots of every page.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tarBundle, tinyBertBundle, writeBundle, writeTinyGpt2Bundle } from '@maas/testing';
import { disposeOracles, oracleGenerate, type OracleMessage } from '@maas/testing/llm-oracle';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  alertOf,
  launchBrowser,
  newPage as newPageOf,
  shoot,
  signIn as signInOn,
  watchErrors,
} from './browser';
import { refusedQueries } from './documents';
import { apiGraphql, startPlatform, type GraphQLAnswer, type RunningPlatform } from './platform';

let platform: RunningPlatform;
let browser: Browser;
let page: Page;
let pageErrors: string[] = [];
// Files the test hands to the browser (CSV, ONNX); removed at the end.
let files = '';
const made: { datasetId?: string; jobId?: string } = {};

/** y = 3x + noise, x and noise uniform in [0, 1): the seed example's data. */
function seedCsv(rows: number): string {
  const lines = ['x,y'];
  let state = 12345;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  for (let i = 0; i < rows; i += 1) {
    const x = random();
    lines.push(`${x.toFixed(5)},${(3 * x + random()).toFixed(5)}`);
  }
  return `${lines.join('\n')}\n`;
}

const newPage = (options: Parameters<typeof newPageOf>[1] = {}) => newPageOf(browser, options);
const signIn = (target: Page, key: string) => signInOn(target, platform.consoleUrl, key);

const url = (pathname: string) => `${platform.consoleUrl}${pathname}`;

beforeAll(async () => {
  files = await mkdtemp(path.join(tmpdir(), 'maas-console-e2e-files-'));
  platform = await startPlatform();
  browser = await launchBrowser();
  ({ page } = await newPage());
  pageErrors = watchErrors(page);
});

afterAll(async () => {
  await disposeOracles();
  await browser?.close();
  await platform?.stop();
  if (files) await rm(files, { recursive: true, force: true });
});

describe('the console against a real platform', () => {
  test('every query the console sends is valid and within the API limits', async () => {
    expect(await refusedQueries(platform.apiUrl, platform.adminKey)).toEqual([]);
  });

  test('sign-in refuses a wrong key with a clear message and accepts the admin key', async () => {
    await page.goto(platform.consoleUrl);
    await page.getByLabel('API key').waitFor();
    await shoot(page, 'sign-in');
    await page.getByLabel('API key').fill('maas_not_a_real_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => alertOf(page).textContent()).toContain('wrong or has been revoked');
    await shoot(page, 'sign-in-refused');

    await page.getByLabel('API key').fill(platform.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  });

  test('the seeded demo model and its loss curve are there', async () => {
    // The supervisor seeds the demo right after start; give it time.
    await expect
      .poll(
        async () => {
          await page.goto(url('/models'));
          await page.getByRole('heading', { name: 'Models' }).waitFor();
          await page.waitForTimeout(500);
          return page.getByRole('link', { name: 'demo-linear' }).count();
        },
        { timeout: 90_000, interval: 2000 },
      )
      .toBeGreaterThan(0);
    await shoot(page, 'models');
    await page.getByRole('link', { name: 'demo-linear' }).click();
    await page.getByRole('heading', { name: 'demo-linear' }).waitFor();
    await page.getByText('production', { exact: true }).first().waitFor();
    await page.getByRole('link', { name: /Linear regression → y/ }).waitFor();
    await shoot(page, 'model-demo');
    await page.getByRole('link', { name: /Linear regression → y/ }).click();
    await page.getByRole('heading', { name: /Train demo-linear/ }).waitFor();
    const chart = page.locator('[data-points]').first();
    await expect
      .poll(async () => Number(await chart.getAttribute('data-points')))
      .toBeGreaterThan(5);
    await page.goto(url('/'));
    await page.getByText('Recent versions').waitFor();
    await page.getByRole('link', { name: 'demo-linear' }).first().waitFor();
    await shoot(page, 'dashboard');
  });

  test('a CSV uploads as a dataset with column statistics and histograms', async () => {
    const file = path.join(files, 'e2e-xy.csv');
    await writeFile(file, seedCsv(16_000));
    await page.goto(url('/datasets'));
    await page.getByRole('button', { name: 'Upload dataset' }).click();
    await page.getByRole('dialog').getByLabel('CSV file').setInputFiles(file);
    await page.getByRole('dialog').getByLabel('Name').fill('e2e-xy');
    await page.getByRole('button', { name: 'Create dataset' }).click();
    await page.waitForURL(/\/datasets\/[0-9a-f-]{36}$/);
    made.datasetId = page.url().split('/').pop();
    await page.getByRole('heading', { name: 'e2e-xy' }).waitFor();
    await page.getByText('16,000 rows').first().waitFor();
    await page.getByRole('img', { name: /Distribution of x/ }).waitFor();
    await shoot(page, 'dataset');
    await page.goto(url('/datasets'));
    await page.getByRole('link', { name: 'e2e-xy' }).waitFor();
    await shoot(page, 'datasets');
  });

  test('a job started from the form trains live: the epoch counter and the chart grow without a reload', async () => {
    await page.goto(url('/models'));
    await page.getByRole('button', { name: 'New model' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('e2e-mlp');
    await dialog.getByLabel('Task').selectOption('REGRESSION');
    await page.getByRole('button', { name: 'Create model' }).click();
    await page.waitForURL(/\/models\/e2e-mlp$/);
    await page.getByText('No versions yet').waitFor();

    await page.getByRole('link', { name: 'Train', exact: true }).click();
    await page.getByRole('heading', { name: 'New training job' }).waitFor();
    await page.getByLabel('Dataset').selectOption(made.datasetId ?? '');
    await page.getByLabel('Algorithm').selectOption('MLP');
    await page.getByLabel('Target').selectOption('y');
    await page.getByLabel('epochs').fill('60');
    await page.getByLabel('hiddenLayers').fill('32, 32');
    await shoot(page, 'job-new');
    await page.getByRole('button', { name: 'Start training' }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    made.jobId = page.url().split('/').pop();

    // A marker on window survives only if the page is never reloaded.
    await page.evaluate(() => Object.assign(window, { e2eMarker: 'kept' }));
    const epochs = new Set<number>();
    const points = new Set<number>();
    const deadline = Date.now() + 110_000;
    while (Date.now() < deadline) {
      epochs.add(Number(await page.getByTestId('job-epoch').textContent()));
      points.add(Number(await page.locator('[data-points]').first().getAttribute('data-points')));
      if (await page.getByText('succeeded', { exact: true }).count()) break;
      await page.waitForTimeout(250);
    }
    await page.getByText('succeeded', { exact: true }).first().waitFor();
    expect(await page.evaluate(() => (window as unknown as { e2eMarker?: string }).e2eMarker)).toBe(
      'kept',
    );
    // Seen growing: several distinct epoch counts and chart sizes before the end.
    expect([...epochs].filter((e) => e > 0 && e < 60).length).toBeGreaterThanOrEqual(2);
    expect([...points].filter((p) => p > 0 && p < 60).length).toBeGreaterThanOrEqual(2);
    await expect
      .poll(async () =>
        Number(await page.locator('[data-points]').first().getAttribute('data-points')),
      )
      .toBe(60);
    await page.getByRole('link', { name: 'version 1' }).waitFor();
    await shoot(page, 'job');
    await page.goto(url('/jobs'));
    await page.getByRole('heading', { name: 'Training jobs' }).waitFor();
    await page.getByRole('link', { name: made.jobId?.slice(0, 8) ?? '' }).waitFor();
    await shoot(page, 'jobs');
  });

  test('an ONNX file uploads as a new version, and aliases move', async () => {
    // The file: the trained version's own ONNX, as a user would download it.
    const artifact = await fetch(`${platform.apiUrl}/v1/models/e2e-mlp/versions/1/artifact`, {
      headers: { authorization: `Bearer ${platform.adminKey}` },
    });
    expect(artifact.status).toBe(200);
    const file = path.join(files, 'e2e-mlp.onnx');
    await writeFile(file, Buffer.from(await artifact.arrayBuffer()));

    await page.goto(url('/models/e2e-mlp'));
    await page.getByRole('button', { name: 'Upload version' }).click();
    await page.getByLabel('ONNX file').setInputFiles(file);
    await page.getByRole('dialog').getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByRole('heading', { name: /Version 2/ }).waitFor();
    await page.getByRole('cell', { name: 'FP32' }).first().waitFor();

    // A file ONNX Runtime cannot load is refused with the API's reason.
    const bad = path.join(files, 'not-onnx.onnx');
    await writeFile(bad, 'not an onnx model');
    await page.getByRole('button', { name: 'Upload version' }).click();
    await page.getByLabel('ONNX file').setInputFiles(bad);
    await page.getByRole('dialog').getByRole('button', { name: 'Upload', exact: true }).click();
    await expect.poll(() => alertOf(page.getByRole('dialog')).textContent()).toMatch(/ONNX/);
    await page.keyboard.press('Escape');

    await page.getByLabel('Alias').fill('production');
    await page.getByLabel('Version', { exact: true }).selectOption('1');
    await page.getByRole('button', { name: 'Set alias' }).click();
    await page.getByRole('combobox', { name: 'Version for production' }).waitFor();
    // Move it to version 2: the alias follows.
    await page.getByRole('combobox', { name: 'Version for production' }).selectOption('2');
    await page.getByRole('button', { name: 'Move production to v2' }).click();
    await expect
      .poll(() => page.getByRole('combobox', { name: 'Version for production' }).inputValue())
      .toBe('2');
    await page.getByRole('button', { name: 'v1' }).first().click();
    await shoot(page, 'model');
  });

  test('a canary deployment serves predictions in the playground', async () => {
    await page.goto(url('/deployments'));
    await page.getByRole('button', { name: 'New deployment' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Endpoint name').fill('e2e-api');
    await dialog.getByLabel('Model').selectOption({ label: 'e2e-mlp' });
    await expect.poll(() => dialog.getByLabel('Version').locator('option').count()).toBe(2);
    await dialog.getByLabel('Version').selectOption({ label: 'v1' });
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.waitForURL(/\/deployments\/e2e-api$/);

    await page.getByLabel('Add a version (canary)').selectOption({ label: 'v2' });
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    // The thumb splits stable (left) from canary (right): 20 steps left gives the canary 20%.
    await page.getByRole('slider').focus();
    for (let i = 0; i < 20; i += 1) await page.keyboard.press('ArrowLeft');
    await page.getByText('20%').first().waitFor();
    await page.getByRole('button', { name: 'Save routes' }).click();
    await page.getByText('Routes saved.').waitFor();

    await page.getByRole('link', { name: 'Try it' }).click();
    await page.getByLabel('x', { exact: true }).fill('0.5');
    await shoot(page, 'playground-form');
    await page.getByRole('button', { name: 'Predict', exact: true }).click();
    const value = Number(await page.getByTestId('prediction-value').first().textContent());
    // y = 3x + noise with noise uniform in [0, 1): about 3 · 0.5 + 0.5.
    expect(value).toBeGreaterThan(1.6);
    expect(value).toBeLessThan(2.4);
    await shoot(page, 'playground');
    for (let i = 0; i < 5; i += 1)
      await page.getByRole('button', { name: 'Predict', exact: true }).click();

    await page.goto(url('/deployments/e2e-api'));
    await page.getByText('Live serving').waitFor();
    await expect
      .poll(async () => page.getByRole('cell', { name: /^v[12]$/ }).count(), {
        timeout: 45_000,
        interval: 1000,
      })
      .toBeGreaterThan(0);
    await shoot(page, 'deployment');
    await page.goto(url('/deployments'));
    await page.getByRole('link', { name: 'e2e-api' }).waitFor();
    await shoot(page, 'deployments');
  });

  test('a GPT-2 bundle uploaded in the console streams the greedy answer in the Chat page', async () => {
    const gpt2Dir = path.join(files, 'e2e-gpt2');
    const gpt2 = writeTinyGpt2Bundle(gpt2Dir);
    const archive = path.join(files, 'e2e-gpt2.tar.gz');
    await writeFile(archive, await tarBundle(gpt2Dir, { gzip: true, topFolder: 'e2e-gpt2' }));
    const created = await apiGraphql(
      platform.apiUrl,
      platform.adminKey,
      'mutation { createModel(input: { name: "e2e-gpt2" }) { id } }',
    );
    expect(created.errors).toBeUndefined();

    // The bundle goes up through the console's upload dialog, as a person would send it.
    await page.goto(url('/models/e2e-gpt2'));
    await page.getByRole('button', { name: 'Upload version' }).click();
    await page.getByLabel('ONNX file').setInputFiles(archive);
    await page.getByRole('dialog').getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByRole('heading', { name: /Version 1/ }).waitFor();
    await page.getByRole('button', { name: 'Bundle (tar)' }).waitFor();
    // A fresh load: the version as anyone opening it sees it (and without the upload's toast).
    await page.reload();
    const bundleFiles = page.getByRole('table', { name: 'Bundle files' });
    for (const file of gpt2.files.keys())
      await bundleFiles.getByRole('cell', { name: file, exact: true }).waitFor();
    const facts = page.getByRole('definition').filter({ hasText: 'tokens' });
    expect(await facts.first().textContent()).toBe(`${gpt2.contextLength} tokens`);
    await page.getByText('Uploaded bundle').waitFor();
    await shoot(page, 'model-bundle');

    await page.getByRole('link', { name: 'Open in Chat' }).click();
    await page.getByRole('heading', { name: 'Chat' }).waitFor();
    await page.getByText('model: e2e-gpt2@1').waitFor();
    await page.getByLabel('Temperature').fill('0');
    await page.getByLabel('Max tokens').fill('12');
    const system = 'You are a helpful assistant.';
    expect(await page.getByLabel('System prompt').inputValue()).toBe(system);

    // Greedy output through the GraphQL `generate` query and by transformers.js (the oracle).
    const expected = async (messages: OracleMessage[]) => {
      const answer = await apiGraphql<{
        generate: { text: string; usage: { promptTokens: number; completionTokens: number } };
      }>(
        platform.apiUrl,
        platform.adminKey,
        `query($input: GenerateInput!) {
          generate(input: $input) { text usage { promptTokens completionTokens } }
        }`,
        { input: { model: 'e2e-gpt2@1', messages, temperature: 0, maxTokens: 12 } },
      );
      expect(answer.errors).toBeUndefined();
      const oracle = await oracleGenerate(gpt2Dir, messages, 12);
      const generated = answer.data?.generate;
      expect(generated?.text).toBe(oracle.text);
      expect(generated?.usage.promptTokens).toBe(oracle.promptIds.length);
      return { text: oracle.text, promptTokens: oracle.promptIds.length, generated };
    };
    const answers = page.getByTestId('answer');
    const stats = page.getByTestId('turn-stats');
    const ask = async (text: string, turn: number) => {
      await page.getByLabel('Message').fill(text);
      await page.getByRole('button', { name: 'Send' }).click();
      await answers.nth(turn).and(page.locator('[data-status="done"]')).waitFor();
      return (await answers.nth(turn).textContent()) ?? '';
    };

    const first: OracleMessage[] = [
      { role: 'system', content: system },
      { role: 'user', content: 'Hello! Who are you?' },
    ];
    const firstExpected = await expected(first);
    expect(await ask('Hello! Who are you?', 0)).toBe(firstExpected.text);
    const firstStats = stats.nth(0);
    expect(await firstStats.locator('[data-stat="prompt-tokens"]').textContent()).toBe(
      String(firstExpected.promptTokens),
    );
    expect(await firstStats.locator('[data-stat="completion-tokens"]').textContent()).toBe(
      String(firstExpected.generated?.usage.completionTokens),
    );
    expect(
      Number(await firstStats.locator('[data-stat="tokens-per-second"]').textContent()),
    ).toBeGreaterThan(0);
    expect(await firstStats.locator('[data-stat="ttft"]').textContent()).toMatch(/ ms$/);

    // The second message carries the conversation so far.
    const secondText = 'Tell me more.';
    const second: OracleMessage[] = [
      ...first,
      { role: 'assistant', content: firstExpected.text },
      { role: 'user', content: secondText },
    ];
    const secondExpected = await expected(second);
    expect(await ask(secondText, 1)).toBe(secondExpected.text);
    await shoot(page, 'chat');
  });

  test('an embedding model compares texts in the Chat page’s embeddings tab', async () => {
    const bert = tinyBertBundle();
    const body = await tarBundle(writeBundle(path.join(files, 'e2e-bert'), bert.files));
    await apiGraphql(
      platform.apiUrl,
      platform.adminKey,
      'mutation { createModel(input: { name: "e2e-bert" }) { id } }',
    );
    const uploaded = await fetch(`${platform.apiUrl}/v1/models/e2e-bert/versions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-tar',
        authorization: `Bearer ${platform.adminKey}`,
      },
      body: new Uint8Array(body),
    });
    expect(uploaded.status).toBe(201);

    await page.goto(url('/chat'));
    await page.getByRole('tab', { name: 'Embeddings' }).click();
    await page.getByLabel('Text 1', { exact: true }).waitFor();
    expect(page.url()).toMatch(/\?tab=embeddings$/);
    const panel = page.getByRole('tabpanel');
    await panel.getByLabel('Deployment or model').selectOption('m:e2e-bert');
    await panel.getByText('model: e2e-bert').waitFor();
    const texts = [
      'The cat sat on the mat.',
      'A kitten is resting on the rug.',
      'Quarterly revenue grew by twelve percent.',
    ];
    for (const [i, text] of texts.entries())
      expect(await page.getByLabel(`Text ${i + 1}`, { exact: true }).inputValue()).toBe(text);
    await page.getByRole('button', { name: 'Embed' }).click();
    const matrix = page.getByRole('table', { name: 'Cosine similarity' });
    await matrix.waitFor();
    expect(await page.locator('[data-stat="dimensions"]').textContent()).toBe(String(bert.hidden));

    // The matrix against cosines of the API's own vectors, computed here.
    const answer = await apiGraphql<{
      embed: { vectors: number[][]; usage: { promptTokens: number } };
    }>(
      platform.apiUrl,
      platform.adminKey,
      'query($input: EmbedInput!) { embed(input: $input) { vectors usage { promptTokens } } }',
      { input: { model: 'e2e-bert', inputs: texts } },
    );
    const vectors = answer.data?.embed.vectors ?? [];
    expect(vectors).toHaveLength(3);
    expect(await page.locator('[data-stat="tokens"]').textContent()).toBe(
      String(answer.data?.embed.usage.promptTokens),
    );
    const dot = (a: number[], b: number[]) => a.reduce((sum, x, k) => sum + x * (b[k] ?? 0), 0);
    for (let i = 0; i < 3; i += 1) {
      for (let j = 0; j < 3; j += 1) {
        const a = vectors[i] ?? [];
        const b = vectors[j] ?? [];
        const cos = dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
        const shown = Number(
          await matrix.locator(`[data-cell="${i}-${j}"]`).getAttribute('data-value'),
        );
        expect(shown).toBeCloseTo(cos, 6);
      }
    }
    await shoot(page, 'embeddings');
  });

  test('an admin creates a viewer key (secret shown once), the viewer is read-only, and revocation locks it out', async () => {
    await page.goto(url('/settings/api-keys'));
    await page.getByRole('button', { name: 'New key' }).click();
    await page.getByRole('dialog').getByLabel('Name').fill('e2e-viewer');
    await page.getByRole('dialog').getByLabel('Role').selectOption('VIEWER');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = await page.getByTestId('new-key-secret').inputValue();
    expect(secret).toMatch(/^maas_/);
    await page.getByRole('button', { name: 'Copy' }).waitFor();
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('cell', { name: 'e2e-viewer', exact: true }).waitFor();
    await shoot(page, 'api-keys');

    const viewer = await newPage();
    await signIn(viewer.page, secret);
    await viewer.page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    expect(await viewer.page.getByRole('link', { name: 'API keys' }).count()).toBe(0);
    await viewer.page.goto(url('/models/e2e-mlp'));
    await viewer.page.getByRole('heading', { name: 'e2e-mlp' }).waitFor();
    expect(await viewer.page.getByRole('button', { name: 'Upload version' }).count()).toBe(0);
    expect(await viewer.page.getByRole('button', { name: 'Set alias' }).count()).toBe(0);
    await shoot(viewer.page, 'model-as-viewer');

    await page.getByRole('button', { name: 'Revoke e2e-viewer' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
    await page.getByText('Key e2e-viewer revoked.').waitFor();

    // The viewer's next page load checks the key again and is refused.
    await viewer.page.reload();
    await viewer.page.getByLabel('API key').waitFor();
    await expect.poll(() => alertOf(viewer.page).textContent()).toContain('revoked');
    await viewer.ctx.close();
  });

  test('live updates reconnect after the API restarts, and a new job shows up without a reload', async () => {
    await page.goto(url('/jobs'));
    await page.getByRole('heading', { name: 'Training jobs' }).waitFor();
    await page.getByText('Live updates on').waitFor();
    await page.evaluate(() => Object.assign(window, { e2eMarker: 'kept' }));

    // Kill the API process; the supervisor starts a new one on the same port.
    const pids = [...platform.log().matchAll(/api started \(pid (\d+)\)/g)].map((m) =>
      Number(m[1]),
    );
    const apiPid = pids[pids.length - 1];
    expect(apiPid).toBeGreaterThan(0);
    process.kill(apiPid ?? 0, 'SIGKILL');
    await expect
      .poll(() => [...platform.log().matchAll(/api started \(pid (\d+)\)/g)].length, {
        timeout: 60_000,
      })
      .toBeGreaterThan(pids.length);
    await page.getByText('Live updates on').waitFor({ timeout: 60_000 });

    // A job started by someone else (a script) appears and finishes on the open page.
    const graphql = (query: string, variables: Record<string, unknown>) =>
      apiGraphql<Record<string, { id: string }>>(
        platform.apiUrl,
        platform.adminKey,
        query,
        variables,
      );
    let model: GraphQLAnswer<Record<string, { id: string }>> = {};
    await expect
      .poll(
        async () => {
          model = await graphql('query($n: String!) { model(name: $n) { id } }', { n: 'e2e-mlp' });
          return model.data?.model?.id;
        },
        { timeout: 30_000 },
      )
      .toBeTruthy();
    const started = await graphql(
      `
        mutation ($m: ID!, $d: ID!) {
          startTrainingJob(
            input: {
              modelId: $m
              datasetId: $d
              algorithm: LINEAR_REGRESSION
              target: "y"
              hyperparameters: { epochs: 20 }
            }
          ) {
            id
          }
        }
      `,
      { m: model.data?.model?.id, d: made.datasetId },
    );
    const jobId = started.data?.startTrainingJob?.id ?? '';
    expect(started.errors).toBeUndefined();
    const row = page
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: jobId.slice(0, 8) }) });
    await row.waitFor({ timeout: 30_000 });
    await row.getByText('succeeded').waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => (window as unknown as { e2eMarker?: string }).e2eMarker)).toBe(
      'kept',
    );
  });

  test('every page renders in the dark theme and at phone width, without errors', async () => {
    const pages = [
      ['/', 'dashboard'],
      ['/models', 'models'],
      ['/models/e2e-mlp', 'model'],
      ['/datasets', 'datasets'],
      [`/datasets/${made.datasetId ?? ''}`, 'dataset'],
      ['/jobs', 'jobs'],
      [`/jobs/${made.jobId ?? ''}`, 'job'],
      ['/jobs/new', 'job-new'],
      ['/deployments', 'deployments'],
      ['/deployments/e2e-api', 'deployment'],
      ['/playground', 'playground'],
      ['/models/e2e-gpt2', 'model-bundle'],
      ['/chat', 'chat'],
      ['/settings/api-keys', 'api-keys'],
    ] as const;
    for (const variant of [
      { suffix: 'dark', dark: true, width: 1280 },
      { suffix: 'phone', dark: false, width: 390 },
    ]) {
      const { ctx, page: p } = await newPage({
        dark: variant.dark,
        width: variant.width,
        height: 844,
      });
      const errors = watchErrors(p);
      await signIn(p, platform.adminKey);
      await p.getByRole('heading', { name: 'Dashboard' }).waitFor();
      if (variant.suffix === 'phone') {
        await p.getByRole('button', { name: 'Open menu' }).click();
        const nav = p.getByRole('navigation', { name: 'Main' });
        await nav.getByRole('link', { name: 'Deployments', exact: true }).waitFor();
        await shoot(p, 'menu-phone');
        await nav.getByRole('link', { name: 'Models', exact: true }).click();
        await p.getByRole('heading', { name: 'Models' }).waitFor();
        // Navigating closes the menu.
        expect(await p.getByRole('button', { name: 'Open menu' }).count()).toBe(1);
      }
      for (const [pathname, name] of pages) {
        await p.goto(url(pathname));
        await p.locator('h1').first().waitFor();
        await p.waitForLoadState('networkidle').catch(() => undefined);
        await shoot(p, `${name}-${variant.suffix}`);
      }
      expect(errors).toEqual([]);
      await ctx.close();
    }
    expect(pageErrors).toEqual([]);
  });
});
