/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
  '\n  query Viewer {\n    viewer {\n      role\n      isRoot\n      apiKey {\n        id\n        name\n        role\n      }\n      workspace {\n        id\n        name\n      }\n    }\n  }\n': typeof types.ViewerDocument;
  '\n  fragment ModelListFields on Model {\n    id\n    name\n    description\n    task\n    tags\n    createdAt\n    updatedAt\n    latestVersion {\n      id\n      version\n      source\n      createdAt\n    }\n    aliases {\n      alias\n      version {\n        id\n        version\n      }\n    }\n  }\n': typeof types.ModelListFieldsFragmentDoc;
  '\n  query Models($first: Int!, $after: String, $filter: ModelFilter) {\n    models(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...ModelListFields\n        }\n      }\n    }\n  }\n': typeof types.ModelsDocument;
  '\n  fragment TensorSpecFields on TensorSpec {\n    name\n    datatype\n    shape\n  }\n': typeof types.TensorSpecFieldsFragmentDoc;
  '\n  fragment VersionFields on ModelVersion {\n    id\n    version\n    source\n    sizeBytes\n    sha256\n    metrics\n    hyperparameters\n    createdAt\n    signature {\n      inputs {\n        ...TensorSpecFields\n      }\n      outputs {\n        ...TensorSpecFields\n      }\n      features\n      labels\n      categories\n    }\n    parentVersion {\n      id\n      version\n    }\n  }\n': typeof types.VersionFieldsFragmentDoc;
  '\n  query ModelDetail($name: String!, $first: Int!, $after: String) {\n    model(name: $name) {\n      id\n      name\n      description\n      task\n      tags\n      createdAt\n      updatedAt\n      aliases {\n        alias\n        version {\n          id\n          version\n        }\n      }\n      versions(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            ...VersionFields\n          }\n        }\n      }\n    }\n  }\n': typeof types.ModelDetailDocument;
  '\n  mutation CreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      ...ModelListFields\n    }\n  }\n': typeof types.CreateModelDocument;
  '\n  mutation UpdateModel($id: ID!, $input: UpdateModelInput!) {\n    updateModel(id: $id, input: $input) {\n      id\n      description\n      task\n      tags\n      updatedAt\n    }\n  }\n': typeof types.UpdateModelDocument;
  '\n  mutation DeleteModel($id: ID!) {\n    deleteModel(id: $id)\n  }\n': typeof types.DeleteModelDocument;
  '\n  mutation SetModelAlias($modelId: ID!, $alias: String!, $version: Int!) {\n    setModelAlias(modelId: $modelId, alias: $alias, version: $version) {\n      alias\n      version {\n        id\n        version\n      }\n    }\n  }\n': typeof types.SetModelAliasDocument;
  '\n  mutation DeleteModelAlias($modelId: ID!, $alias: String!) {\n    deleteModelAlias(modelId: $modelId, alias: $alias)\n  }\n': typeof types.DeleteModelAliasDocument;
  '\n  mutation DeleteModelVersion($id: ID!) {\n    deleteModelVersion(id: $id)\n  }\n': typeof types.DeleteModelVersionDocument;
  '\n  query ApiKeys {\n    apiKeys {\n      id\n      name\n      role\n      createdAt\n      lastUsedAt\n      revokedAt\n      workspace {\n        id\n        name\n      }\n    }\n  }\n': typeof types.ApiKeysDocument;
  '\n  query Workspaces {\n    workspaces {\n      id\n      name\n      createdAt\n    }\n  }\n': typeof types.WorkspacesDocument;
  '\n  mutation CreateApiKey($name: String!, $role: Role!, $workspaceId: ID) {\n    createApiKey(name: $name, role: $role, workspaceId: $workspaceId) {\n      secret\n      apiKey {\n        id\n        name\n        role\n        createdAt\n        lastUsedAt\n        revokedAt\n        workspace {\n          id\n          name\n        }\n      }\n    }\n  }\n': typeof types.CreateApiKeyDocument;
  '\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n': typeof types.RevokeApiKeyDocument;
  '\n  mutation CreateWorkspace($name: String!) {\n    createWorkspace(name: $name) {\n      id\n      name\n      createdAt\n    }\n  }\n': typeof types.CreateWorkspaceDocument;
  '\n  query DashboardRegistry {\n    models(first: 50) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          task\n          latestVersion {\n            id\n            version\n            source\n            sizeBytes\n            createdAt\n          }\n          aliases {\n            alias\n            version {\n              id\n              version\n            }\n          }\n        }\n      }\n    }\n  }\n': typeof types.DashboardRegistryDocument;
};
const documents: Documents = {
  '\n  query Viewer {\n    viewer {\n      role\n      isRoot\n      apiKey {\n        id\n        name\n        role\n      }\n      workspace {\n        id\n        name\n      }\n    }\n  }\n':
    types.ViewerDocument,
  '\n  fragment ModelListFields on Model {\n    id\n    name\n    description\n    task\n    tags\n    createdAt\n    updatedAt\n    latestVersion {\n      id\n      version\n      source\n      createdAt\n    }\n    aliases {\n      alias\n      version {\n        id\n        version\n      }\n    }\n  }\n':
    types.ModelListFieldsFragmentDoc,
  '\n  query Models($first: Int!, $after: String, $filter: ModelFilter) {\n    models(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...ModelListFields\n        }\n      }\n    }\n  }\n':
    types.ModelsDocument,
  '\n  fragment TensorSpecFields on TensorSpec {\n    name\n    datatype\n    shape\n  }\n':
    types.TensorSpecFieldsFragmentDoc,
  '\n  fragment VersionFields on ModelVersion {\n    id\n    version\n    source\n    sizeBytes\n    sha256\n    metrics\n    hyperparameters\n    createdAt\n    signature {\n      inputs {\n        ...TensorSpecFields\n      }\n      outputs {\n        ...TensorSpecFields\n      }\n      features\n      labels\n      categories\n    }\n    parentVersion {\n      id\n      version\n    }\n  }\n':
    types.VersionFieldsFragmentDoc,
  '\n  query ModelDetail($name: String!, $first: Int!, $after: String) {\n    model(name: $name) {\n      id\n      name\n      description\n      task\n      tags\n      createdAt\n      updatedAt\n      aliases {\n        alias\n        version {\n          id\n          version\n        }\n      }\n      versions(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            ...VersionFields\n          }\n        }\n      }\n    }\n  }\n':
    types.ModelDetailDocument,
  '\n  mutation CreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      ...ModelListFields\n    }\n  }\n':
    types.CreateModelDocument,
  '\n  mutation UpdateModel($id: ID!, $input: UpdateModelInput!) {\n    updateModel(id: $id, input: $input) {\n      id\n      description\n      task\n      tags\n      updatedAt\n    }\n  }\n':
    types.UpdateModelDocument,
  '\n  mutation DeleteModel($id: ID!) {\n    deleteModel(id: $id)\n  }\n':
    types.DeleteModelDocument,
  '\n  mutation SetModelAlias($modelId: ID!, $alias: String!, $version: Int!) {\n    setModelAlias(modelId: $modelId, alias: $alias, version: $version) {\n      alias\n      version {\n        id\n        version\n      }\n    }\n  }\n':
    types.SetModelAliasDocument,
  '\n  mutation DeleteModelAlias($modelId: ID!, $alias: String!) {\n    deleteModelAlias(modelId: $modelId, alias: $alias)\n  }\n':
    types.DeleteModelAliasDocument,
  '\n  mutation DeleteModelVersion($id: ID!) {\n    deleteModelVersion(id: $id)\n  }\n':
    types.DeleteModelVersionDocument,
  '\n  query ApiKeys {\n    apiKeys {\n      id\n      name\n      role\n      createdAt\n      lastUsedAt\n      revokedAt\n      workspace {\n        id\n        name\n      }\n    }\n  }\n':
    types.ApiKeysDocument,
  '\n  query Workspaces {\n    workspaces {\n      id\n      name\n      createdAt\n    }\n  }\n':
    types.WorkspacesDocument,
  '\n  mutation CreateApiKey($name: String!, $role: Role!, $workspaceId: ID) {\n    createApiKey(name: $name, role: $role, workspaceId: $workspaceId) {\n      secret\n      apiKey {\n        id\n        name\n        role\n        createdAt\n        lastUsedAt\n        revokedAt\n        workspace {\n          id\n          name\n        }\n      }\n    }\n  }\n':
    types.CreateApiKeyDocument,
  '\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n':
    types.RevokeApiKeyDocument,
  '\n  mutation CreateWorkspace($name: String!) {\n    createWorkspace(name: $name) {\n      id\n      name\n      createdAt\n    }\n  }\n':
    types.CreateWorkspaceDocument,
  '\n  query DashboardRegistry {\n    models(first: 50) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          task\n          latestVersion {\n            id\n            version\n            source\n            sizeBytes\n            createdAt\n          }\n          aliases {\n            alias\n            version {\n              id\n              version\n            }\n          }\n        }\n      }\n    }\n  }\n':
    types.DashboardRegistryDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query Viewer {\n    viewer {\n      role\n      isRoot\n      apiKey {\n        id\n        name\n        role\n      }\n      workspace {\n        id\n        name\n      }\n    }\n  }\n',
): (typeof documents)['\n  query Viewer {\n    viewer {\n      role\n      isRoot\n      apiKey {\n        id\n        name\n        role\n      }\n      workspace {\n        id\n        name\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment ModelListFields on Model {\n    id\n    name\n    description\n    task\n    tags\n    createdAt\n    updatedAt\n    latestVersion {\n      id\n      version\n      source\n      createdAt\n    }\n    aliases {\n      alias\n      version {\n        id\n        version\n      }\n    }\n  }\n',
): (typeof documents)['\n  fragment ModelListFields on Model {\n    id\n    name\n    description\n    task\n    tags\n    createdAt\n    updatedAt\n    latestVersion {\n      id\n      version\n      source\n      createdAt\n    }\n    aliases {\n      alias\n      version {\n        id\n        version\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query Models($first: Int!, $after: String, $filter: ModelFilter) {\n    models(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...ModelListFields\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query Models($first: Int!, $after: String, $filter: ModelFilter) {\n    models(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...ModelListFields\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment TensorSpecFields on TensorSpec {\n    name\n    datatype\n    shape\n  }\n',
): (typeof documents)['\n  fragment TensorSpecFields on TensorSpec {\n    name\n    datatype\n    shape\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment VersionFields on ModelVersion {\n    id\n    version\n    source\n    sizeBytes\n    sha256\n    metrics\n    hyperparameters\n    createdAt\n    signature {\n      inputs {\n        ...TensorSpecFields\n      }\n      outputs {\n        ...TensorSpecFields\n      }\n      features\n      labels\n      categories\n    }\n    parentVersion {\n      id\n      version\n    }\n  }\n',
): (typeof documents)['\n  fragment VersionFields on ModelVersion {\n    id\n    version\n    source\n    sizeBytes\n    sha256\n    metrics\n    hyperparameters\n    createdAt\n    signature {\n      inputs {\n        ...TensorSpecFields\n      }\n      outputs {\n        ...TensorSpecFields\n      }\n      features\n      labels\n      categories\n    }\n    parentVersion {\n      id\n      version\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query ModelDetail($name: String!, $first: Int!, $after: String) {\n    model(name: $name) {\n      id\n      name\n      description\n      task\n      tags\n      createdAt\n      updatedAt\n      aliases {\n        alias\n        version {\n          id\n          version\n        }\n      }\n      versions(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            ...VersionFields\n          }\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query ModelDetail($name: String!, $first: Int!, $after: String) {\n    model(name: $name) {\n      id\n      name\n      description\n      task\n      tags\n      createdAt\n      updatedAt\n      aliases {\n        alias\n        version {\n          id\n          version\n        }\n      }\n      versions(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            ...VersionFields\n          }\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation CreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      ...ModelListFields\n    }\n  }\n',
): (typeof documents)['\n  mutation CreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      ...ModelListFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation UpdateModel($id: ID!, $input: UpdateModelInput!) {\n    updateModel(id: $id, input: $input) {\n      id\n      description\n      task\n      tags\n      updatedAt\n    }\n  }\n',
): (typeof documents)['\n  mutation UpdateModel($id: ID!, $input: UpdateModelInput!) {\n    updateModel(id: $id, input: $input) {\n      id\n      description\n      task\n      tags\n      updatedAt\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation DeleteModel($id: ID!) {\n    deleteModel(id: $id)\n  }\n',
): (typeof documents)['\n  mutation DeleteModel($id: ID!) {\n    deleteModel(id: $id)\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation SetModelAlias($modelId: ID!, $alias: String!, $version: Int!) {\n    setModelAlias(modelId: $modelId, alias: $alias, version: $version) {\n      alias\n      version {\n        id\n        version\n      }\n    }\n  }\n',
): (typeof documents)['\n  mutation SetModelAlias($modelId: ID!, $alias: String!, $version: Int!) {\n    setModelAlias(modelId: $modelId, alias: $alias, version: $version) {\n      alias\n      version {\n        id\n        version\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation DeleteModelAlias($modelId: ID!, $alias: String!) {\n    deleteModelAlias(modelId: $modelId, alias: $alias)\n  }\n',
): (typeof documents)['\n  mutation DeleteModelAlias($modelId: ID!, $alias: String!) {\n    deleteModelAlias(modelId: $modelId, alias: $alias)\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation DeleteModelVersion($id: ID!) {\n    deleteModelVersion(id: $id)\n  }\n',
): (typeof documents)['\n  mutation DeleteModelVersion($id: ID!) {\n    deleteModelVersion(id: $id)\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query ApiKeys {\n    apiKeys {\n      id\n      name\n      role\n      createdAt\n      lastUsedAt\n      revokedAt\n      workspace {\n        id\n        name\n      }\n    }\n  }\n',
): (typeof documents)['\n  query ApiKeys {\n    apiKeys {\n      id\n      name\n      role\n      createdAt\n      lastUsedAt\n      revokedAt\n      workspace {\n        id\n        name\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query Workspaces {\n    workspaces {\n      id\n      name\n      createdAt\n    }\n  }\n',
): (typeof documents)['\n  query Workspaces {\n    workspaces {\n      id\n      name\n      createdAt\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation CreateApiKey($name: String!, $role: Role!, $workspaceId: ID) {\n    createApiKey(name: $name, role: $role, workspaceId: $workspaceId) {\n      secret\n      apiKey {\n        id\n        name\n        role\n        createdAt\n        lastUsedAt\n        revokedAt\n        workspace {\n          id\n          name\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  mutation CreateApiKey($name: String!, $role: Role!, $workspaceId: ID) {\n    createApiKey(name: $name, role: $role, workspaceId: $workspaceId) {\n      secret\n      apiKey {\n        id\n        name\n        role\n        createdAt\n        lastUsedAt\n        revokedAt\n        workspace {\n          id\n          name\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n',
): (typeof documents)['\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation CreateWorkspace($name: String!) {\n    createWorkspace(name: $name) {\n      id\n      name\n      createdAt\n    }\n  }\n',
): (typeof documents)['\n  mutation CreateWorkspace($name: String!) {\n    createWorkspace(name: $name) {\n      id\n      name\n      createdAt\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query DashboardRegistry {\n    models(first: 50) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          task\n          latestVersion {\n            id\n            version\n            source\n            sizeBytes\n            createdAt\n          }\n          aliases {\n            alias\n            version {\n              id\n              version\n            }\n          }\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query DashboardRegistry {\n    models(first: 50) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          task\n          latestVersion {\n            id\n            version\n            source\n            sizeBytes\n            createdAt\n          }\n          aliases {\n            alias\n            version {\n              id\n              version\n            }\n          }\n        }\n      }\n    }\n  }\n'];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> =
  TDocumentNode extends DocumentNode<infer TType, any> ? TType : never;
