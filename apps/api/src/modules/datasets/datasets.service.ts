import { createReadStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  acquireArtifact,
  Dataset as DatasetRow,
  releaseArtifact,
  TrainingJob,
  type ArtifactStore,
} from '@maas/db';
import {
  DatasetError,
  decodeColumns,
  encodeColumns,
  parseCsvDataset,
  previewRows,
} from '@maas/training';
import { In, IsNull, type DataSource } from 'typeorm';
import { audit } from '../../common/audit';
import { badInput, conflict, notFound } from '../../common/errors';
import { newestFirstPage, type Page } from '../../common/pagination';
import { assertId } from '../../common/scalars';
import { requireRole, type AuthInfo } from '../auth/auth.service';
import { PayloadTooLargeError, spoolToTempFile } from '../models/model-upload.service';
import type { Dataset } from './datasets.types';

/** Rows kept with the dataset row, so `preview` rarely needs the columns artifact. */
const STORED_PREVIEW_ROWS = 20;
const MAX_PREVIEW_ROWS = 100;

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
  constructor(
    private readonly db: DataSource,
    private readonly store: ArtifactStore,
    private readonly maxBytes: number,
  ) {}

  /** `POST /v1/datasets?name=`: streams the CSV to a temporary file, then parses and stores it. */
  async upload(auth: AuthInfo, name: string | undefined, body: Readable): Promise<Dataset> {
    requireRole(auth, 'EDITOR');
    if (name === undefined) throw badInput('Pass the dataset name as ?name=...', { field: 'name' });
    const datasetName = assertDatasetName(name);
    const spooled = await spoolToTempFile(body, this.maxBytes);
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
    if (Buffer.byteLength(csv) > this.maxBytes) throw new PayloadTooLargeError(this.maxBytes);
    const filePath = path.join(tmpdir(), `maas-dataset-${randomUUID()}.csv`);
    await writeFile(filePath, csv, { mode: 0o600, flag: 'wx' });
    try {
      return await this.ingest(auth, datasetName, filePath);
    } finally {
      await rm(filePath, { force: true });
    }
  }

  private async ingest(
    auth: AuthInfo,
    name: string,
    filePath: string,
    sha256?: string,
  ): Promise<Dataset> {
    let parsed;
    try {
      parsed = await parseCsvDataset(createReadStream(filePath), { maxBytes: this.maxBytes });
    } catch (err) {
      if (err instanceof DatasetError) {
        if (err.code === 'TOO_LARGE') throw new PayloadTooLargeError(this.maxBytes);
        throw badInput(err.message, {
          ...(err.line ? { line: err.line } : {}),
          ...(err.column ? { column: err.column } : {}),
        });
      }
      throw err;
    }
    const source = await this.store.put(filePath, sha256 ? { sha256 } : {});
    const columns = await this.store.put(Readable.from([encodeColumns(parsed)]));
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
          previewRows: previewRows(parsed, STORED_PREVIEW_ROWS),
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

  async preview(dataset: Dataset, limit: number): Promise<Record<string, unknown>[]> {
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_PREVIEW_ROWS) {
      throw badInput(`"limit" must be between 0 and ${MAX_PREVIEW_ROWS}`, { field: 'limit' });
    }
    if (limit <= dataset.previewRows.length || dataset.rowCount <= dataset.previewRows.length) {
      return dataset.previewRows.slice(0, limit);
    }
    if (dataset.deletedAt) return dataset.previewRows.slice(0, limit);
    const stream = await this.store.openRead(dataset.columnsSha256);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return previewRows(decodeColumns(Buffer.concat(chunks)), limit);
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
