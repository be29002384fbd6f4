import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import {
  acquireArtifact,
  Dataset as DatasetRow,
  releaseArtifact,
  TrainingJob,
  type ArtifactStore,
} from '@maas/db';
import {
  CsvIngestThreads,
  CsvLimitGuard,
  DatasetError,
  type CsvIngestResult,
  type CsvLimits,
} from '@maas/training';
import { In, IsNull, type DataSource, type EntityManager } from 'typeorm';
import { audit } from '../../common/audit';
import { discardBody } from '../../common/discard-body';
import { badInput, conflict, notFound, UserError } from '../../common/errors';
import { newestFirstPage, type Page } from '../../common/pagination';
import { assertId } from '../../common/scalars';
import type { ApiConfig } from '../../env';
import { requireRole, type AuthInfo } from '../auth/auth.service';
import {
  assertIdempotencyKey,
  findIdempotentResult,
  idempotent,
  requestSha256,
  resultGone,
  type IdempotencyScope,
  type IdempotentRequest,
} from '../idempotency/idempotency';
import { WorkspaceQuotaCheck, type ArtifactRef } from '../quotas/quota-rules';
import { spoolToTempFile, uploadTooLarge } from '../models/model-upload.service';
import type { Dataset } from './datasets.types';

/**
 * `preview` answers from the rows kept with the dataset row, never from the columns artifact: at
 * most {@link MAX_PREVIEW_ROWS} rows and {@link MAX_PREVIEW_BYTES} of JSON (fewer rows when wide).
 */
const MAX_PREVIEW_ROWS = 100;
const MAX_PREVIEW_BYTES = 256 * 1024;

/** Which variable sets each CSV limit (the rule itself lives in @maas/training's CsvLimits). */
const LIMIT_VARIABLES: Record<keyof CsvLimits, keyof ApiConfig> = {
  maxBytes: 'MAX_UPLOAD_BYTES',
  maxColumns: 'DATASET_MAX_COLUMNS',
  maxRows: 'DATASET_MAX_ROWS',
  maxCells: 'DATASET_MAX_CELLS',
  maxCellBytes: 'DATASET_MAX_CELL_BYTES',
  maxLineBytes: 'DATASET_MAX_LINE_BYTES',
};

/** The CSV limits the API's configuration sets. */
export function datasetLimits(config: ApiConfig): CsvLimits {
  const limits = {} as CsvLimits;
  for (const [key, variable] of Object.entries(LIMIT_VARIABLES) as [
    keyof CsvLimits,
    keyof ApiConfig,
  ][])
    limits[key] = config[variable] as number;
  return limits;
}

/** A DatasetError as the caller sees it: 400 naming the line, column or limit; 413 over bytes. */
function datasetFailure(err: DatasetError, limits: CsvLimits): Error {
  if (err.code === 'TOO_LARGE') return uploadTooLarge(limits.maxBytes);
  const variable = LIMIT_VARIABLES[err.limit as keyof CsvLimits] as string | undefined;
  return badInput(variable ? `${err.message} (limit ${variable})` : err.message, {
    ...(err.line ? { line: err.line } : {}),
    ...(err.column ? { column: err.column } : {}),
    ...(err.code === 'LIMIT' ? { limit: variable ?? err.limit } : {}),
  });
}

/** sha256 and size of a file, streamed. */
async function hashFile(filePath: string): Promise<ArtifactRef> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of createReadStream(filePath) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    sizeBytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), sizeBytes };
}

export function mapDataset(row: DatasetRow): Dataset {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    name: row.name,
    rowCount: row.rowCount,
    columns: row.columns.map((c) => ({ ...c, distinct: c.distinct ?? null })),
    sizeBytes: row.sizeBytes,
    createdAt: row.createdAt,
    deletedAt: row.deletedAt,
    columnsSha256: row.columnsSha256,
    previewRows: row.previewRows,
  };
}

function assertDatasetName(name: string): string {
  const trimmed = name.trim();

  if (trimmed.length < 1 || trimmed.length > 128 || /[\u0000-\u001f]/.test(trimmed)) {
    throw badInput('A dataset name must have 1 to 128 printable characters', { field: 'name' });
  }
  return trimmed;
}

/** Datasets: CSV files parsed into typed columns that the trainer loads fast. */
export class DatasetsService {
  private readonly threads: CsvIngestThreads;

