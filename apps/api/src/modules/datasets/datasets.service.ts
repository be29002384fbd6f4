import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
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
import { In, IsNull, type DataSource } from 'typeorm';
import { audit } from '../../common/audit';
import { discardBody } from '../../common/discard-body';
import { badInput, conflict, notFound } from '../../common/errors';
import { newestFirstPage, type Page } from '../../common/pagination';
import { assertId } from '../../common/scalars';
import type { ApiConfig } from '../../env';
import { requireRole, type AuthInfo } from '../auth/auth.service';
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
  async upload(auth: AuthInfo, name: string | undefined, body: Readable): Promise<Dataset> {
    requireRole(auth, 'EDITOR');
    if (name === undefined) throw badInput('Pass the dataset name as ?name=...', { field: 'name' });
    const datasetName = assertDatasetName(name);
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
      return await this.ingest(auth, datasetName, spooled.filePath, spooled.sha256);
    } finally {
      await rm(spooled.filePath, { force: true });
    }
  }

  /** `createDataset(name, csv)`: small inline CSVs. */
  async createInline(auth: AuthInfo, name: string, csv: string): Promise<Dataset> {
    requireRole(auth, 'EDITOR');
    const datasetName = assertDatasetName(name);
    if (Buffer.byteLength(csv) > this.limits.maxBytes) throw uploadTooLarge(this.limits.maxBytes);
    const filePath = path.join(tmpdir(), `maas-dataset-${randomUUID()}.csv`);
    await writeFile(filePath, csv, { mode: 0o600, flag: 'wx' });
    try {
      return await this.ingest(auth, datasetName, filePath);
    } finally {
      await rm(filePath, { force: true });
    }
  }

  /**
   * Parses on a worker thread (limits enforced there too; at most `parseConcurrency` at once),
   * then stores; nothing on refusal.
   */
  private async ingest(
    auth: AuthInfo,
    name: string,
    filePath: string,
    sha256?: string,
  ): Promise<Dataset> {
    const columnsPath = `${filePath}.columns`;
    try {
      let parsed: CsvIngestResult;
      try {
        parsed = await this.threads.ingest({
          csvPath: filePath,
          columnsPath,
          options: this.limits,
          previewMaxRows: MAX_PREVIEW_ROWS,
          previewMaxBytes: MAX_PREVIEW_BYTES,
        });
      } catch (err) {
        throw err instanceof DatasetError ? datasetFailure(err, this.limits) : err;
      }
      const source = await this.store.put(filePath, sha256 ? { sha256 } : {});
      const columns = await this.store.put(columnsPath);
      const row = await this.db.transaction(async (m) => {
        await acquireArtifact(m, source.sha256);
        await acquireArtifact(m, columns.sha256);
        const saved = await m.save(
          m.create(DatasetRow, {
            workspaceId: auth.workspaceId,
            name,
            rowCount: parsed.rowCount,
            columns: parsed.stats.map((s) => ({ ...s })),
            sizeBytes: source.sizeBytes,
            sourceSha256: source.sha256,
            columnsSha256: columns.sha256,
            previewRows: parsed.previewRows,
            deletedAt: null,
          }),
        );
        await audit(m, auth, auth.workspaceId, 'dataset.create', 'dataset', saved.id, {
          name,
          rows: parsed.rowCount,
        });
        return saved;
      });
      return mapDataset(row);
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
