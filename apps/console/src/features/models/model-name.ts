// The rule docs/api.md "Names" gives for model (and deployment) names, checked before the API is asked.
const modelNamePattern = /^[a-z0-9][a-z0-9\-_.]{0,62}$/;

/** A message saying what to change, or null when `name` is valid. */
export function modelNameProblem(name: string): string | null {
  if (!name) return 'Enter a name.';
  if (name.length > 63) return 'Use at most 63 characters.';
  if (!modelNamePattern.test(name)) {
    return 'Use lowercase letters, digits, "-", "_" and "."; start with a letter or digit.';
  }
  return null;
}
