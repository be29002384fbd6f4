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
  listVersionFiles,
  ModelNotFoundError,
  ModelVersion,
  type ArtifactStore,
  type BundleFileRecord,
  type Model,
  type LanguageModelRecord,
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
import {
  bundleFormatOf,
  extractBundle,
  type BundleFormat,
  type BundleLimits,
} from './bundle-archive';
import { inspectBundle } from './bundle-inspect';
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
  /** Bundles only: the manifest, by path. */
  files?: BundleFileRecord[];
  /** Bundles only: what config.json says of a language model (null for other bundles). */
  languageModel?: LanguageModelRecord | null;
}

/** What a new version holds: one file, or a bundle's files. */
export interface VersionContent {
  signature: SignatureRecord;
  sha256: string;
  sizeBytes: number;
  /** Files to store: path on disk, sha256, size (one for a single file). */
  stored: { diskPath: string; sha256: string; sizeBytes: number }[];
  bundle?: {
    files: BundleFileRecord[];
    graphPath: string;
    languageModel: LanguageModelRecord | null;
  };
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
    private readonly bundleLimits: BundleLimits = { maxBytes: 8 * 1024 ** 3, maxFiles: 256 },
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
    contentType?: string,
  ): Promise<UploadedVersion> {
    requireRole(auth, 'EDITOR');
    const key = assertIdempotencyKey(idempotencyKey, 'Idempotency-Key');
    const model = await this.models.getByName(auth, modelName);
    // The cheap refusal first, before the body is read (a retry with a key is looked up first).
    if (!key)
      await (await WorkspaceQuotaCheck.read(this.db.manager, auth.workspaceId)).versions(model.id);
    const format = bundleFormatOf(contentType);
    if (format) return this.uploadBundle(auth, model, modelName, body, key, format);
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
      return await this.storeAndCommit(auth, model, modelName, req, {
        signature,
        sha256: spooled.sha256,
        sizeBytes: spooled.sizeBytes,
        stored: [{ diskPath: spooled.filePath, ...spooled }],
      });
    } finally {
      await rm(spooled.filePath, { force: true });
    }
  }

  /** A bundle upload (tar, tar.gz or zip): extracted, checked, each file stored, then committed. */
  private async uploadBundle(
    auth: AuthInfo,
    model: Model,
    modelName: string,
    body: Readable,
    key: string | null,
    format: BundleFormat,
  ): Promise<UploadedVersion> {
    const extracted = await extractBundle(body, format, this.bundleLimits);
    try {
      const req: IdempotentRequest | null = key
        ? {
            workspaceId: auth.workspaceId,
            scope: 'version.upload',
            key,
            requestSha256: requestSha256({
              model: modelName,
              sha256: extracted.archiveSha256,
              bundle: true,
            }),
          }
        : null;
      const first = req ? await findIdempotentResult(this.db.manager, req) : null;
      if (first && req) return await this.loadVersion(this.db.manager, auth, first, req);
      const quota = await WorkspaceQuotaCheck.read(this.db.manager, auth.workspaceId);
      await quota.versions(model.id);
      await quota.storage(extracted.files);
      const inspected = await inspectBundle(extracted, {
        readSignature: (file) => this.readSignature(file, true),
        validate: (file) => this.validate(file, extracted.dir),
      });
      const task = inspected.bundle?.languageModel?.task;
      if (task && model.task !== 'OTHER' && model.task !== task)
        throw badInput(
          `Model "${modelName}" has task ${model.task}, but this bundle is a ${task} model: upload it to a model of task ${task} or OTHER`,
        );
      return await this.storeAndCommit(auth, model, modelName, req, inspected);
    } finally {
      await rm(extracted.dir, { recursive: true, force: true });
    }
  }

  /**
   * Stores the files, then commits the version. Identical bytes already stored may be swept or
   * deleted between put and commit (nothing referenced them yet): then they are stored again and
   * the commit retried, once.
   */
  private async storeAndCommit(
    auth: AuthInfo,
    model: Model,
    modelName: string,
    req: IdempotentRequest | null,
    content: VersionContent,
  ): Promise<UploadedVersion> {
    for (let attempt = 1; ; attempt++) {
      const created: string[] = [];
      const seen = new Set<string>();
      for (const file of content.stored) {
        if (seen.has(file.sha256)) continue;
        seen.add(file.sha256);
        const stored = await this.store.put(file.diskPath, { sha256: file.sha256 });
        if (stored.created) created.push(file.sha256);
      }
      try {
        return await this.commit(auth, model, modelName, content, req);
      } catch (err) {
        // Over a quota after all (a concurrent request got there first): bytes only this
        // request stored go again.
        if (err instanceof UserError && err.code === 'QUOTA_EXCEEDED')
          for (const sha256 of created) await this.store.delete(sha256);
        if (!(err instanceof ArtifactNotFoundError) || attempt >= 2) throw err;
      }
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
      ...(row.graphPath !== null
        ? { files: await listVersionFiles(m, row.id), languageModel: row.languageModel }
        : {}),
    };
  }

  private commit(
    auth: AuthInfo,
    model: Model,
    modelName: string,
    content: VersionContent,
    req: IdempotentRequest | null,
  ): Promise<UploadedVersion> {
    const { signature, sha256, sizeBytes, bundle } = content;
    return this.db.transaction((m) =>
      idempotent(
        m,
        req,
        (id) => this.loadVersion(m, auth, id, req as IdempotentRequest),
        async () => {
          // Under the workspace's lock: concurrent uploads are counted one after the other.
          const quota = await WorkspaceQuotaCheck.lock(m, auth.workspaceId);
          await quota.storage(content.stored);
          let version;
          try {
            version = await commitModelVersion(m, {
              workspaceId: auth.workspaceId,
              modelId: model.id,
              source: 'UPLOAD',
              signature,
              sha256,
              sizeBytes,
              bundle: bundle ?? null,
            });
          } catch (err) {
            if (err instanceof ModelNotFoundError)
              throw notFound(`Model "${modelName}" was deleted during the upload`);
            throw asQuotaError(err);
          }
          const task = bundle?.languageModel?.task;
          // A language-model bundle gives an OTHER model its task.
          if (task)
            await m.query(`UPDATE models SET task = $2 WHERE id = $1 AND task = 'OTHER'`, [
              model.id,
              task,
            ]);
          await audit(m, auth, auth.workspaceId, 'version.upload', 'model_version', version.id, {
            model: model.name,
            version: version.version,
            sha256,
            ...(bundle ? { files: bundle.files.length } : {}),
          });
          return {
            id: version.id,
            result: {
              id: version.id,
              version: version.version,
              sha256,
              sizeBytes,
              signature,
              ...(bundle ? { files: bundle.files, languageModel: bundle.languageModel } : {}),
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
    const signature = await this.readSignature(filePath, false);
    await this.validate(filePath);
    return signature;
  }

  /** The signature as stored; with `allowExternalData`, also the external data locations. */
  private async readSignature(
    filePath: string,
    allowExternalData: boolean,
  ): Promise<SignatureRecord & { externalDataLocations?: string[] }> {
    try {
      const parsed = await readSignatureInThread(filePath, {
        ...this.metadataLimits,
        allowExternalData,
      });
      return {
        inputs: parsed.inputs,
        outputs: parsed.outputs,
        ...(parsed.features ? { features: parsed.features } : {}),
        ...(parsed.labels ? { labels: parsed.labels } : {}),
        ...(parsed.categories ? { categories: parsed.categories } : {}),
        metadata: parsed.metadata,
        ...(parsed.externalDataLocations
          ? { externalDataLocations: parsed.externalDataLocations }
          : {}),
      };
    } catch (err) {
      if (err instanceof OnnxMetadataLimitError) throw badInput(metadataLimitMessage(err));
      if (err instanceof OnnxFormatError) throw badInput(`Not a usable ONNX model: ${err.message}`);
      throw err;
    }
  }

  /** Loads the file once in ONNX Runtime; `hide` (a temporary folder) never appears in a reason. */
  private async validate(filePath: string, hide?: string): Promise<void> {
    let check: Awaited<ReturnType<ModelValidator['validateModel']>>;
    try {
      check = await this.validator.validateModel(filePath);
    } catch (err) {
      throw toUserError(err);
    }
    if (!check.ok) {
      const reason = hide ? check.reason.split(hide).join('<bundle>') : check.reason;
      throw badInput(`ONNX Runtime cannot load this model: ${reason}`);
    }
  }
}
