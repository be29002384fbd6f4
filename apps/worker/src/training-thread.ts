// Entry point of the training thread (worker_threads): the CPU-heavy loop runs here so the main
// thread keeps renewing the job's lease, writing progress and answering cancellation.
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import {
  ALGORITHM_NAMES,
  createTrainer,
  decodeColumns,
  exportedStateFromOnnx,
  type Algorithm,
  type Trainer,
} from '@maas/training';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-codec';
import type { FromThreadMessage, ToThreadMessage, TrainingThreadInput } from './thread-protocol';

const port = parentPort;
if (!port) throw new Error('training-thread.js runs only as a worker thread');

let stopRequested = false;
port.on('message', (message: ToThreadMessage) => {
  if (message.type === 'checkpoint-and-stop') stopRequested = true;
});

function post(message: FromThreadMessage, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

/** The bytes of `view` as a transferable ArrayBuffer (copied when `view` shares its buffer). */
function own(view: Uint8Array): [Uint8Array, ArrayBuffer] {
  if (
    view.byteOffset === 0 &&
    view.byteLength === view.buffer.byteLength &&
    view.buffer instanceof ArrayBuffer
  ) {
    return [view, view.buffer];
  }
  const copy = new Uint8Array(view.byteLength);
  copy.set(view);
  return [copy, copy.buffer];
}

async function main(input: TrainingThreadInput): Promise<void> {
  if (!ALGORITHM_NAMES.includes(input.algorithm as Algorithm)) {
    throw new Error(`unknown algorithm '${input.algorithm}'`);
  }
  const trainer: Trainer = createTrainer({
    algorithm: input.algorithm as Algorithm,
    dataset: decodeColumns(input.datasetColumns),
    target: input.target,
    features: input.features,
    hyperparameters: input.hyperparameters,
    warmStart: input.warmStartOnnx ? exportedStateFromOnnx(input.warmStartOnnx) : undefined,
    checkpoint: input.checkpoint ? decodeCheckpoint(input.checkpoint) : undefined,
  });
  post({
    type: 'ready',
    epoch: trainer.epoch,
    trainingRows: trainer.trainingRows,
    validationRows: trainer.validationRows,
    droppedRows: trainer.droppedRows,
    hyperparameters: { ...trainer.hyperparameters },
  });

  let lastCheckpointEpoch = trainer.epoch;
  let lastCheckpointAt = Date.now();
  while (!trainer.done) {
    // Between epochs: let a stop request in (message handlers run only when the loop yields).
    await yieldToEvents();
    if (stopRequested) {
      const [checkpoint, buffer] = own(encodeCheckpoint(trainer.checkpoint()));
      post({ type: 'stopped', epoch: trainer.epoch, checkpoint }, [buffer]);
      return;
    }
    const result = trainer.runEpoch();
    const endedAt = Date.now();
    let checkpoint: Uint8Array | null = null;
    const transfer: ArrayBuffer[] = [];
    if (
      !result.done &&
      result.epoch - lastCheckpointEpoch >= input.checkpointEveryEpochs &&
      Date.now() - lastCheckpointAt >= input.checkpointMinIntervalMs
    ) {
      const [bytes, buffer] = own(encodeCheckpoint(trainer.checkpoint()));
      checkpoint = bytes;
      transfer.push(buffer);
      lastCheckpointEpoch = result.epoch;
      lastCheckpointAt = Date.now();
    }
    post({ type: 'epoch', result, endedAt, checkpoint }, transfer);
  }
  const result = trainer.finish();
  const [onnx, buffer] = own(result.onnx);
  post(
    {
      type: 'done',
      result: {
        onnx,
        metrics: result.metrics,
        trainingMetrics: result.trainingMetrics,
        signature: result.signature,
        featureImportance: result.featureImportance,
        epochs: result.epochs,
        bestEpoch: result.bestEpoch,
        stoppedEarly: result.stoppedEarly,
      },
    },
    [buffer],
  );
}

main(workerData as TrainingThreadInput).catch((err: unknown) => {
  const error = err instanceof Error ? err : new Error(String(err));
  post({ type: 'error', name: error.name, message: error.message });
});
