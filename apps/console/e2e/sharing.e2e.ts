// Resource sharing in the console against a real platform: the root key sets a workspace's quotas
// on the Workspaces page, the workspace's dashboard bar moves after an upload through the console,
// the Usage page counts the predictions made, and the Audit page lists, filters and refreshes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { alertOf, launchBrowser, newPage, shoot, signIn, watchErrors } from './browser';
import { apiGraphql, startPlatform, type RunningPlatform } from './platform';

let platform: RunningPlatform;
let browser: Browser;
let root: Page;
let team: Page;
const pageErrors: string[] = [];
let files = '';
const keys = { admin: '', editor: '' };
let artifactBytes = 0;
let artifactFile = '';

const url = (pathname: string) => `${platform.consoleUrl}${pathname}`;

async function graphql<T = Record<string, unknown>>(
  key: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const answer = await apiGraphql<T>(platform.apiUrl, key, query, variables);
  if (answer.errors?.length || !answer.data) {
    throw new Error(`GraphQL refused: ${JSON.stringify(answer.errors)}`);
  }
  return answer.data;
}

/** The quota bar of `quota` on the page's "Quotas" card. */
const quotaBar = (target: Page, quota: string) =>
  target.getByRole('region', { name: 'Quotas' }).locator(`[data-quota="${quota}"]`);

async function usedOf(target: Page, quota: string): Promise<number> {
  return Number(await quotaBar(target, quota).getAttribute('data-used'));
}

