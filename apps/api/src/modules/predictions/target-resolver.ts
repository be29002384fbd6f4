import {
  Deployment,
  DeploymentRoute,
  Model,
  ModelAlias,
  ModelVersion,
  REGISTRY_CHANNEL,
  type EventBus,
  type SignatureRecord,
} from '@maas/db';
import type { DataSource } from 'typeorm';
import { badInput, notFound } from '../../common/errors';
import type { Logger } from '../../common/logger';

/** The version a request runs on, with what serving needs and nothing else. */
export interface ServedVersion {
  id: string;
  sha256: string;
  version: number;
  modelId: string;
  modelName: string;
  /** The model's task (TEXT_GENERATION and EMBEDDING versions serve the language-model API). */
  modelTask: string;
  signature: SignatureRecord;
}

/** What a name resolved to: one version, or a deployment's weighted routes. */
export interface ResolvedTarget {
  deploymentId: string | null;
  /** The deployment's logSampleRate; null: the global PREDICTION_LOG_SAMPLE_RATE. */
  logSampleRate: number | null;
  name: string;
  routes: { version: ServedVersion; weight: number }[];
}

export interface TargetQuery {
  name: string;
  version?: number | null;
  alias?: string | null;
}

const CACHE_TTL_MS = 2000;
const MAX_REFERENCE_LENGTH = 200;

/**
 * A model reference as the language-model API takes it: a deployment or model name, `name@alias`,
 * or `name@3` (a version number). Names never contain '@' (NAME_PATTERN), so the split is exact.
 */
export function parseModelReference(reference: string): TargetQuery {
  if (reference.length === 0 || reference.length > MAX_REFERENCE_LENGTH)
    throw badInput(`"model" must be 1 to ${MAX_REFERENCE_LENGTH} characters`, { param: 'model' });
  const at = reference.indexOf('@');
  if (at < 0) return { name: reference };
  const name = reference.slice(0, at);
  const pick = reference.slice(at + 1);
  if (name.length === 0 || pick.length === 0 || pick.includes('@'))
    throw badInput(`"model" is a name, "name@alias" or "name@<version>", not "${reference}"`, {
      param: 'model',
    });
  if (/^\d+$/.test(pick)) {
    const version = Number(pick);
    if (!Number.isSafeInteger(version) || version < 1)
      throw badInput(`"${pick}" is not a version number`, { param: 'model' });
    return { name, version };
  }
  return { name, alias: pick };
}

/**
 * Resolves `predict`/OIP names (docs/api.md, "Names"): a deployment first (its routes pick the
 * version), else a model (explicit version, else alias, else `production`, else the latest).
 * Results are cached briefly per workspace; any registry change on this replica or another
 * (through the event bus) clears the workspace's entries at once.
 */
export class TargetResolver {
  private readonly cache = new Map<string, { target: ResolvedTarget; expiresAt: number }>();
  // One load per key at a time: when an entry expires under load, the requests in flight share it.
  private readonly loading = new Map<string, Promise<ResolvedTarget>>();
  private generation = 0;

  constructor(private readonly db: DataSource) {}

  invalidate(workspaceId?: string): void {
    this.generation += 1; // loads started before this change must not be cached
    this.loading.clear();
    if (!workspaceId) return this.cache.clear();
    for (const key of this.cache.keys())
      if (key.startsWith(`${workspaceId}|`)) this.cache.delete(key);
  }

