import { describe, expect, it } from 'vitest';
import {
  addRoute,
  routesChanged,
  routesProblem,
  routesToSave,
  sendAllTo,
  setCanaryWeight,
  type RouteDraft,
} from './routes';

const v1: RouteDraft = { versionId: 'a', version: 1, weight: 100 };
const v2: RouteDraft = { versionId: 'b', version: 2, weight: 0 };

describe('deployment routes', () => {
  it('splits traffic between the stable version and the canary', () => {
    const split = setCanaryWeight([v1, v2], 20);
    expect(split.map((r) => r.weight)).toEqual([80, 20]);
    expect(routesProblem(split)).toBeNull();
    expect(routesToSave(split)).toEqual([
      { versionId: 'a', weight: 80 },
      { versionId: 'b', weight: 20 },
    ]);
  });

  it('promotes and rolls back by sending all traffic to one version', () => {
    const split = setCanaryWeight([v1, v2], 20);
    expect(routesToSave(sendAllTo(split, 'b'))).toEqual([{ versionId: 'b', weight: 100 }]);
    expect(routesToSave(sendAllTo(split, 'a'))).toEqual([{ versionId: 'a', weight: 100 }]);
  });

  it('explains weights the API would refuse', () => {
    expect(
      routesProblem([
        { ...v1, weight: 70 },
        { ...v2, weight: 20 },
      ]),
    ).toBe('Weights add up to 90%; they must add up to 100%.');
    expect(routesProblem([{ ...v1, weight: 0 }])).toBe(
      'At least one version must receive traffic.',
    );
    expect(
      routesProblem([
        { ...v1, weight: 50.5 },
        { ...v2, weight: 49.5 },
      ]),
    ).toBe('Weights are whole percentages from 0 to 100.');
    expect(routesProblem([v1, { ...v1, weight: 0 }])).toBe('Each version may appear once.');
  });

  it('adds a version once, with no traffic', () => {
    const routes = addRoute([v1], { versionId: 'b', version: 2 });
    expect(routes).toEqual([v1, v2]);
    expect(addRoute(routes, { versionId: 'b', version: 2 })).toHaveLength(2);
  });

  it('notices changes but not reordering or zero-weight routes', () => {
    expect(routesChanged([v1], [v1, v2])).toBe(false);
    expect(routesChanged([v1], setCanaryWeight([v1, v2], 10))).toBe(true);
  });
});