beforeAll(async () => {
  files = await mkdtemp(path.join(tmpdir(), 'maas-console-e2e-sharing-'));
  platform = await startPlatform();
  browser = await launchBrowser();
  ({ page: root } = await newPage(browser));
  ({ page: team } = await newPage(browser));
  pageErrors.push(...watchErrors(root));
  root.on('pageerror', (e) => pageErrors.push(e.message));
  team.on('pageerror', (e) => pageErrors.push(e.message));

  // A workspace with an admin and an editor key, made through the API as an operator would.
  const created = await graphql<{ createWorkspace: { id: string } }>(
    platform.adminKey,
    'mutation { createWorkspace(name: "e2e-team") { id } }',
  );
  const workspaceId = created.createWorkspace.id;
  for (const role of ['ADMIN', 'EDITOR'] as const) {
    const key = await graphql<{ createApiKey: { secret: string } }>(
      platform.adminKey,
      'mutation($w: ID!, $r: Role!, $n: String!) { createApiKey(workspaceId: $w, role: $r, name: $n) { secret } }',
      { w: workspaceId, r: role, n: `team-${role.toLowerCase()}` },
    );
    keys[role === 'ADMIN' ? 'admin' : 'editor'] = key.createApiKey.secret;
  }

  // The ONNX file to upload: the seeded demo's, downloaded by the root key.
  // The supervisor seeds the demo right after start (expect.poll is for tests, not hooks).
  const seededBy = Date.now() + 120_000;
  for (;;) {
    const answer = await apiGraphql<{
      model: { latestVersion: { version: number } | null } | null;
    }>(
      platform.apiUrl,
      platform.adminKey,
      '{ model(name: "demo-linear") { latestVersion { version } } }',
    );
    if (answer.data?.model?.latestVersion) break;
    if (Date.now() > seededBy) throw new Error(`The demo was not seeded:\n${platform.log()}`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  const artifact = await fetch(`${platform.apiUrl}/v1/models/demo-linear/versions/1/artifact`, {
    headers: { authorization: `Bearer ${platform.adminKey}` },
  });
  expect(artifact.status).toBe(200);
  const bytes = Buffer.from(await artifact.arrayBuffer());
  artifactBytes = bytes.byteLength;
  artifactFile = path.join(files, 'demo-linear.onnx');
  await writeFile(artifactFile, bytes);
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  if (files) await rm(files, { recursive: true, force: true });
});

describe('resource sharing in the console', () => {
  test('the root key sets quotas of a workspace on the Workspaces page', async () => {
    await signIn(root, platform.consoleUrl, platform.adminKey);
    await root.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await root
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Workspaces' })
      .click();
    await root.getByRole('heading', { name: 'Workspaces' }).waitFor();
    const row = root.locator('[data-workspace="e2e-team"]');
    await row.waitFor();
    // A new workspace starts without limits (the default workspace always does).
    expect(await row.locator('[data-quota="maxModels"]').getAttribute('data-level')).toBe(
      'unlimited',
    );

    await root.getByRole('button', { name: 'Set quotas of e2e-team' }).click();
    const dialog = root.getByRole('dialog');
    await dialog.getByLabel('Models').fill('2');
    // Twice the file about to be uploaded: one upload fills half of it.
    await dialog.getByLabel('Storage').fill(String(artifactBytes * 2));
    await dialog.getByLabel('Datasets').fill('a lot');
    await dialog.getByRole('button', { name: 'Save quotas' }).click();
    await dialog.getByText(/A size such as 500 MB/).waitFor();
    await shoot(root, 'workspace-quotas');
    await dialog.getByLabel('Datasets').fill('');
    // Over the API's bound: its BAD_USER_INPUT is shown at the field it names.
    await dialog.getByLabel('Running jobs').fill('20000');
    await dialog.getByRole('button', { name: 'Save quotas' }).click();
    await dialog.getByText(/maxConcurrentJobs must be/).waitFor();
    expect(await dialog.getByLabel('Running jobs').getAttribute('aria-invalid')).toBe('true');
    await dialog.getByLabel('Running jobs').fill('');
    await dialog.getByRole('button', { name: 'Save quotas' }).click();
    await root.getByText('Quotas of e2e-team saved.').waitFor();
    await expect
      .poll(() => row.locator('[data-quota="maxModels"]').getAttribute('data-level'))
      .toBe('ok');
    expect(await row.locator('[data-quota="maxModels"]').textContent()).toContain('0 of 2');
    await shoot(root, 'workspaces');
  });

  test("the workspace's storage bar moves after an upload through the console", async () => {
    await signIn(team, platform.consoleUrl, keys.admin);
    await team.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await quotaBar(team, 'maxStorageBytes').waitFor();
    expect(await usedOf(team, 'maxStorageBytes')).toBe(0);
    expect(await quotaBar(team, 'maxStorageBytes').getAttribute('data-level')).toBe('ok');
    expect(await quotaBar(team, 'maxPredictionsPerDay').textContent()).toContain('unlimited');
    // Only the root key sees the Workspaces page.
    const nav = team.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Workspaces' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Audit log' }).count()).toBe(1);
    await shoot(team, 'dashboard-quota-before');

    await graphql(keys.admin, 'mutation { createModel(input: { name: "e2e-quota" }) { id } }');
    await team.goto(url('/models/e2e-quota'));
    await team.getByRole('button', { name: 'Upload version' }).click();
    await team.getByLabel('ONNX file').setInputFiles(artifactFile);
    await team.getByRole('dialog').getByRole('button', { name: 'Upload', exact: true }).click();
    await team.getByRole('heading', { name: /Version 1/ }).waitFor();

    await team.goto(url('/'));
    await quotaBar(team, 'maxStorageBytes').waitFor();
    await expect.poll(() => usedOf(team, 'maxStorageBytes')).toBe(artifactBytes);
    await expect.poll(() => usedOf(team, 'maxModels')).toBe(1);
    const storage = quotaBar(team, 'maxStorageBytes').getByRole('progressbar');
    expect(await storage.getAttribute('aria-valuenow')).toBe('50');

    // The second model fills the models quota: its bar turns red.
    await graphql(keys.admin, 'mutation { createModel(input: { name: "e2e-quota-2" }) { id } }');
    await team.reload();
    await expect
      .poll(() => quotaBar(team, 'maxModels').getAttribute('data-level'), { timeout: 15_000 })
      .toBe('full');
    await shoot(team, 'dashboard-quota');
    // A third is refused by the API with the quota named.
    const refused = await apiGraphql(
      platform.apiUrl,
      keys.admin,
      'mutation { createModel(input: { name: "e2e-quota-3" }) { id } }',
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('QUOTA_EXCEEDED');
  });

  test('the Usage page counts the predictions made, per day and per key', async () => {
    const signature = await graphql<{
      model: { latestVersion: { signature: { inputs: { name: string }[] } } };
    }>(
      keys.admin,
      '{ model(name: "e2e-quota") { latestVersion { signature { inputs { name } } } } }',
    );
    const input = signature.model.latestVersion.signature.inputs[0]?.name ?? 'x';
    for (let i = 0; i < 3; i += 1) {
      await graphql(
        keys.admin,
        'query($i: JSON) { predict(input: { model: "e2e-quota", inputs: $i }) { id } }',
        {
          i: { [input]: [[0.25], [0.5]] },
        },
      );
    }
    await expect
      .poll(
        async () => {
          await team.goto(url('/usage'));
          const card = team.getByRole('region', { name: 'Predictions (rows)' });
          await card.getByRole('img').waitFor();
          return (await card.textContent()) ?? '';
        },
        { timeout: 90_000, interval: 3000 },
      )
      .toContain('6 in 30 days');
    const byKey = team.getByRole('region', { name: 'By API key' });
    await byKey.getByRole('cell', { name: 'team-admin', exact: true }).waitFor();
    await team
      .getByRole('region', { name: 'By model' })
      .getByRole('cell', { name: 'e2e-quota', exact: true })
      .waitFor();
    await team
      .getByRole('region', { name: 'Storage against quota' })
      .locator('[data-quota="maxStorageBytes"]')
      .waitFor();
    await shoot(team, 'usage');

    // An editor sees the figures but not who used what.
    const editor = await newPage(browser);
    editor.page.on('pageerror', (e) => pageErrors.push(e.message));
    await signIn(editor.page, platform.consoleUrl, keys.editor);
    await editor.page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    expect(
      await editor.page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Audit log' })
        .count(),
    ).toBe(0);
    await editor.page.goto(url('/usage'));
    await editor.page.getByText('Only admins see usage per key').waitFor();
    await editor.page
      .getByRole('region', { name: 'By model' })
      .getByRole('cell', { name: 'e2e-quota', exact: true })
      .waitFor();
    await shoot(editor.page, 'usage-as-editor');
    await editor.ctx.close();
  });

  test('the Audit page lists what happened, filters it, and shows new events without a reload', async () => {
    await team.goto(url('/audit'));
    await team.getByRole('heading', { name: 'Audit log' }).waitFor();
    await team.locator('tr[data-action="version.upload"]').first().waitFor();
    await team.locator('tr[data-action="model.create"]').first().waitFor();
    await shoot(team, 'audit');

    await team.getByLabel('Action').fill('model.create');
    await team.getByRole('button', { name: 'Apply' }).click();
    await team.waitForURL(/action=model\.create/);
    await expect
      .poll(() => team.locator('tr[data-action]:not([data-action="model.create"])').count())
      .toBe(0);
    const before = await team.locator('tr[data-action="model.create"]').count();
    expect(before).toBeGreaterThanOrEqual(2);

    // The refused third model is in the log too.
    await team.getByLabel('Outcome').selectOption('quota_exceeded');
    await team.getByRole('button', { name: 'Apply' }).click();
    await team.waitForURL(/outcome=quota_exceeded/);
    await team.locator('tr[data-outcome="quota_exceeded"]').first().waitFor();
    await team.getByLabel('Outcome').selectOption({ label: 'Any' });
    await team.getByRole('button', { name: 'Apply' }).click();
    await team.waitForURL((u) => !u.search.includes('outcome='));
    await expect.poll(() => team.locator('tr[data-action="model.create"]').count()).toBe(before);

    // Someone else's attempt appears on the open page within the polling interval (the models
    // quota is full, so it is refused: refused attempts are audited too).
    await apiGraphql(
      platform.apiUrl,
      keys.admin,
      'mutation { createModel(input: { name: "e2e-live" }) { id } }',
    );
    await expect
      .poll(() => team.locator('tr[data-action="model.create"]').count(), { timeout: 20_000 })
      .toBe(before + 1);
    await team.getByRole('button', { name: 'Clear' }).click();
    await team.waitForURL((u) => !u.search.includes('action='));

    // The root key sees every workspace's events, the quota change among them.
    await root.goto(url('/audit'));
    await root.getByRole('columnheader', { name: 'Workspace' }).waitFor();
    await root.locator('tr[data-action="quota.set"]').first().waitFor();
    await shoot(root, 'audit-root');
    expect(await alertOf(root).count()).toBe(0);
  });

  test('the new pages render in the dark theme and at phone width, without errors', async () => {
    const pages = [
      ['/', 'dashboard-quota'],
      ['/usage', 'usage'],
      ['/audit', 'audit'],
      ['/workspaces', 'workspaces'],
    ] as const;
    for (const variant of [
      { suffix: 'dark', dark: true, width: 1280 },
      { suffix: 'phone', dark: false, width: 390 },
    ]) {
      const { ctx, page: p } = await newPage(browser, {
        dark: variant.dark,
        width: variant.width,
        height: 844,
      });
      const errors = watchErrors(p);
      await signIn(p, platform.consoleUrl, platform.adminKey);
      await p.getByRole('heading', { name: 'Dashboard' }).waitFor();
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
