import { badInput } from './errors';

/** Model, deployment and alias names: lower case, digits, '-', '_' and '.', 1 to 63 characters. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9\-_.]{0,62}$/;

export function assertValidName(kind: string, name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw badInput(
      `Invalid ${kind} name "${name.slice(0, 80)}": use 1 to 63 characters of a-z, 0-9, '-', '_' or '.', starting with a letter or digit`,
      { field: 'name' },
    );
  }
}
