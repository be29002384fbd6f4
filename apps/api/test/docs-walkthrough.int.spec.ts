// docs/api.md's walkthrough, run as written against a real API, so the docs cannot rot: its
// shell block (the repository's make:demo-bundle script, then curl: createModel, the bundle
// upload, a streamed chat completion, GraphQL generate) in bash, and its JavaScript blocks (the
// `openai` client streaming, a graphql-ws subscription) in node; every answer is the greedy text
// transformers.js generates from the same bundle files.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { demoChatBundle, writeBundle } from '@maas/testing';
import { disposeOracles, oracleGenerate } from '@maas/testing/llm-oracle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './api-harness';

const ROOT = path.resolve(__dirname, '../../..');
const HEADING = '### Walkthrough: from a fresh clone to a streamed chat';

/** The walkthrough section of docs/api.md: from its heading to the next heading of its level. */
function walkthrough(): string {
  const doc = readFileSync(path.join(ROOT, 'docs/api.md'), 'utf8');
  const start = doc.indexOf(`\n${HEADING}\n`);
  if (start < 0) throw new Error(`docs/api.md has no "${HEADING}"`);
  const rest = doc.slice(start + HEADING.length + 2);
  const end = rest.search(/^#{2,3} /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The fenced code blocks of `markdown`, in order. */
function fences(markdown: string): { lang: string; code: string }[] {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1] ?? '',
    code: m[2] ?? '',
  }));
}

/** A shell block's commands: comments and blank lines dropped, `\` continuations kept with their line. */
function commands(sh: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of sh.split('\n')) {
    if (!current && (line.trim() === '' || line.trim().startsWith('#'))) continue;
    if (line.endsWith('\\')) current += `${line}\n`;
    else {
      out.push(current + line);
      current = '';
    }
  }
  return out;
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (asynchronously: the API answers in this same process). */
function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let api: TestApi;
let work: string;
let host: string;
const section = walkthrough();
const blocks = fences(section);
const shell = blocks.filter((b) => b.lang === 'sh');
const scripts = blocks.filter((b) => b.lang === 'js');
const steps = shell.flatMap((b) => commands(b.code));
const step = (pattern: RegExp) => {
  const index = steps.findIndex((c) => pattern.test(c));
  if (index < 0) throw new Error(`the walkthrough has no step matching ${pattern}`);
  return index;
};

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'maas-walkthrough-'));
  api = await startTestApi();
  host = new URL(api.url).host;
  // Where `npm start` leaves the admin key, for the walkthrough's `export KEY=$(cat ...)`.
  mkdirSync(path.join(work, '.maas'));
  writeFileSync(path.join(work, '.maas', 'admin-key'), `${api.adminKey}\n`);
}, 120_000);

