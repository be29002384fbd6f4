// Operations of the registry: sign-in, models, versions, aliases, API keys and workspaces.
import { graphql } from '@/gql';

export const ViewerQuery = graphql(`
  query Viewer {
    viewer {
      role
      isRoot
      apiKey {
        id
        name
        role
      }
      workspace {
        id
        name
      }
    }
  }
`);

export const ModelListFields = graphql(`
  fragment ModelListFields on Model {
    id
    name
    description
    task
    tags
    createdAt
    updatedAt
    latestVersion {
      id
      version
      source
      createdAt
    }
    aliases {
      alias
      version {
        id
        version
      }
    }
  }
`);

export const ModelsQuery = graphql(`
  query Models($first: Int!, $after: String, $filter: ModelFilter) {
    models(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          ...ModelListFields
        }
      }
    }
  }
`);

export const TensorSpecFields = graphql(`
  fragment TensorSpecFields on TensorSpec {
    name
    datatype
    shape
  }
`);

export const VersionFields = graphql(`
  fragment VersionFields on ModelVersion {
    id
    version
    source
    sizeBytes
    sha256
    metrics
    hyperparameters
    featureImportance {
      feature
      importance
    }
    createdAt
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
    parentVersion {
      id
      version
    }
  }
`);

export const ModelDetailQuery = graphql(`
  query ModelDetail($name: String!, $first: Int!, $after: String) {
    model(name: $name) {
      id
      name
      description
      task
      tags
      createdAt
      updatedAt
      aliases {
        alias
        version {
          id
          version
        }
      }
      versions(first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            ...VersionFields
          }
        }
      }
    }
  }
`);

export const CreateModelMutation = graphql(`
  mutation CreateModel($input: CreateModelInput!) {
    createModel(input: $input) {
      ...ModelListFields
    }
  }
`);

export const UpdateModelMutation = graphql(`
  mutation UpdateModel($id: ID!, $input: UpdateModelInput!) {
    updateModel(id: $id, input: $input) {
      id
      description
      task
      tags
      updatedAt
    }
  }
`);

export const DeleteModelMutation = graphql(`
  mutation DeleteModel($id: ID!) {
    deleteModel(id: $id)
  }
`);

export const SetModelAliasMutation = graphql(`
  mutation SetModelAlias($modelId: ID!, $alias: String!, $version: Int!) {
    setModelAlias(modelId: $modelId, alias: $alias, version: $version) {
      alias
      version {
        id
        version
      }
    }
  }
`);

export const DeleteModelAliasMutation = graphql(`
  mutation DeleteModelAlias($modelId: ID!, $alias: String!) {
    deleteModelAlias(modelId: $modelId, alias: $alias)
  }
`);

export const DeleteModelVersionMutation = graphql(`
  mutation DeleteModelVersion($id: ID!) {
    deleteModelVersion(id: $id)
  }
`);

export const ApiKeysQuery = graphql(`
  query ApiKeys {
    apiKeys {
      id
      name
      role
      createdAt
      lastUsedAt
      revokedAt
      workspace {
        id
        name
      }
    }
  }
`);

export const WorkspacesQuery = graphql(`
  query Workspaces {
    workspaces {
      id
      name
      createdAt
    }
  }
`);

export const CreateApiKeyMutation = graphql(`
  mutation CreateApiKey($name: String!, $role: Role!, $workspaceId: ID) {
    createApiKey(name: $name, role: $role, workspaceId: $workspaceId) {
      secret
      apiKey {
        id
        name
        role
        createdAt
        lastUsedAt
        revokedAt
        workspace {
          id
          name
        }
      }
    }
  }
`);

export const RevokeApiKeyMutation = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      id
      revokedAt
    }
  }
`);

export const CreateWorkspaceMutation = graphql(`
  mutation CreateWorkspace($name: String!) {
    createWorkspace(name: $name) {
      id
      name
      createdAt
    }
  }
`);

export const DashboardRegistryQuery = graphql(`
  query DashboardRegistry {
    models(first: 50) {
      totalCount
      edges {
        node {
          id
          name
          task
          latestVersion {
            id
            version
            source
            sizeBytes
            createdAt
          }
          aliases {
            alias
            version {
              id
              version
            }
          }
        }
      }
    }
  }
`);

export const ModelVersionNumbersQuery = graphql(`
  query ModelVersionNumbers($name: String!) {
    model(name: $name) {
      id
      versions(first: 50) {
        edges {
          node {
            id
            version
          }
        }
      }
    }
  }
`);
