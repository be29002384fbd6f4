import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  ArtifactNotFoundError,
  commitModelVersion,
  ModelNotFoundError,
  ModelVersion,
  type ArtifactStore,
  type SignatureRecord,
} from '@maas/db';
import {
  OnnxFormatError,
  OnnxMetadataLimitError,
  readSignatureInThread,
  type MetadataLimits,
} from '@maas/onnx';
import type { DataSource, EntityManager } from 'typeorm';
import { audit } from '../../common/audit';
import { badInput, notFound, payloadTooLarge, UserError } from '../../common/errors';
import { requireRole, type AuthInfo } from '../auth/auth.service';
import {
  assertIdempotencyKey,
  findIdempotentResult,
  idempotent,
  requestSha256,
  resultGone,
  type IdempotentRequest,
} from '../idempotency/idempotency';
import { asQuotaError, WorkspaceQuotaCheck } from '../quotas/quota-rules';
import { toUserError } from '../predictions/predictions.service';
import type { ModelsService } from './models.service';

/** The model can ONNX Runtime load? Implemented by the inference engine, off the main thread. */
export interface ModelValidator {
  validateModel(filePath: string): Promise<{ ok: true } | { ok: false; reason: string }>;
}

/** 413 for an upload (model or dataset) over MAX_UPLOAD_BYTES: the one 413 rule, `payloadTooLarge`. */
export function uploadTooLarge(limit: number): UserError {
  return payloadTooLarge('The upload', 'MAX_UPLOAD_BYTES', limit);
}

export interface UploadedVersion {
  id: string;
  version: number;
  sha256: string;
  sizeBytes: number;
  signature: SignatureRecord;
}

/**
 * Streams a request body to a temporary file while hashing and counting (refusing it past
 * `maxBytes`), so the bytes are never held twice and a bad upload changes nothing.
 */
export async function spoolToTempFile(
  body: Readable,
  maxBytes: number,
  tmpRoot = tmpdir(),
): Promise<{ filePath: string; sha256: string; sizeBytes: number }> {
  const filePath = path.join(tmpRoot, `maas-upload-${randomUUID()}`);
  const hash = createHash('sha256');
  let sizeBytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      sizeBytes += chunk.length;
      if (sizeBytes > maxBytes) return done(uploadTooLarge(maxBytes));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    // Only this process's user may read an upload (0600), whatever the umask.
    await pipeline(body, meter, createWriteStream(filePath, { mode: 0o600, flags: 'wx' }));
  } catch (err) {
    await rm(filePath, { force: true });
    throw err;
  }
  return { filePath, sha256: hash.digest('hex'), sizeBytes };
}

function metadataLimitMessage(err: OnnxMetadataLimitError): string {
  return err.limit === 'entries'
    ? `The model's metadata_props has more than MAX_MODEL_METADATA_ENTRIES (${err.max}) entries`
    : `The model's metadata_props keys and values take more than MAX_MODEL_METADATA_BYTES (${err.max} bytes)`;
}

export class ModelUploadService {
  constructor(
    private readonly db: DataSource,
    private readonly models: ModelsService,
    private readonly store: ArtifactStore,
    private readonly validator: ModelValidator,
    private readonly maxBytes: number,
    private readonly metadataLimits: Required<MetadataLimits>,
  ) {}

  /**
   * `POST /v1/models/{name}/versions`: validates, stores and registers the next version, within the
   * workspace's quotas. With an `Idempotency-Key`, a retry of the same upload returns the first
   * version.
   */
  async upload(
    auth: AuthInfo,
    modelName: string,
    body: Readable,
    idempotencyKey?: string | string[],
  ): Promise<UploadedVersion> {
    requireRole(auth, 'EDITOR');
    const key = assertIdempotencyKey(idempotencyKey, 'Idempotency-Key');
    const model = await this.models.getByName(auth, modelName);
    // The cheap refusal first, before the body is read (a retry with a key is looked up first).
    if (!key)
      await (await WorkspaceQuotaCheck.read(this.db.manager, auth.workspaceId)).versions(model.id);
    const spooled = await spoolToTempFile(body, this.maxBytes);
    try {
      if (spooled.sizeBytes === 0)
        throw badInput('The request body is empty: send the .onnx file as the body');
      const req: IdempotentRequest | null = key
        ? {
            workspaceId: auth.workspaceId,
            scope: 'version.upload',
            key,
            requestSha256: requestSha256({ model: modelName, sha256: spooled.sha256 }),
          }
        : null;
      const first = req ? await findIdempotentResult(this.db.manager, req) : null;
      if (first && req) return await this.loadVersion(this.db.manager, auth, first, req);
      const quota = await WorkspaceQuotaCheck.read(this.db.manager, auth.workspaceId);
      await quota.versions(model.id);
      await quota.storage([spooled]);
      const signature = await this.inspect(spooled.filePath);
      // Identical bytes already stored may be swept or deleted between put and commit (nothing
      // referenced them yet): then they are stored again and the commit retried, once.
      for (let attempt = 1; ; attempt++) {
        const stored = await this.store.put(spooled.filePath, { sha256: spooled.sha256 });
        try {
          return await this.commit(auth, model, modelName, signature, spooled, req);
        } catch (err) {
          // Over a quota after all (a concurrent request got there first): bytes only this
          // request stored go again.
          if (stored.created && err instanceof UserError && err.code === 'QUOTA_EXCEEDED')
            await this.store.delete(spooled.sha256);
          if (!(err instanceof ArtifactNotFoundError) || attempt >= 2) throw err;
        }
      }
    } finally {
      await rm(spooled.filePath, { force: true });
    }
  }

