import { type DemoApi, gql, uploadBundle } from './demo-api';

/** One demo language model: a model, its bundle as version 1, alias `production`, a deployment. */
export interface DemoLanguageModel {
  model: string;
  deployment: string;
  task: 'TEXT_GENERATION' | 'EMBEDDING';
  kind: 'chat' | 'embedding';
  description: string;
}

const GIBBERISH =
  'Random seeded weights: it shows the plumbing (tokenizer, chat template, KV cache, batching, streaming) and answers gibberish.';

/** The demo language models the first start seeds, in the order it seeds them. */
export const DEMO_LANGUAGE_MODELS: readonly DemoLanguageModel[] = [
  {
    model: 'demo-gpt2',
    deployment: 'demo-chat',
    task: 'TEXT_GENERATION',
    kind: 'chat',
    description: `The demo chat model: a tiny GPT-2 with GPT-2's real tokenizer and a ChatML chat template. ${GIBBERISH}`,
  },
  {
    model: 'demo-bert',
    deployment: 'demo-embeddings',
    task: 'EMBEDDING',
    kind: 'embedding',
    description: `The demo embedding model: a tiny BERT with GPT-2's tokenizer and mean pooling. ${GIBBERISH}`,
  },
];

/**
 * Seeds the demo language models through the public API, as a user would: `createModel`, the
 * bundle uploaded as a tar to `POST /v1/models/{name}/versions` (the upload's own checks, the
 * engine's load, the bundle commit), alias `production`, and a deployment routing all traffic
 * to it. The archives are built here, once, from `@maas/demo-models` (loaded only now, so that a
 * start that seeds nothing never loads it).
 */
export async function seedLanguageModels(
  api: DemoApi,
  log: { info(message: string): void },
): Promise<void> {
  const { demoBundleArchive } = await import('@maas/demo-models');
  for (const demo of DEMO_LANGUAGE_MODELS) {
    const archive = await demoBundleArchive(demo.kind);
    const { createModel } = await gql<{ createModel: { id: string } }>(
      api,
      'mutation($n: String!, $t: ModelTask!, $d: String!) { createModel(input: { name: $n, task: $t, description: $d, tags: { demo: true } }) { id } }',
      { n: demo.model, t: demo.task, d: demo.description },
    );
    const version = await uploadBundle(api, demo.model, archive, `maas-demo-seed:${demo.model}`);
    await gql(
      api,
      'mutation($m: ID!, $v: Int!) { setModelAlias(modelId: $m, alias: "production", version: $v) { alias } }',
      { m: createModel.id, v: version.version },
    );
    await gql(
      api,
      'mutation($n: String!, $m: ID!, $v: ID!) { createDeployment(input: { name: $n, modelId: $m, routes: [{ versionId: $v, weight: 100 }] }) { id } }',
      { n: demo.deployment, m: createModel.id, v: version.id },
    );
    log.info(
      `Demo language model ready: deployment "${demo.deployment}" serves "${demo.model}" version ${version.version} (${demo.task}, random weights: gibberish)`,
    );
  }
}
