import {
  AliasMove,
  Deployment,
  DeploymentRoute,
  Model,
  ModelAlias,
  ModelVersion,
  releaseVersionArtifacts,
  versionArtifactRefs,
  type ArtifactStore,
  type ModelTask,
  type ReleasedArtifact,
} from '@maas/db';
import { Brackets, type DataSource, type EntityManager } from 'typeorm';
import { audit } from '../../common/audit';
import { badInput, conflict, isUniqueViolation, notFound } from '../../common/errors';
import { assertValidName } from '../../common/names';
import {
  checkFirst,
  decodeCursor,
  encodeCursor,
  newestFirstPage,
  toPage,
  type Page,
} from '../../common/pagination';
import { assertId, assertJsonObject } from '../../common/scalars';
import { requireRole, type AuthInfo } from '../auth/auth.service';
import { WorkspaceQuotaCheck } from '../quotas/quota-rules';
import { ALIAS_HISTORY_LIMIT, moveAlias } from './alias-moves';
import { mapAlias, mapModel, mapVersion } from './models.mappers';
import type * as gql from './models.types';

export interface CreateModelArgs {
  name: string;
  description?: string | null;
  task?: ModelTask | null;
  tags?: unknown;
}

export interface UpdateModelArgs {
  description?: string | null;
  task?: ModelTask | null;
  tags?: unknown;
}

/** The model registry: models, versions and aliases of one workspace at a time. */
export class ModelsService {
  constructor(
    private readonly db: DataSource,
    private readonly store: ArtifactStore,
    /** Told after any change that may alter which version a name serves (aliases, deletions). */
    private readonly changed: (workspaceId: string) => void = () => undefined,
  ) {}

  /** Finishes releases once their transaction committed (deletes S3 objects nothing uses). */
  private async afterRelease(released: ReleasedArtifact[]): Promise<void> {
    for (const r of released) await this.store.afterRelease(r);
  }

  async list(
    auth: AuthInfo,
    args: {
      first?: number | null;
      after?: string | null;
      search?: string | null;
      task?: ModelTask | null;
    },
  ): Promise<Page<gql.Model>> {
    const qb = this.db
      .getRepository(Model)
      .createQueryBuilder('m')
      .where('m.workspaceId = :ws', { ws: auth.workspaceId });
    const search = args.search?.trim();
    if (search) {
      const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere(
        new Brackets((w) => {
          w.where('m.name ILIKE :pattern', { pattern }).orWhere('m.description ILIKE :pattern', {
            pattern,
          });
        }),
      );
    }
    if (args.task) qb.andWhere('m.task = :task', { task: args.task });
    return newestFirstPage(qb, 'm', args, mapModel);
  }

  /** `model(id, name)`: exactly one of the two; null when there is no such model. */
  async find(auth: AuthInfo, id?: string | null, name?: string | null): Promise<gql.Model | null> {
    if ((id == null) === (name == null)) {
      throw badInput('Pass exactly one of "id" and "name" to model(...)');
    }
    const where =
      id != null
        ? { id: assertId(id), workspaceId: auth.workspaceId }
        : { name: name ?? '', workspaceId: auth.workspaceId };
    const row = await this.db.getRepository(Model).findOne({ where });
    return row ? mapModel(row) : null;
  }

  async getByName(auth: AuthInfo, name: string): Promise<Model> {
    const row = await this.db
      .getRepository(Model)
      .findOne({ where: { name, workspaceId: auth.workspaceId } });
    if (!row) throw notFound(`Model "${name}" does not exist in this workspace`);
    return row;
  }

