// What the Chat page and the embeddings try-out ask: a deployment, or a model with an optional
// alias or version number, written as the API's `model` argument takes it ("name", "name@alias",
// "name@3"); and which version that resolves to, for the page to describe it.

export interface TargetDeployment {
  name: string;
  routes: readonly { weight: number; version: { id: string; version: number } }[];
}

export interface TargetModel {
  name: string;
  latestVersion: { id: string; version: number } | null;
}

export interface TargetVersions {
  aliases: readonly { alias: string; version: { id: string; version: number } }[];
  versions: readonly { id: string; version: number }[];
}

/** A select's value: `d:<deployment>` or `m:<model>`. */
export type TargetKey = string;

export const deploymentKey = (name: string): TargetKey => `d:${name}`;
export const modelKey = (name: string): TargetKey => `m:${name}`;

export function parseTargetKey(
  key: TargetKey,
): { kind: 'deployment' | 'model'; name: string } | null {
  if (key.startsWith('d:') && key.length > 2) return { kind: 'deployment', name: key.slice(2) };
  if (key.startsWith('m:') && key.length > 2) return { kind: 'model', name: key.slice(2) };
  return null;
}

/**
 * The `model` argument: a deployment's name; a model's name, with `@<choice>` when an alias or a
 * version number is chosen (empty: the API picks the production alias, else the latest version).
 */
export function modelReference(key: TargetKey, choice: string): string | null {
  const target = parseTargetKey(key);
  if (!target) return null;
  if (target.kind === 'deployment' || choice === '') return target.name;
  return `${target.name}@${choice}`;
}

/** The version a request will most likely reach, as the API resolves it. */
export function resolvedVersionId(
  key: TargetKey,
  choice: string,
  deployments: readonly TargetDeployment[],
  models: readonly TargetModel[],
  versions: TargetVersions | null,
): string | null {
  const target = parseTargetKey(key);
  if (!target) return null;
  if (target.kind === 'deployment') {
    const deployment = deployments.find((d) => d.name === target.name);
    // The heaviest route: a canary split sends most requests there.
    return (
      [...(deployment?.routes ?? [])].sort((a, b) => b.weight - a.weight)[0]?.version.id ?? null
    );
  }
  const model = models.find((m) => m.name === target.name);
  if (!model) return null;
  if (choice !== '') {
    if (/^\d+$/.test(choice))
      return versions?.versions.find((v) => String(v.version) === choice)?.id ?? null;
    return versions?.aliases.find((a) => a.alias === choice)?.version.id ?? null;
  }
  return (
    versions?.aliases.find((a) => a.alias === 'production')?.version.id ??
    model.latestVersion?.id ??
    null
  );
}

/** The target the page starts with: the URL's, else the first deployment, else the first model. */
export function initialTargetKey(
  fromUrl: { deployment: string | null; model: string | null },
  deployments: readonly TargetDeployment[],
  models: readonly TargetModel[],
): TargetKey {
  if (fromUrl.deployment) return deploymentKey(fromUrl.deployment);
  if (fromUrl.model) return modelKey(fromUrl.model);
  const deployment = deployments[0];
  if (deployment) return deploymentKey(deployment.name);
  const model = models.find((m) => m.latestVersion);
  return model ? modelKey(model.name) : '';
}
