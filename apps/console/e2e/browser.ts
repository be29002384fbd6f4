// Debian's Chromium through playwright-core (never a downloaded browser), and screenshots.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const screenshotDir = path.join(__dirname, 'screenshots');

/** Launches headless Chromium with the flags CI needs (no sandbox as root, no network chatter). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `${chromiumPath} is missing: install Debian's Chromium (apt-get install -y chromium).`,
    );
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Saves a full-page (or, with `fullPage: false`, a viewport) screenshot as e2e/screenshots/<name>.png. */
export async function shoot(
  page: Page,
  name: string,
  options: { fullPage?: boolean } = {},
): Promise<void> {
  await mkdir(screenshotDir, { recursive: true });
  // Let charts and transitions settle.
  await page.waitForTimeout(300);
  await page.screenshot({
    path: path.join(screenshotDir, `${name}.png`),
    fullPage: options.fullPage ?? true,
  });
}

/** Saves a screenshot of one element (a card, a chart) as e2e/screenshots/<name>.png. */
export async function shootElement(target: Locator, name: string): Promise<void> {
  await mkdir(screenshotDir, { recursive: true });
  await target.page().waitForTimeout(300);
  await target.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}

/** Collects uncaught page errors, so a test can assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** A fresh browser context (its own session storage) and page. */
export async function newPage(
  browser: Browser,
  options: { width?: number; height?: number; dark?: boolean } = {},
): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    colorScheme: options.dark ? 'dark' : 'light',
  });
  return { ctx, page: await ctx.newPage() };
}

/** Signs in on the console's sign-in form with `key`. */
export async function signIn(target: Page, consoleUrl: string, key: string): Promise<void> {
  await target.goto(consoleUrl);
  await target.getByLabel('API key').fill(key);
  await target.getByRole('button', { name: 'Sign in' }).click();
}

/** The console's own alert (Next.js adds an empty role="alert" route announcer). */
export const alertOf = (target: Page | ReturnType<Page['getByRole']>) =>
  target.locator('[role="alert"]:not(#__next-route-announcer__)').first();
