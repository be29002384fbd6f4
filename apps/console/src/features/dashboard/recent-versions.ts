// The dashboard's "recent versions": the newest version of each model, newest first.

type WithLatest = { latestVersion: { createdAt: string } | null };

/** Pairs each model with its latest version, newest first, at most `limit`. */
export function recentVersions<M extends WithLatest>(
  models: readonly M[],
  limit: number,
): { model: M; version: NonNullable<M['latestVersion']> }[] {
  return models
    .flatMap((model) =>
      model.latestVersion
        ? [{ model, version: model.latestVersion as NonNullable<M['latestVersion']> }]
        : [],
    )
    .sort((a, b) => Date.parse(b.version.createdAt) - Date.parse(a.version.createdAt))
    .slice(0, limit);
}
