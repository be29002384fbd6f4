import { Badge, type BadgeTone } from '@/components/ui/badge';

const tones: Record<string, BadgeTone> = {
  ok: 'success',
  forbidden: 'danger',
  quota_exceeded: 'warning',
  failed: 'danger',
};

/** An audit event's outcome: green when it went through, amber over quota, red when refused. */
export function OutcomeBadge({ outcome }: { outcome: string }) {
  return <Badge tone={tones[outcome] ?? 'neutral'}>{outcome.replace(/_/g, ' ')}</Badge>;
}
