import { describe, expect, it } from 'vitest';
import {
  auditFilterErrors,
  emptyAuditFilter,
  filterFromSearch,
  filterToSearch,
  toAuditFilter,
} from './audit-filter';

describe('the audit filter', () => {
  it('round-trips through the address bar, leaving empty fields out', () => {
    const values = { ...emptyAuditFilter, action: 'model.create', outcome: 'forbidden' };
    const search = filterToSearch(values);
    expect(search.toString()).toBe('action=model.create&outcome=forbidden');
    expect(filterFromSearch(search)).toEqual(values);
    expect(filterFromSearch(new URLSearchParams())).toEqual(emptyAuditFilter);
  });

  it("sends only what is set, with the browser's local times as instants", () => {
    expect(toAuditFilter(emptyAuditFilter)).toBeNull();
    const from = '2025-06-01T10:30';
    expect(
      toAuditFilter({ ...emptyAuditFilter, action: ' alias.set ', actorId: 'k1', from }),
    ).toEqual({ action: 'alias.set', actorId: 'k1', from: new Date(from).toISOString() });
  });

  it('refuses a "to" before "from"', () => {
    expect(
      auditFilterErrors({ ...emptyAuditFilter, from: '2025-06-02T00:00', to: '2025-06-01T00:00' }),
    ).toEqual({
      to: 'Must be after "From".',
    });
    expect(auditFilterErrors({ ...emptyAuditFilter, from: '2025-06-01T00:00' })).toEqual({});
  });
});
