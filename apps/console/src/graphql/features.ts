// Which of the console's operation documents the API's schema can serve. Used by codegen.ts (and
// its test) so that documents for parts of the API that do not exist yet are left out of codegen
// instead of breaking it. A feature is in once every `Type.field` it names exists in the schema.
import { buildSchema, isObjectType } from 'graphql';

/** A group of operations the console adds as one, with the schema fields they need. */
export interface ConsoleFeature {
  /** Document file under src/graphql. */
  file: string;
  /** `Type.field` coordinates the documents use. */
  requires: readonly string[];
}

/** Every feature of the console, in the order the API gains them. */
export const consoleFeatures: readonly ConsoleFeature[] = [
  {
    file: 'registry.ts',
    requires: [
      'Query.viewer',
      'Query.models',
      'Query.model',
      'Query.apiKeys',
      'Query.workspaces',
      'Mutation.createModel',
      'Mutation.updateModel',
      'Mutation.deleteModel',
      'Mutation.setModelAlias',
      'Mutation.deleteModelAlias',
      'Mutation.deleteModelVersion',
      'Mutation.createApiKey',
      'Mutation.revokeApiKey',
    ],
  },
  {
    file: 'training.ts',
    requires: [
      'Query.datasets',
      'Query.dataset',
      'Query.trainingJobs',
      'Query.trainingJob',
      'Query.algorithms',
      'Query.modelVersion',
      'ModelVersion.trainingJob',
      'TrainingJob.seq',
      'Mutation.createDataset',
      'Mutation.deleteDataset',
      'Mutation.startTrainingJob',
      'Mutation.cancelTrainingJob',
      'Mutation.retryTrainingJob',
      'Subscription.trainingJobUpdated',
      'Subscription.trainingJobsUpdated',
    ],
  },
  {
    file: 'serving.ts',
    requires: [
      'Query.deployments',
      'Query.deployment',
      'Query.deploymentStats',
      'Query.inferenceStatus',
      'Query.predict',
      'Query.modelVersion',
      'Mutation.createDeployment',
      'Mutation.updateDeploymentRoutes',
      'Mutation.deleteDeployment',
      'Subscription.deploymentStatsUpdated',
    ],
  },
];

/** The document files (relative to src/graphql) whose fields the schema has. */
export function featureDocuments(schemaSource: string): string[] {
  const schema = buildSchema(schemaSource);
  const has = (coordinate: string): boolean => {
    const [typeName = '', fieldName = ''] = coordinate.split('.');
    const type = schema.getType(typeName);
    return isObjectType(type) && fieldName in type.getFields();
  };
  return consoleFeatures.filter((feature) => feature.requires.every(has)).map((f) => f.file);
}