  async resolve(workspaceId: string, q: TargetQuery): Promise<ResolvedTarget> {
    if (q.version != null && q.alias != null) throw badInput('Pass "version" or "alias", not both');
    const key = `${workspaceId}|${q.name}|${q.version ?? ''}|${q.alias ?? ''}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > now) return hit.target;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const generation = this.generation;
    const load = this.load(workspaceId, q)
      .then((target) => {
        if (generation === this.generation) {
          if (this.cache.size > 10_000) this.cache.clear();
          this.cache.set(key, { target, expiresAt: Date.now() + CACHE_TTL_MS });
        }
        return target;
      })
      .finally(() => {
        if (this.loading.get(key) === load) this.loading.delete(key);
      });
    this.loading.set(key, load);
    return load;
  }

  /** Picks a route by weight: 80/20 serves near 80/20. */
  static pick(target: ResolvedTarget, random = Math.random()): ServedVersion {
    const total = target.routes.reduce((s, r) => s + r.weight, 0);
    let x = random * total;
    for (const r of target.routes) {
      if (x < r.weight) return r.version;
      x -= r.weight;
    }
    const last = target.routes[target.routes.length - 1];
    if (!last) throw notFound(`"${target.name}" has no version to serve`);
    return last.version;
  }

  private async load(workspaceId: string, q: TargetQuery): Promise<ResolvedTarget> {
    const deployment = await this.db
      .getRepository(Deployment)
      .findOne({ where: { workspaceId, name: q.name } });
    if (deployment) {
      if (q.version != null || q.alias != null) {
        throw badInput(
          `"${q.name}" is a deployment: its routes choose the version, so do not pass "version" or "alias"`,
        );
      }
      const routes = await this.db
        .getRepository(DeploymentRoute)
        .createQueryBuilder('r')
        .innerJoinAndSelect('r.version', 'v')
        .where('r.deploymentId = :id AND r.weight > 0', { id: deployment.id })
        .getMany();
      const model = await this.db
        .getRepository(Model)
        .findOneOrFail({ where: { id: deployment.modelId } });
      if (routes.length === 0)
        throw notFound(`Deployment "${q.name}" routes no traffic (all weights are 0)`);
      return {
        deploymentId: deployment.id,
        logSampleRate: deployment.logSampleRate,
        name: q.name,
        routes: routes.map((r) => ({
          version: served(r.version as ModelVersion, model),
          weight: r.weight,
        })),
      };
    }
    const model = await this.db
      .getRepository(Model)
      .findOne({ where: { workspaceId, name: q.name } });
    if (!model) throw notFound(`No deployment or model is named "${q.name}"`);
    const versions = this.db.getRepository(ModelVersion);
    let version: ModelVersion | null;
    if (q.version != null) {
      version = await versions.findOne({ where: { modelId: model.id, version: q.version } });
      if (!version) throw notFound(`Model "${model.name}" has no version ${q.version}`);
    } else {
      const alias = await this.db
        .getRepository(ModelAlias)
        .findOne({ where: { modelId: model.id, alias: q.alias ?? 'production' } });
      if (q.alias != null && !alias)
        throw notFound(`Model "${model.name}" has no alias "${q.alias}"`);
      version = alias
        ? await versions.findOne({ where: { id: alias.versionId } })
        : await versions.findOne({ where: { modelId: model.id }, order: { version: 'DESC' } });
      if (!version)
        throw notFound(`Model "${model.name}" has no versions yet: upload or train one`);
    }
    return {
      deploymentId: null,
      logSampleRate: null,
      name: q.name,
      routes: [{ version: served(version, model), weight: 100 }],
    };
  }
}

function served(v: ModelVersion, model: Model): ServedVersion {
  return {
    id: v.id,
    sha256: v.sha256,
    version: v.version,
    modelId: v.modelId,
    modelName: model.name,
    // A bundle's own task (read from its graph at upload) before the model's.
    modelTask:
      (v as { languageModel?: { task?: string } | null }).languageModel?.task ?? model.task,
    signature: v.signature,
  };
}

/**
 * This replica's resolver, and `registryChanged(workspaceId)` for the services that change what a
 * name serves: it clears this replica's entries and broadcasts on REGISTRY_CHANNEL, so a change on
 * any replica clears every replica's cache (a listener reconnect clears it all).
 */
export async function createSharedTargetResolver(
  db: DataSource,
  bus: EventBus,
  logger: Logger,
): Promise<{ resolver: TargetResolver; registryChanged: (workspaceId: string) => void }> {
  const resolver = new TargetResolver(db);
  await bus.subscribe(
    REGISTRY_CHANNEL,
    (payload) => resolver.invalidate((payload as { workspaceId?: string }).workspaceId),
    { onReconnect: () => resolver.invalidate() },
  );
  const registryChanged = (workspaceId: string) => {
    resolver.invalidate(workspaceId);
    bus
      .publish(REGISTRY_CHANNEL, { workspaceId })
      .catch((err: unknown) => logger.warn({ err }, 'could not publish a registry change'));
  };
  return { resolver, registryChanged };
}
