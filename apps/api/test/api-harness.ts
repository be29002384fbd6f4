import { randomBytes } from 'node:crypto';
import { createDataSource } from '@maas/db';
import { createApiServer, loadConfig, type ApiServer, type ApiServerOptions } from '@maas/api';
import { RetentionSweeper, retentionRules } from '../src/modules/retention/retention-sweeper';
import type { DataSource, Logger as TypeOrmLogger } from 'typeorm';
import { createTestDatabase } from '@maas/testing';
import { expect } from 'vitest';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[];
}

/** Counts the SQL statements the API's DataSource sends, for the N+1 tests. */
export class QueryCounter implements TypeOrmLogger {
  count = 0;
  readonly statements: string[] = [];
  logQuery(query: string): void {
    this.count += 1;
    this.statements.push(query);
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
  reset(): void {
    this.count = 0;
    this.statements.length = 0;
  }
}

export interface TestApi {
  url: string;
  adminKey: string;
  server: ApiServer;
  queries: QueryCounter;
  gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    key?: string | null,
  ): Promise<GraphQLResponse<T>>;
  /** Creates a key through the API and returns its secret. */
  createKey(
    role: 'ADMIN' | 'EDITOR' | 'VIEWER',
    workspaceId?: string,
    key?: string,
  ): Promise<string>;
  /** POST /v1/models/{name}/versions; `contentType` for bundles (default: a single ONNX file). */
  upload(
    modelName: string,
    bytes: Uint8Array,
    key?: string,
    contentType?: string,
  ): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** GraphQL and model-upload calls against an API at `url`, as `adminKey` unless told otherwise. */
export function apiClient(url: string, adminKey: string): Pick<TestApi, 'gql' | 'upload'> {
  return {
    async gql(query, variables, key = adminKey) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(key ? { authorization: `Bearer ${key}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as Omit<GraphQLResponse, 'status'>;
      return { status: res.status, ...body };
    },
    async upload(modelName, bytes, key = adminKey, contentType = 'application/octet-stream') {
      const res = await fetch(`${url}/v1/models/${encodeURIComponent(modelName)}/versions`, {
        method: 'POST',
        headers: { 'content-type': contentType, authorization: `Bearer ${key}` },
        body: bytes,
      });
      return { status: res.status, body: await res.json() };
    },
  };
}

/**
 * Starts the real API (Fastify, Apollo, graphql-ws) on a free port against a fresh copy of the
 * migrated template database. One per test file.
 */
export async function startTestApi(
  env: Record<string, string> = {},
  options: Pick<ApiServerOptions, 'languageModels'> = {},
): Promise<TestApi> {
  const database = await createTestDatabase();
  const adminKey = `maas_root_${randomBytes(18).toString('base64url')}`;
  const config = loadConfig({
    DATABASE_URL: database.url,
    ADMIN_API_KEY: adminKey,
    LOG_LEVEL: 'warn',
    ORT_EXECUTION_PROVIDERS: 'cpu',
    DB_POOL_SIZE: '5',
    ...env,
  });
  const queries = new QueryCounter();
  const base = createDataSource(database.url, { poolSize: 5 });
  const { DataSource: DataSourceClass } = await import('typeorm');
  const dataSource: DataSource = new DataSourceClass({
    ...base.options,
    logger: queries,
    logging: ['query'],
  });
  await dataSource.initialize();
  const server = await createApiServer({ config, dataSource, ...options });
  const address = await server.app.listen({ port: 0, host: '127.0.0.1' });

  const { gql, upload } = apiClient(address, adminKey);

  return {
    url: address,
    adminKey,
    server,
    queries,
    gql,
    async createKey(role, workspaceId, key = adminKey) {
      const res = await gql<{ createApiKey: { secret: string } }>(
        'mutation($n: String!, $r: Role!, $w: ID) { createApiKey(name: $n, role: $r, workspaceId: $w) { secret } }',
        {
          n: `${role.toLowerCase()}-${randomBytes(3).toString('hex')}`,
          r: role,
          w: workspaceId ?? null,
        },
        key,
      );
      if (!res.data) throw new Error(`createApiKey failed: ${JSON.stringify(res.errors)}`);
      return res.data.createApiKey.secret;
    },
    upload,
    async close() {
      await server.close();
      await dataSource.destroy();
      await database.drop();
    },
  };
}

/** Creates model `name` and uploads `tar` (a bundle) as its first version; fails the test otherwise. */
export async function createModelWithBundle(
  api: Pick<TestApi, 'gql' | 'upload'>,
  name: string,
  tar: Uint8Array,
): Promise<void> {
  const created = await api.gql(
    'mutation($n: String!) { createModel(input: { name: $n }) { id } }',
    {
      n: name,
    },
  );
  expect(created.errors).toBeUndefined();
  const res = await api.upload(name, tar, undefined, 'application/x-tar');
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

/** A GraphQL call that must succeed: its `data`, or a failed expectation naming the errors. */
export async function gqlOk(
  client: Pick<TestApi, 'gql'>,
  query: string,
  variables?: Record<string, unknown>,
  key?: string,
): Promise<any> {
  const res = await client.gql(query, variables, key);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data;
}

/**
 * Polls `trainingJob(id)` until it SUCCEEDED and returns it with `fields` (default: the result
 * version's id and number); throws on FAILED or CANCELLED with the job's error, and after
 * `withinMs`. `context` adds what helps to read a failure (a worker's output, say).
 */
export async function waitForTrainingJob(
  client: Pick<TestApi, 'gql'>,
  jobId: string,
  {
    fields = 'resultVersion { id version }',
    withinMs = 120_000,
    context = () => '',
  }: { fields?: string; withinMs?: number; context?: () => string } = {},
): Promise<any> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const { trainingJob: job } = await gqlOk(
      client,
      `query($id: ID!) { trainingJob(id: $id) { status error ${fields} } }`,
      { id: jobId },
    );
    if (job.status === 'SUCCEEDED') return job;
    if (job.status === 'FAILED' || job.status === 'CANCELLED')
      throw new Error(`training job ${jobId} ${job.status}: ${job.error} ${context()}`);
    if (Date.now() > deadline)
      throw new Error(
        `training job ${jobId} still ${job.status} after ${withinMs} ms ${context()}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One retention sweep now, with the rules `api`'s configuration sets (as its sweeper runs them). */
export async function sweepRetention(api: Pick<TestApi, 'server'>): Promise<void> {
  const { db, logger, config } = api.server.services;
  await new RetentionSweeper(db, logger, retentionRules(config), 3_600_000, 1000).sweep();
}