  /** The version an earlier request with the same idempotency key created. */
  private async loadVersion(
    m: EntityManager,
    auth: AuthInfo,
    id: string,
    req: IdempotentRequest,
  ): Promise<UploadedVersion> {
    const row = await m
      .getRepository(ModelVersion)
      .findOne({ where: { id, workspaceId: auth.workspaceId } });
    if (!row) throw resultGone('version', req);
    return {
      id: row.id,
      version: row.version,
      sha256: row.sha256,
      sizeBytes: row.sizeBytes,
      signature: row.signature,
    };
  }

  private commit(
    auth: AuthInfo,
    model: { id: string; name: string },
    modelName: string,
    signature: SignatureRecord,
    spooled: { sha256: string; sizeBytes: number },
    req: IdempotentRequest | null,
  ): Promise<UploadedVersion> {
    return this.db.transaction((m) =>
      idempotent(
        m,
        req,
        (id) => this.loadVersion(m, auth, id, req as IdempotentRequest),
        async () => {
          // Under the workspace's lock: concurrent uploads are counted one after the other.
          const quota = await WorkspaceQuotaCheck.lock(m, auth.workspaceId);
          await quota.storage([spooled]);
          let version;
          try {
            version = await commitModelVersion(m, {
              workspaceId: auth.workspaceId,
              modelId: model.id,
              source: 'UPLOAD',
              signature,
              sha256: spooled.sha256,
              sizeBytes: spooled.sizeBytes,
            });
          } catch (err) {
            if (err instanceof ModelNotFoundError)
              throw notFound(`Model "${modelName}" was deleted during the upload`);
            throw asQuotaError(err);
          }
          await audit(m, auth, auth.workspaceId, 'version.upload', 'model_version', version.id, {
            model: model.name,
            version: version.version,
            sha256: spooled.sha256,
          });
          return {
            id: version.id,
            result: {
              id: version.id,
              version: version.version,
              sha256: spooled.sha256,
              sizeBytes: spooled.sizeBytes,
              signature,
            },
          };
        },
      ),
    );
  }

  /**
   * Reads the file's signature (in a worker thread, skipping tensor data), then loads it once in
   * ONNX Runtime (off the main thread).
   */
  private async inspect(filePath: string): Promise<SignatureRecord> {
    let signature: SignatureRecord;
    try {
      const parsed = await readSignatureInThread(filePath, this.metadataLimits);
      signature = {
        inputs: parsed.inputs,
        outputs: parsed.outputs,
        ...(parsed.features ? { features: parsed.features } : {}),
        ...(parsed.labels ? { labels: parsed.labels } : {}),
        ...(parsed.categories ? { categories: parsed.categories } : {}),
        metadata: parsed.metadata,
      };
    } catch (err) {
      if (err instanceof OnnxMetadataLimitError) throw badInput(metadataLimitMessage(err));
      if (err instanceof OnnxFormatError) throw badInput(`Not a usable ONNX model: ${err.message}`);
      throw err;
    }
    let check: Awaited<ReturnType<ModelValidator['validateModel']>>;
    try {
      check = await this.validator.validateModel(filePath);
    } catch (err) {
      throw toUserError(err);
    }
    if (!check.ok) throw badInput(`ONNX Runtime cannot load this model: ${check.reason}`);
    return signature;
  }
}
