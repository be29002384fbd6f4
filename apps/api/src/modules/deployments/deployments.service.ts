import {
  ACTIVE_PROMOTION_STATUSES,
  Deployment as DeploymentRow,
  DeploymentRoute as RouteRow,
  Model,
  ModelVersion,
  Promotion,
} from '@maas/db';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { audit } from '../../common/audit';
import { badInput, conflict, isUniqueViolation, notFound } from '../../common/errors';
import { assertValidName } from '../../common/names';
import { assertId } from '../../common/scalars';
import { requireRole, type AuthInfo } from '../auth/auth.service';
import type { Deployment } from './deployments.types';

export interface RouteArgs {
  versionId: string;
  weight: number;
}

/** Called after any change that may alter how a name resolves to a version. */
export type RegistryChanged = (workspaceId: string) => void;

function mapDeployment(
  row: DeploymentRow,
  routes: RouteRow[],
  defaultLogSampleRate: number,
): Deployment {
  return {
    id: row.id,
    name: row.name,
    logSampleRate: row.logSampleRate ?? defaultLogSampleRate,
    modelId: row.modelId,
    workspaceId: row.workspaceId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    routes: routes
      .filter((r) => r.deploymentId === row.id)
      .sort((a, b) => b.weight - a.weight || a.versionId.localeCompare(b.versionId))
      .map((r) => ({ versionId: r.versionId, weight: r.weight })),
  };
}

/**
 * Replaces a deployment's routes with checked ones, in the caller's transaction (updateRoutes, and
 * a promotion's rollout steps). The caller tells the registry once it committed.
 */
export async function replaceDeploymentRoutes(
  m: EntityManager,
  deployment: Pick<DeploymentRow, 'id' | 'workspaceId'>,
  routes: RouteArgs[],
): Promise<RouteRow[]> {
  await m.delete(RouteRow, { deploymentId: deployment.id });
  return m.save(
    routes.map((r) =>
      m.create(RouteRow, {
        deploymentId: deployment.id,
        versionId: r.versionId,
        weight: r.weight,
        workspaceId: deployment.workspaceId,
      }),
    ),
  );
}

/** Deployments: named endpoints routing a model's traffic to its versions by weight (canary). */
export class DeploymentsService {
  constructor(
    private readonly db: DataSource,
    private readonly changed: RegistryChanged,
    /** PREDICTION_LOG_SAMPLE_RATE: the logSampleRate of a deployment that has not set its own. */
    private readonly defaultLogSampleRate: number,
  ) {}

  private map(row: DeploymentRow, routes: RouteRow[]): Deployment {
    return mapDeployment(row, routes, this.defaultLogSampleRate);
  }

  async list(auth: AuthInfo): Promise<Deployment[]> {
    return this.listWhere(auth, undefined);
  }

  /** The workspace's deployments among `ids` (two queries whatever their number). */
  async byIds(auth: AuthInfo, ids: readonly string[]): Promise<Deployment[]> {
    return ids.length === 0 ? [] : this.listWhere(auth, [...ids]);
  }

  private async listWhere(auth: AuthInfo, ids: string[] | undefined): Promise<Deployment[]> {
    const rows = await this.db.getRepository(DeploymentRow).find({
      where: { workspaceId: auth.workspaceId, ...(ids ? { id: In(ids) } : {}) },
      order: { name: 'ASC' },
    });
    const routes = rows.length
      ? await this.db
          .getRepository(RouteRow)
          .find({ where: { deploymentId: In(rows.map((r) => r.id)) } })
      : [];
    return rows.map((r) => this.map(r, routes));
  }

  async find(auth: AuthInfo, name: string): Promise<Deployment | null> {
    const row = await this.db
      .getRepository(DeploymentRow)
      .findOne({ where: { workspaceId: auth.workspaceId, name } });
    if (!row) return null;
    const routes = await this.db.getRepository(RouteRow).find({ where: { deploymentId: row.id } });
    return this.map(row, routes);
  }

  async get(auth: AuthInfo, name: string): Promise<Deployment> {
    const found = await this.find(auth, name);
    if (!found) throw notFound(`Deployment "${name}" does not exist`);
    return found;
  }

  /** Routes must name distinct versions of the deployment's model, with weights 0..100 adding to 100. */
  private async checkRoutes(
    m: EntityManager,
    model: Model,
    routes: RouteArgs[],
  ): Promise<RouteArgs[]> {
    if (routes.length === 0)
      throw badInput('A deployment needs at least one route', { field: 'routes' });
    if (routes.length > 16)
      throw badInput('A deployment may have at most 16 routes', { field: 'routes' });
    const ids = routes.map((r) => assertId(r.versionId, 'versionId'));
    if (new Set(ids).size !== ids.length)
      throw badInput('Each version may appear in only one route', { field: 'routes' });
    for (const r of routes) {
      if (!Number.isInteger(r.weight) || r.weight < 0 || r.weight > 100) {
        throw badInput(`Route weights must be integers from 0 to 100, got ${r.weight}`, {
          field: 'routes',
        });
      }
    }
    const total = routes.reduce((s, r) => s + r.weight, 0);
    if (total !== 100)
      throw badInput(`Route weights must add up to 100, they add up to ${total}`, {
        field: 'routes',
      });
    const versions = await m.getRepository(ModelVersion).find({
      where: { id: In(ids), workspaceId: model.workspaceId },
      select: { id: true, modelId: true },
    });
    for (const id of ids) {
      const v = versions.find((x) => x.id === id);
      if (!v) throw notFound(`Model version ${id} does not exist`);
      if (v.modelId !== model.id)
        throw badInput(`Version ${id} belongs to another model than "${model.name}"`, {
          field: 'routes',
        });
    }
    return routes.map((r, i) => ({ versionId: ids[i] as string, weight: r.weight }));
  }

