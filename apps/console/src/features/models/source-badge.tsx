import { Upload, Sparkles } from 'lucide-react';
import type { VersionSource } from '@/gql/graphql';
import { Badge } from '@/components/ui/badge';

/** UPLOAD or TRAINING, with an icon. */
export function SourceBadge({ source }: { source: VersionSource }) {
  return source === 'TRAINING' ? (
    <Badge tone="success">
      <Sparkles aria-hidden className="size-3" />
      trained
    </Badge>
  ) : (
    <Badge tone="neutral">
      <Upload aria-hidden className="size-3" />
      uploaded
    </Badge>
  );
}
