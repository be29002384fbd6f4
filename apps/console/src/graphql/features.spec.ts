import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { consoleFeatures, featureDocuments } from './features';

const registrySchema = `
  scalar DateTime
  scalar JSON
  type Viewer { role: String }
  type Model { id: ID! }
  type ApiKey { id: ID! }
  type Workspace { id: ID! }
  type Query {
    viewer: Viewer
    models: [Model]
    model: Model
    apiKeys: [ApiKey]
    workspaces: [Workspace]
  }
  type Mutation {
    createModel: Model
    updateModel: Model
    deleteModel: Boolean
    setModelAlias: Boolean
    deleteModelAlias: Boolean
    deleteModelVersion: Boolean
    createApiKey: ApiKey
    revokeApiKey: ApiKey
  }
`;

describe('featureDocuments', () => {
  it('includes a feature once the schema has every field it names', () => {
    expect(featureDocuments(registrySchema)).toContain('registry.ts');
  });

  it('leaves a feature out while one of its fields is missing', () => {
    const withoutRevoke = registrySchema.replace('revokeApiKey: ApiKey', '');
    expect(featureDocuments(withoutRevoke)).not.toContain('registry.ts');
  });

  it('names only document files that exist', () => {
    for (const feature of consoleFeatures) {
      expect(() => readFileSync(path.join(__dirname, feature.file))).not.toThrow();
    }
  });

  it("serves the registry from the API's committed schema", () => {
    const schema = readFileSync(path.join(__dirname, '../../../api/schema.graphql'), 'utf8');
    expect(featureDocuments(schema)).toContain('registry.ts');
  });
});
