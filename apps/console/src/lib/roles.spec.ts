import { describe, expect, it } from 'vitest';
import { can } from './roles';

describe('can', () => {
  it('lets a viewer read and predict only', () => {
    expect(can('VIEWER', 'read')).toBe(true);
    expect(can('VIEWER', 'predict')).toBe(true);
    expect(can('VIEWER', 'edit')).toBe(false);
    expect(can('VIEWER', 'manageKeys')).toBe(false);
  });
  it('lets an editor edit but not manage keys', () => {
    expect(can('EDITOR', 'edit')).toBe(true);
    expect(can('EDITOR', 'manageKeys')).toBe(false);
    expect(can('EDITOR', 'readAudit')).toBe(false);
  });
  it('lets an admin do everything, and nobody without a role anything', () => {
    expect(can('ADMIN', 'manageKeys')).toBe(true);
    expect(can('ADMIN', 'readAudit')).toBe(true);
    expect(can(null, 'read')).toBe(false);
  });
});
