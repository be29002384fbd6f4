// A model ONNX Runtime never finishes running, for the wedged-model attack tests.
import { GraphBuilder } from '@maas/onnx';

/** y = x + 1 repeated `trips` times: with 10^12 trips ONNX Runtime runs for weeks. */
export function endlessLoopModel(trips: bigint): Uint8Array {
  const body = new GraphBuilder({ graphName: 'body' });
  body.addInput('i', 'INT64', []).addInput('cond', 'BOOL', []).addInput('v', 'FP32', [-1, 1]);
  body.addInitializer('one', 'FP32', [], [1]);
  body.addNode('Identity', ['cond'], ['cond_out']).addNode('Add', ['v', 'one'], ['v_out']);
  body.addOutput('cond_out', 'BOOL', []).addOutput('v_out', 'FP32', [-1, 1]);
  const g = new GraphBuilder();
  g.addInput('input', 'FP32', [-1, 1]);
  g.addInitializer('trips', 'INT64', [], [trips]);
  g.addInitializer('keep_going', 'BOOL', [], [true]);
  g.addNode('Loop', ['trips', 'keep_going', 'input'], ['output'], { body: { graph: body } });
  g.addOutput('output', 'FP32', [-1, 1]);
  return g.toBytes();
}
