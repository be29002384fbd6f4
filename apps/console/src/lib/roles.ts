// What each role may do, as docs/api.md "Authentication and roles" says: a VIEWER reads and
// predicts, an EDITOR also creates, trains and deploys, an ADMIN also manages the workspace's keys
// and reads its audit log.
import type { Role } from '@/gql/graphql';

/** An action the console offers only to roles that may do it. */
export type ConsoleAction = 'read' | 'predict' | 'edit' | 'manageKeys' | 'readAudit';

const allowed: Record<Role, readonly ConsoleAction[]> = {
  VIEWER: ['read', 'predict'],
  EDITOR: ['read', 'predict', 'edit'],
  ADMIN: ['read', 'predict', 'edit', 'manageKeys', 'readAudit'],
};

/** Whether `role` may do `action`. */
export function can(role: Role | null | undefined, action: ConsoleAction): boolean {
  return role ? allowed[role].includes(action) : false;
}