  private async getRow(m: EntityManager, auth: AuthInfo, id: string, lock = false): Promise<Model> {
    const row = await m.getRepository(Model).findOne({
      where: { id: assertId(id), workspaceId: auth.workspaceId },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!row) throw notFound(`Model ${id} does not exist`);
    return row;
  }

  async create(auth: AuthInfo, input: CreateModelArgs): Promise<gql.Model> {
    requireRole(auth, 'EDITOR');
    assertValidName('model', input.name);
    const tags = input.tags == null ? {} : assertJsonObject(input.tags, 'tags');
    try {
      return await this.db.transaction(async (m) => {
        await (await WorkspaceQuotaCheck.lock(m, auth.workspaceId)).models();
        const clash = await m
          .getRepository(Deployment)
          .exists({ where: { workspaceId: auth.workspaceId, name: input.name } });
        if (clash)
          throw conflict(
            `A deployment is already named "${input.name}": models and deployments share names`,
          );
        const row = await m.save(
          m.create(Model, {
            workspaceId: auth.workspaceId,
            name: input.name,
            description: input.description ?? null,
            task: input.task ?? 'OTHER',
            tags,
          }),
        );
        await audit(m, auth, auth.workspaceId, 'model.create', 'model', row.id, { name: row.name });
        return mapModel(row);
      });
    } catch (err) {
      if (isUniqueViolation(err))
        throw conflict(`A model named "${input.name}" already exists in this workspace`);
      throw err;
    }
  }

  async update(auth: AuthInfo, id: string, input: UpdateModelArgs): Promise<gql.Model> {
    requireRole(auth, 'EDITOR');
    return this.db.transaction(async (m) => {
      const row = await this.getRow(m, auth, id, true);
      if (input.description !== undefined) row.description = input.description;
      if (input.task != null) row.task = input.task;
      if (input.tags !== undefined)
        row.tags = input.tags === null ? {} : assertJsonObject(input.tags, 'tags');
      const saved = await m.save(row);
      await audit(m, auth, auth.workspaceId, 'model.update', 'model', row.id, {
        fields: Object.keys(input),
      });
      return mapModel(saved);
    });
  }

  /** Deletes a model with its versions and aliases; refused while a deployment serves it. */
  async delete(auth: AuthInfo, id: string): Promise<boolean> {
    requireRole(auth, 'EDITOR');
    const released = await this.db.transaction(async (m) => {
      const row = await this.getRow(m, auth, id, true);
      const deployments = await m
        .getRepository(Deployment)
        .find({ where: { modelId: row.id }, select: { name: true } });
      if (deployments.length > 0) {
        throw conflict(
          `Model "${row.name}" is served by deployment(s) ${deployments.map((d) => `"${d.name}"`).join(', ')}: delete them first`,
        );
      }
      const versions = await m
        .getRepository(ModelVersion)
        .find({ where: { modelId: row.id }, select: { id: true, sha256: true } });
      const refs = await versionArtifactRefs(m, versions);
      await m.delete(ModelAlias, { modelId: row.id });
      await m.delete(Model, { id: row.id });
      const out: ReleasedArtifact[] = await releaseVersionArtifacts(m, refs);
      await audit(m, auth, auth.workspaceId, 'model.delete', 'model', row.id, {
        name: row.name,
        versions: versions.length,
      });
      return out;
    });
    await this.afterRelease(released);
    this.changed(auth.workspaceId);
    return true;
  }

  async listVersions(
    auth: AuthInfo,
    modelId: string,
    args: { first?: number | null; after?: string | null },
  ): Promise<Page<gql.ModelVersion>> {
    const first = checkFirst(args.first);
    const repo = this.db.getRepository(ModelVersion);
    const qb = repo
      .createQueryBuilder('v')
      .where('v.modelId = :modelId AND v.workspaceId = :ws', { modelId, ws: auth.workspaceId });
    const totalCount = await qb.clone().getCount();
    if (args.after) {
      const [version] = decodeCursor(args.after, ['number']) as [number];
      qb.andWhere('v.version < :version', { version });
    }
    const rows = await qb
      .orderBy('v.version', 'DESC')
      .take(first + 1)
      .getMany();
    return toPage(rows.map(mapVersion), first, totalCount, Boolean(args.after), (v) =>
      encodeCursor([v.version]),
    );
  }

  async findVersion(auth: AuthInfo, id: string): Promise<gql.ModelVersion | null> {
    const row = await this.db
      .getRepository(ModelVersion)
      .findOne({ where: { id: assertId(id), workspaceId: auth.workspaceId } });
    return row ? mapVersion(row) : null;
  }

  async getVersionByNumber(
    auth: AuthInfo,
    modelName: string,
    version: number,
  ): Promise<ModelVersion> {
    const model = await this.getByName(auth, modelName);
    const row = await this.db
      .getRepository(ModelVersion)
      .findOne({ where: { modelId: model.id, version } });
    if (!row) throw notFound(`Model "${modelName}" has no version ${version}`);
    return row;
  }

  /** Deletes one version; refused while an alias names it or a deployment routes to it. */
  async deleteVersion(auth: AuthInfo, id: string): Promise<boolean> {
    requireRole(auth, 'EDITOR');
    const released = await this.db.transaction(async (m) => {
      const row = await m.getRepository(ModelVersion).findOne({
        where: { id: assertId(id), workspaceId: auth.workspaceId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!row) throw notFound(`Model version ${id} does not exist`);
      const aliases = await m.getRepository(ModelAlias).find({ where: { versionId: row.id } });
      if (aliases.length > 0) {
        throw conflict(
          `Version ${row.version} is named by alias(es) ${aliases.map((a) => `"${a.alias}"`).join(', ')}: move or delete them first`,
        );
      }
      const routed = await m
        .getRepository(DeploymentRoute)
        .exists({ where: { versionId: row.id } });
      if (routed)
        throw conflict(
          `Version ${row.version} receives traffic from a deployment: change its routes first`,
        );
      const refs = await versionArtifactRefs(m, [row]);
      await m.delete(ModelVersion, { id: row.id });
      const out = await releaseVersionArtifacts(m, refs);
      await audit(m, auth, auth.workspaceId, 'version.delete', 'model_version', row.id, {
        version: row.version,
      });
      return out;
    });
    await this.afterRelease(released);
    this.changed(auth.workspaceId);
    return true;
  }

  async setAlias(
    auth: AuthInfo,
    modelId: string,
    alias: string,
    version: number,
  ): Promise<gql.ModelAlias> {
    requireRole(auth, 'EDITOR');
    assertValidName('alias', alias);
    const result = await this.db.transaction(async (m) => {
      const model = await this.getRow(m, auth, modelId);
      const target = await m
        .getRepository(ModelVersion)
        .findOne({ where: { modelId: model.id, version } });
      if (!target) throw notFound(`Model "${model.name}" has no version ${version}`);
      await moveAlias(m, {
        workspaceId: auth.workspaceId,
        modelId: model.id,
        alias,
        versionId: target.id,
        version,
        actor: auth,
      });
      return mapAlias({ modelId: model.id, alias, versionId: target.id } as ModelAlias);
    });
    this.changed(auth.workspaceId);
    return result;
  }

  /** `ModelAlias.history`: the alias's moves, newest first (ALIAS_HISTORY_LIMIT of them). */
  async aliasHistory(auth: AuthInfo, modelId: string, alias: string): Promise<gql.AliasMove[]> {
    const rows = await this.db.getRepository(AliasMove).find({
      where: { workspaceId: auth.workspaceId, modelId, alias },
      order: { at: 'DESC', id: 'DESC' },
      take: ALIAS_HISTORY_LIMIT,
    });
    return rows.map((r) => ({
      at: r.at,
      versionId: r.versionId,
      previousVersionId: r.previousVersionId,
      apiKeyId: r.apiKeyId,
      promotionId: r.promotionId,
    }));
  }

  async deleteAlias(auth: AuthInfo, modelId: string, alias: string): Promise<boolean> {
    requireRole(auth, 'EDITOR');
    await this.db.transaction(async (m) => {
      const model = await this.getRow(m, auth, modelId);
      const result = await m.delete(ModelAlias, { modelId: model.id, alias });
      if (!result.affected) throw notFound(`Model "${model.name}" has no alias "${alias}"`);
      await audit(m, auth, auth.workspaceId, 'alias.delete', 'model', model.id, { alias });
    });
    this.changed(auth.workspaceId);
    return true;
  }
}
