import type { ApiKey as ApiKeyRow, Workspace as WorkspaceRow } from '@maas/db';
import { quotaOf } from '../quotas/quota-fields';
import type { ApiKey, Workspace } from './auth.types';

export const mapKey = (k: ApiKeyRow): ApiKey => ({
  id: k.id,
  name: k.name,
  role: k.role,
  createdAt: k.createdAt,
  lastUsedAt: k.lastUsedAt,
  revokedAt: k.revokedAt,
  workspaceId: k.workspaceId,
});

export const mapWorkspace = (w: WorkspaceRow): Workspace => ({
  id: w.id,
  name: w.name,
  createdAt: w.createdAt,
  quotaValues: quotaOf(w),
});