  constructor(
    private readonly db: DataSource,
    private readonly store: ArtifactStore,
    private readonly limits: CsvLimits,
    parseConcurrency = 2,
  ) {
    this.threads = new CsvIngestThreads(parseConcurrency);
  }

  /**
   * `POST /v1/datasets?name=`: streams the CSV to a temporary file through the limit guard (a
   * CSV over a limit is refused while it streams in), then parses and stores it.
   */
  async upload(
    auth: AuthInfo,
    name: string | undefined,
    body: Readable,
    idempotencyKey?: string | string[],
  ): Promise<Dataset> {
    requireRole(auth, 'EDITOR');
    if (name === undefined) throw badInput('Pass the dataset name as ?name=...', { field: 'name' });
    const datasetName = assertDatasetName(name);
    const key = assertIdempotencyKey(idempotencyKey, 'Idempotency-Key');
    const guard = new CsvLimitGuard(this.limits);
    body.once('error', (err) => guard.destroy(err));
    let spooled;
    try {
      spooled = await spoolToTempFile(body.pipe(guard), this.limits.maxBytes);
    } catch (err) {
      discardBody(body);
      throw err instanceof DatasetError ? datasetFailure(err, this.limits) : err;
    }
    try {
      const req = key
        ? this.request(auth, 'dataset.upload', key, datasetName, spooled.sha256)
        : null;
      return await this.ingest(auth, datasetName, spooled, req);
    } finally {
      await rm(spooled.filePath, { force: true });
    }
  }

  private request(
    auth: AuthInfo,
    scope: IdempotencyScope,
    key: string,
    name: string,
    sha256: string,
  ): IdempotentRequest {
    return {
      workspaceId: auth.workspaceId,
      scope,
      key,
      requestSha256: requestSha256({ name, sha256 }),
    };
  }

  /** `createDataset(name, csv)`: small inline CSVs. */
  async createInline(
    auth: AuthInfo,
    name: string,
    csv: string,
    idempotencyKey?: string | null,
  ): Promise<Dataset> {
    requireRole(auth, 'EDITOR');
    const datasetName = assertDatasetName(name);
    const key = assertIdempotencyKey(idempotencyKey);
    const bytes = Buffer.from(csv);
    if (bytes.length > this.limits.maxBytes) throw uploadTooLarge(this.limits.maxBytes);
    const source = {
      sha256: createHash('sha256').update(bytes).digest('hex'),
      sizeBytes: bytes.length,
    };
    const req = key ? this.request(auth, 'dataset.create', key, datasetName, source.sha256) : null;
    const filePath = path.join(tmpdir(), `maas-dataset-${randomUUID()}.csv`);
    await writeFile(filePath, bytes, { mode: 0o600, flag: 'wx' });
    try {
      return await this.ingest(auth, datasetName, { filePath, ...source }, req);
    } finally {
      await rm(filePath, { force: true });
    }
  }

  /** The dataset an earlier request with the same idempotency key created. */
  private async loadDataset(
    m: EntityManager,
    auth: AuthInfo,
    id: string,
    req: IdempotentRequest,
  ): Promise<Dataset> {
    const row = await m
      .getRepository(DatasetRow)
      .findOne({ where: { id, workspaceId: auth.workspaceId, deletedAt: IsNull() } });
    if (!row) throw resultGone('dataset', req);
    return mapDataset(row);
  }

