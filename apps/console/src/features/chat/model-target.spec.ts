import { describe, expect, it } from 'vitest';
import {
  deploymentKey,
  initialTargetKey,
  modelKey,
  modelReference,
  parseTargetKey,
  resolvedVersionId,
} from './model-target';

const deployments = [
  {
    name: 'chat-api',
    routes: [
      { weight: 20, version: { id: 'v2', version: 2 } },
      { weight: 80, version: { id: 'v1', version: 1 } },
    ],
  },
];
const models = [
  { name: 'tiny', latestVersion: { id: 'v3', version: 3 } },
  { name: 'empty', latestVersion: null },
];
const versions = {
  aliases: [
    { alias: 'production', version: { id: 'v1', version: 1 } },
    { alias: 'staging', version: { id: 'v2', version: 2 } },
  ],
  versions: [
    { id: 'v3', version: 3 },
    { id: 'v2', version: 2 },
    { id: 'v1', version: 1 },
  ],
};

describe('model targets', () => {
  it('writes the API model argument: a deployment, a model, name@alias, name@3', () => {
    expect(modelReference(deploymentKey('chat-api'), 'ignored')).toBe('chat-api');
    expect(modelReference(modelKey('tiny'), '')).toBe('tiny');
    expect(modelReference(modelKey('tiny'), 'staging')).toBe('tiny@staging');
    expect(modelReference(modelKey('tiny'), '3')).toBe('tiny@3');
    expect(modelReference('', '')).toBeNull();
    expect(parseTargetKey('x:y')).toBeNull();
  });

  it('resolves the version as the API would: heaviest route, choice, production, latest', () => {
    const resolve = (key: string, choice: string, v: typeof versions | null = versions) =>
      resolvedVersionId(key, choice, deployments, models, v);
    expect(resolve(deploymentKey('chat-api'), '')).toBe('v1');
    expect(resolve(modelKey('tiny'), '')).toBe('v1');
    expect(resolve(modelKey('tiny'), '', { aliases: [], versions: versions.versions })).toBe('v3');
    expect(resolve(modelKey('tiny'), '', null)).toBe('v3');
    expect(resolve(modelKey('tiny'), 'staging')).toBe('v2');
    expect(resolve(modelKey('tiny'), '3')).toBe('v3');
    expect(resolve(modelKey('tiny'), '9')).toBeNull();
    expect(resolve(modelKey('nope'), '')).toBeNull();
    expect(resolve(deploymentKey('nope'), '')).toBeNull();
  });

  it('starts from the URL, else the first deployment, else the first model with a version', () => {
    const none = { deployment: null, model: null };
    expect(initialTargetKey({ deployment: 'd', model: 'm' }, [], [])).toBe('d:d');
    expect(initialTargetKey({ deployment: null, model: 'm' }, deployments, models)).toBe('m:m');
    expect(initialTargetKey(none, deployments, models)).toBe('d:chat-api');
    expect(initialTargetKey(none, [], [...models].reverse())).toBe('m:tiny');
    expect(initialTargetKey(none, [], [])).toBe('');
  });
});
