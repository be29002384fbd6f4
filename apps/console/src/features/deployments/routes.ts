// Editing a deployment's weighted routes (canary releases): pure helpers the editor and its
// tests share. Weights are whole percentages that add up to 100, as the API requires.

export interface RouteDraft {
  versionId: string;
  version: number;
  weight: number;
}

/** What is wrong with the routes, or null when the API will accept them. */
export function routesProblem(routes: readonly RouteDraft[]): string | null {
  const live = routes.filter((r) => r.weight > 0);
  if (live.length === 0) return 'At least one version must receive traffic.';
  if (routes.some((r) => !Number.isInteger(r.weight) || r.weight < 0 || r.weight > 100)) {
    return 'Weights are whole percentages from 0 to 100.';
  }
  if (new Set(routes.map((r) => r.versionId)).size !== routes.length) {
    return 'Each version may appear once.';
  }
  const total = routes.reduce((sum, r) => sum + r.weight, 0);
  if (total !== 100) return `Weights add up to ${total}%; they must add up to 100%.`;
  return null;
}

/** Two routes: the second (the canary) gets `weight`, the first the rest. */
export function setCanaryWeight(routes: readonly RouteDraft[], weight: number): RouteDraft[] {
  const [stable, canary] = routes;
  if (!stable || !canary || routes.length !== 2) return [...routes];
  const w = Math.min(100, Math.max(0, Math.round(weight)));
  return [
    { ...stable, weight: 100 - w },
    { ...canary, weight: w },
  ];
}

/** All traffic to one version (promote the canary, or roll back to the stable one). */
export function sendAllTo(routes: readonly RouteDraft[], versionId: string): RouteDraft[] {
  return routes.map((r) => ({ ...r, weight: r.versionId === versionId ? 100 : 0 }));
}

/** Adds a version with no traffic yet (to be given some with the slider). */
export function addRoute(
  routes: readonly RouteDraft[],
  route: { versionId: string; version: number },
): RouteDraft[] {
  if (routes.some((r) => r.versionId === route.versionId)) return [...routes];
  return [...routes, { ...route, weight: 0 }];
}

/** What to send: routes with traffic only. */
export function routesToSave(
  routes: readonly RouteDraft[],
): { versionId: string; weight: number }[] {
  return routes.filter((r) => r.weight > 0).map(({ versionId, weight }) => ({ versionId, weight }));
}

/** Whether the drafts differ from the saved routes. */
export function routesChanged(saved: readonly RouteDraft[], draft: readonly RouteDraft[]): boolean {
  const key = (routes: readonly RouteDraft[]) =>
    routes
      .filter((r) => r.weight > 0)
      .map((r) => `${r.versionId}:${r.weight}`)
      .sort()
      .join(',');
  return key(saved) !== key(draft);
}