  /**
   * Parses on a worker thread (limits enforced there too; at most `parseConcurrency` at once),
   * then stores within the workspace's storage and dataset quotas; nothing on refusal.
   */
  private async ingest(
    auth: AuthInfo,
    name: string,
    source: { filePath: string; sha256: string; sizeBytes: number },
    req: IdempotentRequest | null,
  ): Promise<Dataset> {
    const first = req ? await findIdempotentResult(this.db.manager, req) : null;
    if (first && req) return this.loadDataset(this.db.manager, auth, first, req);
    const columnsPath = `${source.filePath}.columns`;
    const created: string[] = [];
    try {
      let parsed: CsvIngestResult;
      try {
        parsed = await this.threads.ingest({
          csvPath: source.filePath,
          columnsPath,
          options: this.limits,
          previewMaxRows: MAX_PREVIEW_ROWS,
          previewMaxBytes: MAX_PREVIEW_BYTES,
        });
      } catch (err) {
        throw err instanceof DatasetError ? datasetFailure(err, this.limits) : err;
      }
      const csv = { sha256: source.sha256, sizeBytes: source.sizeBytes };
      const artifacts = [csv, await hashFile(columnsPath)];
      // Refused before a byte is stored; checked again under the workspace's lock below.
      await (
        await WorkspaceQuotaCheck.read(this.db.manager, auth.workspaceId)
      ).storage(artifacts, csv);
      const stored = await this.store.put(source.filePath, { sha256: source.sha256 });
      if (stored.created) created.push(stored.sha256);
      const columns = await this.store.put(columnsPath, { sha256: artifacts[1]?.sha256 });
      if (columns.created) created.push(columns.sha256);
      return await this.db.transaction((m) =>
        idempotent(
          m,
          req,
          (id) => this.loadDataset(m, auth, id, req as IdempotentRequest),
          async () => {
            await (await WorkspaceQuotaCheck.lock(m, auth.workspaceId)).storage(artifacts, csv);
            await acquireArtifact(m, stored.sha256);
            await acquireArtifact(m, columns.sha256);
            const saved = await m.save(
              m.create(DatasetRow, {
                workspaceId: auth.workspaceId,
                name,
                rowCount: parsed.rowCount,
                columns: parsed.stats.map((s) => ({ ...s })),
                sizeBytes: stored.sizeBytes,
                sourceSha256: stored.sha256,
                columnsSha256: columns.sha256,
                previewRows: parsed.previewRows,
                deletedAt: null,
              }),
            );
            await audit(m, auth, auth.workspaceId, 'dataset.create', 'dataset', saved.id, {
              name,
              rows: parsed.rowCount,
            });
            return { id: saved.id, result: mapDataset(saved) };
          },
        ),
      );
    } catch (err) {
      // Over a quota after all (a concurrent request got there first): bytes only this request
      // stored go again (a referenced artifact is never deleted).
      if (err instanceof UserError && err.code === 'QUOTA_EXCEEDED')
        for (const sha256 of created) await this.store.delete(sha256);
      throw err;
    } finally {
      await rm(columnsPath, { force: true });
    }
  }

  async list(
    auth: AuthInfo,
    args: { first?: number | null; after?: string | null },
  ): Promise<Page<Dataset>> {
    const qb = this.db
      .getRepository(DatasetRow)
      .createQueryBuilder('d')
      .where('d.workspaceId = :ws AND d.deletedAt IS NULL', { ws: auth.workspaceId });
    return newestFirstPage(qb, 'd', args, mapDataset);
  }

  /** A dataset by id, soft-deleted ones included (lineage); null when there is none. */
  async find(auth: AuthInfo, id: string): Promise<Dataset | null> {
    const row = await this.db
      .getRepository(DatasetRow)
      .findOne({ where: { id: assertId(id), workspaceId: auth.workspaceId } });
    return row ? mapDataset(row) : null;
  }

  /** The first `limit` rows, from the dataset row alone (see {@link MAX_PREVIEW_ROWS}). */
  preview(dataset: Dataset, limit: number): Promise<Record<string, unknown>[]> {
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_PREVIEW_ROWS) {
      throw badInput(`"limit" must be between 0 and ${MAX_PREVIEW_ROWS}`, { field: 'limit' });
    }
    return Promise.resolve(dataset.previewRows.slice(0, limit));
  }

  /** Soft-deletes: the row stays for lineage, the files go; refused while a job uses it. */
  async delete(auth: AuthInfo, id: string): Promise<boolean> {
    requireRole(auth, 'EDITOR');
    const released = await this.db.transaction(async (m) => {
      const row = await m.getRepository(DatasetRow).findOne({
        where: { id: assertId(id), workspaceId: auth.workspaceId, deletedAt: IsNull() },
        lock: { mode: 'pessimistic_write' },
      });
      if (!row) throw notFound(`Dataset ${id} does not exist`);
      const active = await m
        .getRepository(TrainingJob)
        .count({ where: { datasetId: row.id, status: In(['QUEUED', 'RUNNING']) } });
      if (active > 0)
        throw conflict(
          `Dataset "${row.name}" is used by ${active} queued or running training job(s): cancel them first`,
        );
      await m.update(DatasetRow, { id: row.id }, { deletedAt: new Date() });
      const out = [
        await releaseArtifact(m, row.sourceSha256),
        await releaseArtifact(m, row.columnsSha256),
      ];
      await audit(m, auth, auth.workspaceId, 'dataset.delete', 'dataset', row.id, {
        name: row.name,
      });
      return out;
    });
    for (const r of released) await this.store.afterRelease(r);
    return true;
  }
}
