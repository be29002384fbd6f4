import { buildLinearModel } from '@maas/onnx';
import { exportOnnx } from '@maas/training';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiSchema } from '../src/schema';
import { MUTATION_AUDIT_ACTIONS } from '../src/common/audit-actions';
import { startTestApi, type TestApi } from './api-harness';

/**
 * Every Mutation field of the built schema is in the audit registry, and performing it through
 * the API leaves its row in `auditEvents`. A new mutation: add it to MUTATION_AUDIT_ACTIONS and a
 * step to STEPS below (in an order where what it needs exists).
 */

let api: TestApi;
/** Ids the steps hand each other. */
const ids: Record<string, string> = {};

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api?.close();
});

async function ok<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await api.gql<T>(query, variables);
  expect(res.errors, query).toBeUndefined();
  return res.data as T;
}

/** One step per mutation: performs it and returns the id its audit row must name as target. */
const STEPS: { mutation: string; run: () => Promise<string> }[] = [
  {
    mutation: 'createWorkspace',
    run: async () => {
      const d = await ok(`mutation { createWorkspace(name: "audited") { id } }`);
      return (ids.workspace = d.createWorkspace.id);
    },
  },
  {
    mutation: 'setWorkspaceQuota',
    run: async () => {
      // On the root key's own workspace (where the other rows are), changing nothing.
      const own = (await ok(`{ viewer { workspace { id } } }`)).viewer.workspace.id as string;
      await ok(
        `mutation($w: ID!) { setWorkspaceQuota(workspaceId: $w, quota: { maxQueuedJobs: null }) { id } }`,
        { w: own },
      );
      return own;
    },
  },
  {
    mutation: 'createApiKey',
    run: async () => {
      const d = await ok(`mutation { createApiKey(name: "k", role: VIEWER) { apiKey { id } } }`);
      return (ids.key = d.createApiKey.apiKey.id);
    },
  },
  {
    mutation: 'revokeApiKey',
    run: async () => {
      await ok(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: ids.key });
      return ids.key!;
    },
  },
  {
    mutation: 'createModel',
    run: async () => {
      const d = await ok(`mutation { createModel(input: { name: "m", task: REGRESSION }) { id } }`);
      return (ids.model = d.createModel.id);
    },
  },
  {
    mutation: 'updateModel',
    run: async () => {
      await ok(`mutation($id: ID!) { updateModel(id: $id, input: { description: "d" }) { id } }`, {
        id: ids.model,
      });
      return ids.model!;
    },
  },
  {
    mutation: 'setModelAlias',
    run: async () => {
      const up = await api.upload('m', buildLinearModel({ weights: [[1, 2]], bias: [0] }));
      expect(up.status).toBe(201);
      ids.version = up.body.id;
      await ok(
        `mutation($m: ID!) { setModelAlias(modelId: $m, alias: "prod", version: 1) { alias } }`,
        {
          m: ids.model,
        },
      );
      return ids.model!;
    },
  },
  {
    mutation: 'deleteModelAlias',
    run: async () => {
      await ok(`mutation($m: ID!) { deleteModelAlias(modelId: $m, alias: "prod") }`, {
        m: ids.model,
      });
      return ids.model!;
    },
  },
  {
    mutation: 'createDeployment',
    run: async () => {
      const d = await ok(
        `mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`,
        {
          i: { name: 'dep', modelId: ids.model, routes: [{ versionId: ids.version, weight: 100 }] },
        },
      );
      return (ids.deployment = d.createDeployment.id);
    },
  },
  {
    mutation: 'updateDeploymentLogging',
    run: async () => {
      // Every prediction of "dep" logged, so that the next step's takes feedback.
      await ok(`mutation { updateDeploymentLogging(name: "dep", logSampleRate: 1) { id } }`);
      return ids.deployment!;
    },
  },
  {
    mutation: 'setMonitoringThresholds',
    run: async () => {
      await ok(
        `mutation { setMonitoringThresholds(name: "dep", thresholds: { maxErrorRate: 0.5 }) { id } }`,
      );
      return ids.deployment!;
    },
  },
  {
    mutation: 'clearMonitoringThresholds',
    run: async () => {
      await ok(`mutation { clearMonitoringThresholds(name: "dep") { id } }`);
      return ids.deployment!;
    },
  },
  {
    mutation: 'setDeploymentReference',
    run: async () => {
      await ok(`mutation { setDeploymentReference(name: "dep", datasetId: null) { id } }`);
      return ids.deployment!;
    },
  },
  {
    mutation: 'recordFeedback',
    run: async () => {
      const p = await ok(
        `{ predict(input: { model: "dep", inputs: { input: [[1, 2]] } }) { id } }`,
      );
      const id = p.predict.id as string;
      await ok(
        `mutation($id: ID!) { recordFeedback(input: { predictionId: $id, actual: 5 }) { id } }`,
        {
          id,
        },
      );
      return id;
    },
  },
  {
    mutation: 'updateDeploymentRoutes',
    run: async () => {
      await ok(
        `mutation($r: [RouteInput!]!) { updateDeploymentRoutes(name: "dep", routes: $r) { id } }`,
        {
          r: [{ versionId: ids.version, weight: 100 }],
        },
      );
      return ids.deployment!;
    },
  },
  {
    mutation: 'promote',
    run: async () => {
      const up = await api.upload('m', buildLinearModel({ weights: [[2, 1]], bias: [0] }));
      expect(up.status).toBe(201);
      const d = await ok(
        `mutation($v: ID!) { promote(input: { deployment: "dep", versionId: $v, policy: { requireApproval: true } }) { id } }`,
        { v: up.body.id },
      );
      return (ids.promotion = d.promote.id);
    },
  },
  {
    mutation: 'approvePromotion',
    run: async () => {
      await ok(`mutation($id: ID!) { approvePromotion(id: $id) { id } }`, { id: ids.promotion });
      return ids.promotion!;
    },
  },
  {
    mutation: 'cancelPromotion',
    run: async () => {
      await ok(`mutation($id: ID!) { cancelPromotion(id: $id) { id } }`, { id: ids.promotion });
      return ids.promotion!;
    },
  },
  {
    mutation: 'setRetrainPolicy',
    run: async () => {
      // A version as maas trains it (its model spec in metadata), so a warm start can continue it.
      const trained = exportOnnx({
        formatVersion: 1,
        algorithm: 'LINEAR_REGRESSION',
        task: 'REGRESSION',
        head: 'identity',
        target: 'y',
        features: [{ name: 'x', type: 'numeric', offset: 0, scale: 1 }],
        labels: null,
        targetOffset: 0,
        targetScale: 1,
        hiddenLayers: [],
        layers: [{ inputs: 1, outputs: 1, weights: [2], bias: [0] }],
      });
      const up = await api.upload('m', trained);
      expect(up.status).toBe(201);
      await ok(
        `mutation($m: ID!, $v: ID!) { createDeployment(input: { name: "dep-retrain", modelId: $m, routes: [{ versionId: $v, weight: 100 }] }) { id } }`,
        { m: ids.model, v: up.body.id },
      );
      await ok(
        `mutation($m: ID!) { setRetrainPolicy(modelId: $m, policy: { trigger: { minFeedbackRows: 100 }, deployment: "dep-retrain" }) { enabled } }`,
        { m: ids.model },
      );
      return ids.model!;
    },
  },
  {
    mutation: 'deleteRetrainPolicy',
    run: async () => {
      await ok(`mutation($m: ID!) { deleteRetrainPolicy(modelId: $m) }`, { m: ids.model });
      // So that deleteModel below finds the model without deployments.
      await ok(`mutation { deleteDeployment(name: "dep-retrain") }`);
      return ids.model!;
    },
  },
  {
    mutation: 'deleteDeployment',
    run: async () => {
      await ok(`mutation { deleteDeployment(name: "dep") }`);
      return ids.deployment!;
    },
  },
  {
    mutation: 'createDataset',
    run: async () => {
      const d = await ok(
        `mutation { createDataset(name: "ds", csv: "x,y\\n1,2\\n2,4\\n3,6\\n") { id } }`,
      );
      return (ids.dataset = d.createDataset.id);
    },
  },
  {
    mutation: 'startTrainingJob',
    run: async () => {
      const d = await ok(
        `mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id } }`,
        {
          i: {
            modelId: ids.model,
            datasetId: ids.dataset,
            algorithm: 'LINEAR_REGRESSION',
            target: 'y',
          },
        },
      );
      return (ids.job = d.startTrainingJob.id);
    },
  },
  {
    mutation: 'cancelTrainingJob',
    run: async () => {
      await ok(`mutation($id: ID!) { cancelTrainingJob(id: $id) { id } }`, { id: ids.job });
      return ids.job!;
    },
  },
  {
    mutation: 'retryTrainingJob',
    run: async () => {
      await ok(`mutation($id: ID!) { retryTrainingJob(id: $id) { id } }`, { id: ids.job });
      // Cancelled again, so the dataset can go.
      await ok(`mutation($id: ID!) { cancelTrainingJob(id: $id) { id } }`, { id: ids.job });
      return ids.job!;
    },
  },
  {
    mutation: 'startEvaluationJob',
    run: async () => {
      const up = await api.upload(
        'm',
        buildLinearModel({ weights: [[2]], bias: [0], tabular: { features: ['x'] } }),
      );
      expect(up.status).toBe(201);
      const d = await ok(
        `mutation($i: StartEvaluationJobInput!) { startEvaluationJob(input: $i) { id } }`,
        { i: { versionIds: [up.body.id], datasetId: ids.dataset, target: 'y' } },
      );
      return (ids.evaluation = d.startEvaluationJob.id);
    },
  },
  {
    mutation: 'cancelEvaluationJob',
    run: async () => {
      // Cancelled, so the dataset can go.
      await ok(`mutation($id: ID!) { cancelEvaluationJob(id: $id) { id } }`, {
        id: ids.evaluation,
      });
      return ids.evaluation!;
    },
  },
  {
    mutation: 'deleteDataset',
    run: async () => {
      await ok(`mutation($id: ID!) { deleteDataset(id: $id) }`, { id: ids.dataset });
      return ids.dataset!;
    },
  },
  {
    mutation: 'deleteModelVersion',
    run: async () => {
      await ok(`mutation($id: ID!) { deleteModelVersion(id: $id) }`, { id: ids.version });
      return ids.version!;
    },
  },
  {
    mutation: 'deleteModel',
    run: async () => {
      await ok(`mutation($id: ID!) { deleteModel(id: $id) }`, { id: ids.model });
      return ids.model!;
    },
  },
];

