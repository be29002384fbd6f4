import type { EpochResult, FeatureImportance, Metrics, TabularSignature } from '@maas/training';

/** What the training thread starts with (its `workerData`). Byte arrays are transferred, not copied. */
export interface TrainingThreadInput {
  /** The dataset's encoded columns (`encodeColumns`). */
  datasetColumns: Uint8Array;
  algorithm: string;
  target: string;
  features: string[];
  hyperparameters: Record<string, unknown>;
  /** ONNX bytes of the version to warm-start from. */
  warmStartOnnx: Uint8Array | null;
  /** A checkpoint from an earlier attempt ({@link encodeCheckpoint}). */
  checkpoint: Uint8Array | null;
  checkpointEveryEpochs: number;
  checkpointMinIntervalMs: number;
}

/** Messages the main thread may send to the training thread. */
export type ToThreadMessage = { type: 'checkpoint-and-stop' };

/** What the finished run hands back. */
export interface ThreadTrainingResult {
  onnx: Uint8Array;
  metrics: Metrics;
  trainingMetrics: Metrics;
  signature: TabularSignature;
  featureImportance: FeatureImportance[];
  epochs: number;
  bestEpoch: number;
  stoppedEarly: boolean;
}

/** Messages the training thread posts, in order. */
export type FromThreadMessage =
  | {
      type: 'ready';
      /** Epochs already done (from the checkpoint), 0 for a fresh run. */
      epoch: number;
      trainingRows: number;
      validationRows: number;
      droppedRows: number;
      hyperparameters: Record<string, unknown>;
    }
  /** One finished epoch (`endedAt`: Date.now() when it ended), with a checkpoint taken right after it when one was due. */
  | { type: 'epoch'; result: EpochResult; endedAt: number; checkpoint: Uint8Array | null }
  | { type: 'done'; result: ThreadTrainingResult }
  /** Answer to `checkpoint-and-stop`: the state after the last finished epoch. */
  | { type: 'stopped'; epoch: number; checkpoint: Uint8Array }
  | { type: 'error'; name: string; message: string };
