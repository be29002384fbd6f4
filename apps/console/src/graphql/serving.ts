// Operations of serving: deployments, their live stats, the engine, and predictions.
import { graphql } from '@/gql';

export const DeploymentFields = graphql(`
  fragment DeploymentFields on Deployment {
    id
    name
    createdAt
    updatedAt
    model {
      id
      name
    }
    routes {
      weight
      version {
        id
        version
      }
    }
  }
`);

export const DeploymentsQuery = graphql(`
  query Deployments {
    deployments {
      ...DeploymentFields
    }
  }
`);

export const DeploymentDetailQuery = graphql(`
  query DeploymentDetail($name: String!) {
    deployment(name: $name) {
      ...DeploymentFields
      model {
        id
        name
        aliases {
          alias
          version {
            id
            version
          }
        }
        versions(first: 50) {
          edges {
            node {
              id
              version
              source
              createdAt
              metrics
            }
          }
        }
      }
    }
  }
`);

export const DeploymentStatsFields = graphql(`
  fragment DeploymentStatsFields on DeploymentStats {
    windowSeconds
    requests
    errors
    requestsPerSecond
    p50Ms
    p99Ms
    byVersion
    at
  }
`);

export const DeploymentStatsQuery = graphql(`
  query DeploymentStats($name: String!, $windowSeconds: Int) {
    deploymentStats(name: $name, windowSeconds: $windowSeconds) {
      ...DeploymentStatsFields
    }
  }
`);

export const DeploymentStatsUpdatedSubscription = graphql(`
  subscription DeploymentStatsUpdated($name: String!, $windowSeconds: Int) {
    deploymentStatsUpdated(name: $name, windowSeconds: $windowSeconds) {
      ...DeploymentStatsFields
      deployment {
        id
        name
      }
    }
  }
`);

export const CreateDeploymentMutation = graphql(`
  mutation CreateDeployment($input: CreateDeploymentInput!) {
    createDeployment(input: $input) {
      ...DeploymentFields
    }
  }
`);

export const UpdateDeploymentRoutesMutation = graphql(`
  mutation UpdateDeploymentRoutes($name: String!, $routes: [RouteInput!]!) {
    updateDeploymentRoutes(name: $name, routes: $routes) {
      ...DeploymentFields
    }
  }
`);

export const DeleteDeploymentMutation = graphql(`
  mutation DeleteDeployment($name: String!) {
    deleteDeployment(name: $name)
  }
`);

export const DeploymentModelsQuery = graphql(`
  query DeploymentModels {
    models(first: 100) {
      edges {
        node {
          id
          name
          latestVersion {
            id
            version
          }
        }
      }
    }
  }
`);

export const InferenceStatusQuery = graphql(`
  query InferenceStatus {
    inferenceStatus {
      executionProvider
      workers
      loadedVersions
      loadedBytes
    }
  }
`);

export const PlaygroundTargetsQuery = graphql(`
  query PlaygroundTargets {
    deployments {
      id
      name
      model {
        id
        name
      }
      routes {
        weight
        version {
          id
          version
        }
      }
    }
    models(first: 100) {
      edges {
        node {
          id
          name
          task
          aliases {
            alias
            version {
              id
              version
            }
          }
          latestVersion {
            id
            version
          }
        }
      }
    }
  }
`);

export const PlaygroundSignatureQuery = graphql(`
  query PlaygroundSignature($id: ID!) {
    modelVersion(id: $id) {
      id
      version
      model {
        id
        name
        task
      }
      signature {
        inputs {
          ...TensorSpecFields
        }
        outputs {
          ...TensorSpecFields
        }
        features
        labels
        categories
      }
    }
  }
`);

export const PredictQuery = graphql(`
  query Predict($input: PredictInput!) {
    predict(input: $input) {
      id
      latencyMs
      outputs
      explanation {
        method
        output
        records {
          baseline
          contributions {
            feature
            value
            contribution
          }
        }
      }
      modelVersion {
        id
        version
        model {
          id
          name
        }
      }
    }
  }
`);

export const DashboardServingQuery = graphql(`
  query DashboardServing {
    deployments {
      ...DeploymentFields
    }
    inferenceStatus {
      executionProvider
      workers
      loadedVersions
      loadedBytes
    }
  }
`);
