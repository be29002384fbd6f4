import {
  Arg,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import type { GraphQLContext } from '../../context';
import { Dataset } from '../datasets/datasets.types';
import { Deployment } from '../deployments/deployments.types';
import { ModelVersion } from '../models/models.types';
import {
  DeploymentMonitoring,
  MonitoringAlert,
  MonitoringBucket,
  MonitoringThresholds,
  MonitoringThresholdsInput,
} from './monitoring.types';

@Resolver(() => DeploymentMonitoring)
export class MonitoringResolver {
  @Query(() => DeploymentMonitoring, {
    description:
      'A deployment\'s requests, errors, latency, online metrics from feedback and drift per bucket and version over the last windowSeconds, with its alerts (docs/api.md, "Monitoring")',
  })
  deploymentMonitoring(
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String) name: string,
    @Arg('windowSeconds', () => Int, { nullable: true, defaultValue: 3600 }) windowSeconds: number,
    @Arg('bucketSeconds', () => Int, { nullable: true, defaultValue: 60 }) bucketSeconds: number,
  ): Promise<DeploymentMonitoring> {
    return ctx.services.monitoring.monitoring(ctx.auth, name, windowSeconds, bucketSeconds);
  }

  @FieldResolver(() => Deployment)
  deployment(@Root() m: DeploymentMonitoring, @Ctx() ctx: GraphQLContext): Promise<Deployment> {
    return ctx.services.deployments.get(ctx.auth, m.deploymentName);
  }

  @Mutation(() => Deployment, {
    description:
      "Sets the limits the monitoring checker compares the deployment's last window with; a crossing raises a MonitoringAlert",
  })
  setMonitoringThresholds(
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String) name: string,
    @Arg('thresholds', () => MonitoringThresholdsInput) thresholds: MonitoringThresholdsInput,
  ): Promise<Deployment> {
    return ctx.services.monitoring.setThresholds(ctx.auth, name, thresholds);
  }

  @Mutation(() => Deployment, { description: 'Removes the monitoring thresholds: no more checks' })
  clearMonitoringThresholds(
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String) name: string,
  ): Promise<Deployment> {
    return ctx.services.monitoring.clearThresholds(ctx.auth, name);
  }

  @Mutation(() => Deployment, {
    description:
      'Names the dataset drift is measured against for versions without a training profile (uploaded ones); null removes it',
  })
  setDeploymentReference(
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String) name: string,
    @Arg('datasetId', () => ID, { nullable: true }) datasetId: string | null,
  ): Promise<Deployment> {
    return ctx.services.monitoring.setReference(ctx.auth, name, datasetId ?? null);
  }

  @Subscription(() => MonitoringAlert, {
    description: 'Each monitoring alert raised on the deployment from now on',
    subscribe: ({ args, context }) => {
      const ctx = context as GraphQLContext;
      return ctx.services.monitoringEvents.alerts(
        ctx.auth,
        (args as { deployment: string }).deployment,
      );
    },
  })
  monitoringAlerts(
    @Root() alert: MonitoringAlert,
    @Arg('deployment', () => String) _deployment: string,
  ): MonitoringAlert {
    return alert;
  }
}

@Resolver(() => MonitoringBucket)
export class MonitoringBucketResolver {
  @FieldResolver(() => ModelVersion)
  async version(@Root() b: MonitoringBucket, @Ctx() ctx: GraphQLContext): Promise<ModelVersion> {
    const version = await ctx.loaders.versionById.load(b.versionId);
    if (!version) throw new Error(`version ${b.versionId} of a monitoring bucket is missing`);
    return version;
  }
}

@Resolver(() => MonitoringAlert)
export class MonitoringAlertResolver {
  @FieldResolver(() => Deployment)
  async deployment(@Root() a: MonitoringAlert, @Ctx() ctx: GraphQLContext): Promise<Deployment> {
    const [found] = await ctx.services.deployments.byIds(ctx.auth, [a.deploymentId]);
    if (!found) throw new Error(`deployment ${a.deploymentId} of alert ${a.id} is missing`);
    return found;
  }

  @FieldResolver(() => ModelVersion, {
    nullable: true,
    description: 'The version whose figure crossed the limit',
  })
  version(@Root() a: MonitoringAlert, @Ctx() ctx: GraphQLContext): Promise<ModelVersion | null> {
    return a.versionId ? ctx.loaders.versionById.load(a.versionId) : Promise.resolve(null);
  }
}

@Resolver(() => Deployment)
export class DeploymentMonitoringFieldsResolver {
  @FieldResolver(() => MonitoringThresholds, {
    nullable: true,
    description: 'The monitoring limits (setMonitoringThresholds); null: not checked',
  })
  monitoringThresholds(@Root() d: Deployment): MonitoringThresholds | null {
    return d.monitoringThresholds;
  }

  @FieldResolver(() => Dataset, {
    nullable: true,
    description:
      'The dataset drift is measured against for versions without a training profile (setDeploymentReference)',
  })
  referenceDataset(@Root() d: Deployment, @Ctx() ctx: GraphQLContext): Promise<Dataset | null> {
    return d.referenceDatasetId
      ? ctx.services.datasets.find(ctx.auth, d.referenceDatasetId)
      : Promise.resolve(null);
  }
}