describe('audit completeness', () => {
  it('names every Mutation field of the schema in the registry and in a step here', async () => {
    const schema = await buildApiSchema();
    const fields = Object.keys(schema.getMutationType()?.getFields() ?? {}).sort();
    expect(fields.length).toBeGreaterThan(0);
    expect(fields.filter((f) => !(f in MUTATION_AUDIT_ACTIONS))).toEqual([]);
    expect(fields.filter((f) => !STEPS.some((s) => s.mutation === f))).toEqual([]);
    for (const { action } of Object.values(MUTATION_AUDIT_ACTIONS))
      expect(action).toMatch(/^[a-z][A-Za-z]*\.[a-z][A-Za-z]*$/);
  });

  it('performs every mutation through the API and finds its row in auditEvents', async () => {
    const rootId = (await ok(`{ viewer { apiKey { id } } }`)).viewer.apiKey.id as string;
    const expected: { mutation: string; action: string; targetId: string }[] = [];
    for (const step of STEPS) {
      const targetId = await step.run();
      expected.push({
        mutation: step.mutation,
        action: MUTATION_AUDIT_ACTIONS[step.mutation]!.action,
        targetId,
      });
    }
    const page = await ok(
      `query($f: AuditFilter) { auditEvents(filter: $f, first: 100) { totalCount edges { node {
         action targetType targetId outcome sourceAddress actor { id } workspace { name } } } } }`,
      { f: { outcome: 'ok' } },
    );
    const rows = page.auditEvents.edges.map((e: any) => e.node);
    for (const { mutation, action, targetId } of expected) {
      const row = rows.find((r: any) => r.action === action && r.targetId === targetId);
      expect(row, `${mutation} → ${action} on ${targetId}`).toBeDefined();
      expect(row.targetType).toBe(MUTATION_AUDIT_ACTIONS[mutation]!.targetType);
      expect(row.actor).toEqual({ id: rootId });
      expect(row.sourceAddress).toBe('127.0.0.1');
      // createWorkspace is recorded in the new workspace, the rest in the root key's own.
      expect(row.workspace.name).toBe(mutation === 'createWorkspace' ? 'audited' : 'default');
    }
    // The REST upload too.
    expect(rows.some((r: any) => r.action === 'version.upload' && r.targetId === ids.version)).toBe(
      true,
    );
  });
});