  private replaceRoutes(
    m: EntityManager,
    deployment: DeploymentRow,
    routes: RouteArgs[],
  ): Promise<RouteRow[]> {
    return replaceDeploymentRoutes(m, deployment, routes);
  }

  async create(
    auth: AuthInfo,
    input: { name: string; modelId: string; routes: RouteArgs[] },
  ): Promise<Deployment> {
    requireRole(auth, 'EDITOR');
    assertValidName('deployment', input.name);
    try {
      const created = await this.db.transaction(async (m) => {
        const model = await m.getRepository(Model).findOne({
          where: { id: assertId(input.modelId, 'modelId'), workspaceId: auth.workspaceId },
        });
        if (!model) throw notFound(`Model ${input.modelId} does not exist`);
        const clash = await m
          .getRepository(Model)
          .exists({ where: { workspaceId: auth.workspaceId, name: input.name } });
        if (clash)
          throw conflict(
            `A model is already named "${input.name}": models and deployments share names`,
          );
        const routes = await this.checkRoutes(m, model, input.routes);
        const row = await m.save(
          m.create(DeploymentRow, {
            workspaceId: auth.workspaceId,
            name: input.name,
            modelId: model.id,
          }),
        );
        const routeRows = await this.replaceRoutes(m, row, routes);
        await audit(m, auth, auth.workspaceId, 'deployment.create', 'deployment', row.id, {
          name: row.name,
          routes,
        });
        return this.map(row, routeRows);
      });
      this.changed(auth.workspaceId);
      return created;
    } catch (err) {
      if (isUniqueViolation(err))
        throw conflict(`A deployment named "${input.name}" already exists`);
      throw err;
    }
  }

  async updateRoutes(auth: AuthInfo, name: string, routes: RouteArgs[]): Promise<Deployment> {
    requireRole(auth, 'EDITOR');
    const updated = await this.db.transaction(async (m) => {
      const row = await m.getRepository(DeploymentRow).findOne({
        where: { workspaceId: auth.workspaceId, name },
        lock: { mode: 'pessimistic_write' },
      });
      if (!row) throw notFound(`Deployment "${name}" does not exist`);
      // A promotion in progress owns the weights until it ends.
      const promotion = await m.getRepository(Promotion).findOne({
        where: { deploymentId: row.id, status: In([...ACTIVE_PROMOTION_STATUSES]) },
      });
      if (promotion)
        throw conflict(
          `Promotion ${promotion.id} of deployment "${name}" is in progress (${promotion.status}): cancel it, or let it finish, before changing the routes`,
        );
      const model = await m.getRepository(Model).findOneOrFail({ where: { id: row.modelId } });
      const checked = await this.checkRoutes(m, model, routes);
      const routeRows = await this.replaceRoutes(m, row, checked);
      row.updatedAt = new Date();
      await m.save(row);
      await audit(m, auth, auth.workspaceId, 'deployment.routes', 'deployment', row.id, {
        routes: checked,
      });
      return this.map(row, routeRows);
    });
    this.changed(auth.workspaceId);
    return updated;
  }

  /**
   * Sets the share (0..1) of the deployment's successful predictions that are logged, and so can
   * receive feedback; from the next prediction on (every replica, through the registry event).
   */
  async updateLogging(auth: AuthInfo, name: string, logSampleRate: number): Promise<Deployment> {
    requireRole(auth, 'EDITOR');
    if (!Number.isFinite(logSampleRate) || logSampleRate < 0 || logSampleRate > 1) {
      throw badInput(`"logSampleRate" must be from 0 to 1, got ${logSampleRate}`, {
        field: 'logSampleRate',
      });
    }
    const updated = await this.db.transaction(async (m) => {
      const row = await m.getRepository(DeploymentRow).findOne({
        where: { workspaceId: auth.workspaceId, name },
        lock: { mode: 'pessimistic_write' },
      });
      if (!row) throw notFound(`Deployment "${name}" does not exist`);
      const previous = row.logSampleRate ?? this.defaultLogSampleRate;
      row.logSampleRate = logSampleRate;
      row.updatedAt = new Date();
      await m.save(row);
      await audit(m, auth, auth.workspaceId, 'deployment.logging', 'deployment', row.id, {
        logSampleRate,
        previous,
      });
      const routes = await m.getRepository(RouteRow).find({ where: { deploymentId: row.id } });
      return this.map(row, routes);
    });
    this.changed(auth.workspaceId);
    return updated;
  }

  async delete(auth: AuthInfo, name: string): Promise<boolean> {
    requireRole(auth, 'EDITOR');
    await this.db.transaction(async (m) => {
      const row = await m
        .getRepository(DeploymentRow)
        .findOne({ where: { workspaceId: auth.workspaceId, name } });
      if (!row) throw notFound(`Deployment "${name}" does not exist`);
      await m.delete(DeploymentRow, { id: row.id });
      await audit(m, auth, auth.workspaceId, 'deployment.delete', 'deployment', row.id, { name });
    });
    this.changed(auth.workspaceId);
    return true;
  }
}
