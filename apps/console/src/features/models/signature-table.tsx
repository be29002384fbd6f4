import type { TensorSpecFieldsFragment } from '@/gql/graphql';
import { formatShape } from '@/lib/format';
import { Badge } from '@/components/ui/badge';
import { Table, TBody, THead, Td, Th, Tr } from '@/components/ui/table';

export interface SignatureView {
  inputs: TensorSpecFieldsFragment[];
  outputs: TensorSpecFieldsFragment[];
  features: string[] | null;
  labels: string[] | null;
  categories: unknown;
}

/** A version's inputs and outputs as one table, then its tabular metadata. */
export function SignatureTable({ signature }: { signature: SignatureView }) {
  const rows = [
    ...signature.inputs.map((spec) => ({ kind: 'input' as const, spec })),
    ...signature.outputs.map((spec) => ({ kind: 'output' as const, spec })),
  ];
  const categories =
    signature.categories && typeof signature.categories === 'object'
      ? Object.entries(signature.categories as Record<string, unknown>)
      : [];
  return (
    <div className="grid gap-4">
      <Table>
        <THead>
          <tr>
            <Th>Tensor</Th>
            <Th>Name</Th>
            <Th>Type</Th>
            <Th>Shape</Th>
          </tr>
        </THead>
        <TBody>
          {rows.map(({ kind, spec }) => (
            <Tr key={`${kind}:${spec.name}`}>
              <Td>
                <Badge tone={kind === 'input' ? 'primary' : 'neutral'}>{kind}</Badge>
              </Td>
              <Td className="font-mono text-xs">{spec.name}</Td>
              <Td className="font-mono text-xs">{spec.datatype}</Td>
              <Td className="font-mono text-xs" title="? is a dynamic dimension">
                {formatShape(spec.shape)}
              </Td>
            </Tr>
          ))}
        </TBody>
      </Table>
      {signature.features?.length ? (
        <div>
          <h4 className="mb-1 text-xs font-medium text-muted-foreground">
            Features (input columns, in order)
          </h4>
          <div className="flex flex-wrap gap-1">
            {signature.features.map((feature, index) => (
              <Badge key={feature} tone="outline" className="font-mono">
                {index}: {feature}
              </Badge>
            ))}
          </div>
        </div>
      ) : null}
      {signature.labels?.length ? (
        <div>
          <h4 className="mb-1 text-xs font-medium text-muted-foreground">Class labels</h4>
          <div className="flex flex-wrap gap-1">
            {signature.labels.map((label) => (
              <Badge key={label} tone="outline" className="font-mono">
                {label}
              </Badge>
            ))}
          </div>
        </div>
      ) : null}
      {categories.length ? (
        <div>
          <h4 className="mb-1 text-xs font-medium text-muted-foreground">Categorical features</h4>
          <ul className="grid gap-1 text-xs">
            {categories.map(([feature, values]) => (
              <li key={feature}>
                <span className="font-mono font-medium">{feature}</span>:{' '}
                <span className="text-muted-foreground">
                  {Array.isArray(values) ? values.map(String).join(', ') : JSON.stringify(values)}
                </span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