afterAll(async () => {
  await disposeOracles();
  await api?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the docs walkthrough, as written', () => {
  it('has the steps the README promises', () => {
    expect(shell).toHaveLength(1);
    expect(scripts).toHaveLength(2);
    expect(steps[step(/^export KEY=/)]).toBe('export KEY=$(cat .maas/admin-key)');
    expect(steps[step(/make:demo-bundle/)]).toBe('npm run make:demo-bundle -- model.tar');
    const upload = steps[step(/\/versions/)];
    expect(upload).toContain('--data-binary @model.tar');
    expect(upload).toContain("-H 'Content-Type: application/x-tar'");
    expect(scripts[0]?.code).toContain("from 'openai'");
    expect(scripts[1]?.code).toContain("from 'graphql-ws'");
  });

  it('builds the bundle, uploads it, and streams the oracle text through curl, openai and GraphQL', async () => {
    // `npm run make:demo-bundle` is the root script; the walkthrough's `npm` runs its node command
    // (the build before it is the one this test run already did).
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const script = /&& node (\S+)$/.exec(manifest.scripts['make:demo-bundle'] ?? '')?.[1] ?? '';
    const maker = path.join(ROOT, script);
    expect(existsSync(maker), `${maker}: build first`).toBe(true);
    const prelude = [
      'set -euo pipefail',
      `npm() { if [ "$#" -ge 3 ] && [ "$1" = run ] && [ "$2" = make:demo-bundle ] && [ "$3" = -- ]; then shift 3; node "$MAKE_DEMO_BUNDLE" "$@"; else echo "npm $* is not in the walkthrough" >&2; return 97; fi; }`,
    ];
    const body = steps.map(
      (command, i) => `printf '\\n@@@step ${i}\\n'\n${command.replaceAll('localhost:4000', host)}`,
    );
    const ran = await run('bash', ['-c', [...prelude, ...body].join('\n')], {
      cwd: work,
      env: { ...process.env, MAKE_DEMO_BUNDLE: maker },
      timeoutMs: 90_000,
    });
    expect(ran.code, `${ran.stdout}\n${ran.stderr}`).toBe(0);
    const outputs = ran.stdout.split(/\n@@@step \d+\n/).slice(1);
    expect(outputs).toHaveLength(steps.length);
    const output = (pattern: RegExp) => outputs[step(pattern)] ?? '';

    // The script's archive is the demo chat bundle, and uploads as a TEXT_GENERATION version.
    expect(output(/make:demo-bundle/)).toMatch(/^Wrote model\.tar \(\d+ bytes\)/);
    const bundle = demoChatBundle();
    const uploaded = JSON.parse(output(/\/versions/)) as {
      version: number;
      files: { path: string; sha256: string }[];
      languageModel: { task: string; architecture: string };
    };
    expect(uploaded).toMatchObject({
      version: 1,
      languageModel: { task: 'TEXT_GENERATION', architecture: 'gpt2' },
    });
    expect(uploaded.files.map((f) => [f.path, f.sha256]).sort()).toEqual(
      [...bundle.files].map(([file, bytes]) => [file, sha256(bytes)]).sort(),
    );

    // The oracle: transformers.js, greedy, on the same files, with the documented request.
    const chat = steps[step(/chat\/completions/)] ?? '';
    const request = JSON.parse(/-d '(.+)'$/s.exec(chat)?.[1] ?? '{}') as {
      messages: { role: 'user'; content: string }[];
      max_tokens: number;
      temperature: number;
      stream: boolean;
    };
    expect(request).toMatchObject({ temperature: 0, stream: true });
    const dir = writeBundle(path.join(work, 'oracle', 'demo-chat'), bundle.files);
    const expected = (await oracleGenerate(dir, request.messages, request.max_tokens)).text;
    expect(expected.length).toBeGreaterThan(0);

    // curl's server-sent events: chunks in order, then [DONE], the oracle's text.
    const events = output(/chat\/completions/)
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => line.slice('data: '.length));
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map(
      (e) =>
        JSON.parse(e) as {
          object: string;
          choices: { delta: { content?: string }; finish_reason: string | null }[];
        },
    );
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(expected);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toMatch(/^(stop|length)$/);

    // GraphQL generate, through curl.
    const generated = JSON.parse(output(/generate\(input/)) as {
      data: { generate: { text: string } };
    };
    expect(generated.data.generate.text).toBe(expected);

    // The openai client (6.x, pinned) and the graphql-ws subscription, run from the repository
    // root as a user in a fresh clone would: each stream ends, and prints the same text.
    expect(readApiDevDependency('openai')).toMatch(/^6\./);
    for (const { code } of scripts) {
      const js = await run(
        process.execPath,
        ['--input-type=module', '-e', code.replaceAll('localhost:4000', host)],
        { cwd: ROOT, env: { ...process.env, KEY: api.adminKey }, timeoutMs: 60_000 },
      );
      expect(js.code, js.stderr).toBe(0);
      expect(js.stdout).toBe(`${expected}\n`);
    }
  }, 180_000);
});

/** The `openai` version @maas/api pins (the root manifest does not list it). */
function readApiDevDependency(name: string): string {
  const json = JSON.parse(readFileSync(path.join(ROOT, 'apps/api/package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  return json.devDependencies[name] ?? '';
}
