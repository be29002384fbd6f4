import { createTrainer } from '@maas/training';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-codec';

describe('checkpoint codec', () => {
  it('round-trips a trainer checkpoint exactly, so a resumed run continues bit for bit', () => {
    const x = Float64Array.from({ length: 200 }, (_, i) => ((i * 37) % 100) / 100);
    const y = x.map((v, i) => 3 * v + ((i * 13) % 10) / 10);
    const dataset = {
      rowCount: 200,
      columns: [
        { name: 'x', type: 'numeric' as const, values: x },
        { name: 'y', type: 'numeric' as const, values: y },
      ],
    };
    const options = {
      algorithm: 'LINEAR_REGRESSION' as const,
      dataset,
      target: 'y',
      hyperparameters: { epochs: 6, seed: 4 },
    };
    const straight = createTrainer(options);
    for (let i = 0; i < 3; i++) straight.runEpoch();
    const bytes = encodeCheckpoint(straight.checkpoint());
    const resumed = createTrainer({ ...options, checkpoint: decodeCheckpoint(bytes) });
    expect(resumed.epoch).toBe(3);
    for (let i = 0; i < 3; i++) expect(resumed.runEpoch().loss).toBe(straight.runEpoch().loss);
  });

  it('rejects bytes that are not a checkpoint', () => {
    expect(() => decodeCheckpoint(Buffer.from('nope'))).toThrow(/stored checkpoint is unreadable/);
  });
});
