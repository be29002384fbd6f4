/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
  '\n  fragment EvaluationJobFields on EvaluationJob {\n    id\n    status\n    target\n    error\n    createdAt\n    finishedAt\n    comparison\n    dataset {\n      id\n      name\n    }\n    versions {\n      id\n      version\n    }\n    results {\n      metrics\n      details\n      version {\n        id\n        version\n      }\n    }\n  }\n': typeof types.EvaluationJobFieldsFragmentDoc;
  '\n  query EvaluationJobs($modelId: ID!, $first: Int!) {\n    evaluationJobs(modelId: $modelId, first: $first) {\n      ...EvaluationJobFields\n    }\n  }\n': typeof types.EvaluationJobsDocument;
  '\n  query EvaluationDatasets {\n    datasets(first: 100) {\n      edges {\n        node {\n          id\n          name\n          columns {\n            name\n            type\n          }\n        }\n      }\n    }\n  }\n': typeof types.EvaluationDatasetsDocument;
  '\n  mutation StartEvaluationJob($input: StartEvaluationJobInput!) {\n    startEvaluationJob(input: $input) {\n      ...EvaluationJobFields\n    }\n  }\n': typeof types.StartEvaluationJobDocument;
  '\n  fragment LanguageModelInfoFields on LanguageModelInfo {\n    architecture\n    contextLength\n    vocabularySize\n    layers\n    keyValueHeads\n    headSize\n    hasChatTemplate\n    embeddingDimensions\n  }\n': typeof types.LanguageModelInfoFieldsFragmentDoc;
  '\n  query LanguageModelTargets {\n    deployments {\n      id\n      name\n      model {\n        id\n        name\n        task\n      }\n      routes {\n        weight\n        version {\n          id\n          version\n        }\n      }\n    }\n    textModels: models(first: 100, filter: { task: TEXT_GENERATION }) {\n      edges {\n        node {\n          id\n          name\n          task\n          latestVersion {\n            id\n            version\n          }\n        }\n      }\n    }\n    embeddingModels: models(first: 100, filter: { task: EMBEDDING }) {\n      edges {\n        node {\n          id\n          name\n          task\n          latestVersion {\n            id\n            version\n          }\n        }\n      }\n    }\n  }\n': typeof types.LanguageModelTargetsDocument;
  '\n  query LanguageModelVersions($name: String!) {\n    model(name: $name) {\n      id\n      aliases {\n        alias\n        version {\n          id\n          version\n        }\n      }\n      versions(first: 50) {\n        edges {\n          node {\n            id\n            version\n          }\n        }\n      }\n    }\n  }\n': typeof types.LanguageModelVersionsDocument;
  '\n  query LanguageModelVersionInfo($id: ID!) {\n    modelVersion(id: $id) {\n      id\n      version\n      model {\n        id\n        name\n      }\n      languageModel {\n        ...LanguageModelInfoFields\n      }\n    }\n  }\n': typeof types.LanguageModelVersionInfoDocument;
  '\n  query VersionBundle($id: ID!) {\n    modelVersion(id: $id) {\n      id\n      languageModel {\n        ...LanguageModelInfoFields\n      }\n      files {\n        path\n        sizeBytes\n        sha256\n      }\n    }\n  }\n': typeof types.VersionBundleDocument;
  '\n  subscription Generation($input: GenerateInput!) {\n    generation(input: $input) {\n      id\n      index\n      text\n      finishReason\n      usage {\n        promptTokens\n        completionTokens\n        totalTokens\n      }\n    }\n  }\n': typeof types.GenerationDocument;
  '\n  query Embed($input: EmbedInput!) {\n    embed(input: $input) {\n      vectors\n      dimensions\n      usage {\n        promptTokens\n        totalTokens\n      }\n      modelVersion {\n        id\n        version\n        model {\n          id\n          name\n        }\n      }\n    }\n  }\n': typeof types.EmbedDocument;
  '\n  fragment MonitoringAlertFields on MonitoringAlert {\n    id\n    at\n    kind\n    feature\n    message\n    value\n    threshold\n    resolvedAt\n  }\n': typeof types.MonitoringAlertFieldsFragmentDoc;
  '\n  query DeploymentMonitoring($name: String!, $windowSeconds: Int, $bucketSeconds: Int) {\n    deploymentMonitoring(\n      name: $name\n      windowSeconds: $windowSeconds\n      bucketSeconds: $bucketSeconds\n    ) {\n      windowSeconds\n      bucketSeconds\n      sampled\n      buckets {\n        start\n        version {\n          id\n          version\n        }\n        requests\n        errors\n        feedbackCount\n        onlineMetrics\n        inputDrift {\n          feature\n          psi\n        }\n        predictionDrift\n        driftSamples\n      }\n      alerts {\n        ...MonitoringAlertFields\n      }\n    }\n  }\n': typeof types.DeploymentMonitoringDocument;
  '\n  subscription MonitoringAlerts($deployment: String!) {\n    monitoringAlerts(deployment: $deployment) {\n      ...MonitoringAlertFields\n    }\n  }\n': typeof types.MonitoringAlertsDocument;
  '\n  fragment PromotionFields on Promotion {\n    id\n    status\n    reason\n    forced\n    createdAt\n    updatedAt\n    candidate {\n      id\n      version\n    }\n    champion {\n      id\n      version\n    }\n    steps {\n      weight\n      minRequests\n      minSeconds\n      startedAt\n      endedAt\n      requests\n      errors\n      errorRate\n      p99LatencyMs\n      outcome\n    }\n  }\n': typeof types.PromotionFieldsFragmentDoc;
  '\n  query DeploymentPromotions($deployment: String!) {\n    promotions(deployment: $deployment) {\n      ...PromotionFields\n    }\n  }\n': typeof types.DeploymentPromotionsDocument;
  '\n  subscription PromotionUpdated($id: ID!) {\n    promotionUpdated(id: $id) {\n      ...PromotionFields\n    }\n  }\n': typeof types.PromotionUpdatedDocument;
  '\n  mutation Promote($input: PromoteInput!) {\n    promote(input: $input) {\n      ...PromotionFields\n    }\n  }\n': typeof types.PromoteDocument;
  '\n  mutation ApprovePromotion($id: ID!) {\n    approvePromotion(id: $id) {\n      ...PromotionFields\n    }\n  }\n': typeof types.ApprovePromotionDocument;
  '\n  mutation CancelPromotion($id: ID!) {\n    cancelPromotion(id: $id) {\n      ...PromotionFields\n    }\n  }\n': typeof types.CancelPromotionDocument;
  '\n  query Viewer {\n    viewer {\n      role\n      isRoot\n      apiKey {\n        id\n        name\n        role\n      }\n      workspace {\n        id\n        name\n      }\n    }\n  }\n': typeof types.ViewerDocument;
  '\n  fragment ModelListFields on Model {\n    id\n    name\n    description\n    task\n    tags\n    createdAt\n    updatedAt\n    latestVersion {\n      id\n      version\n      source\n      createdAt\n    }\n    aliases {\n      alias\n      version {\n        id\n        version\n      }\n    }\n  }\n': typeof types.ModelListFieldsFragmentDoc;
  '\n  query Models($first: Int!, $after: String, $filter: ModelFilter) {\n    models(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...ModelListFields\n        }\n      }\n    }\n  }\n': typeof types.ModelsDocument;
  '\n  fragment TensorSpecFields on TensorSpec {\n    name\n    datatype\n    shape\n  }\n': typeof types.TensorSpecFieldsFragmentDoc;
  '\n  fragment VersionFields on ModelVersion {\n    id\n    version\n    source\n    sizeBytes\n    sha256\n    metrics\n    hyperparameters\n    featureImportance {\n      feature\n      importance\n    }\n    createdAt\n    signature {\n      inputs {\n        ...TensorSpecFields\n      }\n      outputs {\n        ...TensorSpecFields\n      }\n      features\n      labels\n      categories\n    }\n    parentVersion {\n      id\n      version\n    }\n  }\n': typeof types.VersionFieldsFragmentDoc;
  '\n  query ModelDetail($name: String!, $first: Int!, $after: String) {\n    model(name: $name) {\n      id\n      name\n      description\n      task\n      tags\n      createdAt\n      updatedAt\n      aliases {\n        alias\n        version {\n          id\n          version\n        }\n      }\n      versions(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            ...VersionFields\n          }\n        }\n      }\n    }\n  }\n': typeof types.ModelDetailDocument;
  '\n  mutation CreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      ...ModelListFields\n    }\n  }\n': typeof types.CreateModelDocument;
  '\n  mutation UpdateModel($id: ID!, $input: UpdateModelInput!) {\n    updateModel(id: $id, input: $input) {\n      id\n      description\n      task\n      tags\n      updatedAt\n    }\n  }\n': typeof types.UpdateModelDocument;
  '\n  mutation DeleteModel($id: ID!) {\n    deleteModel(id: $id)\n  }\n': typeof types.DeleteModelDocument;
  '\n  mutation SetModelAlias($modelId: ID!, $alias: String!, $version: Int!) {\n    setModelAlias(modelId: $modelId, alias: $alias, version: $version) {\n      alias\n      version {\n        id\n        version\n      }\n    }\n  }\n': typeof types.SetModelAliasDocument;
  '\n  mutation DeleteModelAlias($modelId: ID!, $alias: String!) {\n    deleteModelAlias(modelId: $modelId, alias: $alias)\n  }\n': typeof types.DeleteModelAliasDocument;
  '\n  mutation DeleteModelVersion($id: ID!) {\n    deleteModelVersion(id: $id)\n  }\n': typeof types.DeleteModelVersionDocument;
  '\n  query ApiKeys {\n    apiKeys {\n      id\n      name\n      role\n      createdAt\n      lastUsedAt\n      revokedAt\n      workspace {\n        id\n        name\n      }\n    }\n  }\n': typeof types.ApiKeysDocument;
  '\n  query Workspaces {\n    workspaces {\n      id\n      name\n      createdAt\n    }\n  }\n': typeof types.WorkspacesDocument;
  '\n  mutation CreateApiKey($name: String!, $role: Role!, $workspaceId: ID) {\n    createApiKey(name: $name, role: $role, workspaceId: $workspaceId) {\n      secret\n      apiKey {\n        id\n        name\n        role\n        createdAt\n        lastUsedAt\n        revokedAt\n        workspace {\n          id\n          name\n        }\n      }\n    }\n  }\n': typeof types.CreateApiKeyDocument;
  '\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n': typeof types.RevokeApiKeyDocument;
  '\n  mutation CreateWorkspace($name: String!) {\n    createWorkspace(name: $name) {\n      id\n      name\n      createdAt\n    }\n  }\n': typeof types.CreateWorkspaceDocument;
  '\n  query DashboardRegistry {\n    models(first: 50) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          task\n          latestVersion {\n            id\n            version\n            source\n            sizeBytes\n            createdAt\n          }\n          aliases {\n            alias\n            version {\n              id\n              version\n            }\n          }\n        }\n      }\n    }\n  }\n': typeof types.DashboardRegistryDocument;
  '\n  query ModelVersionNumbers($name: String!) {\n    model(name: $name) {\n      id\n      versions(first: 50) {\n        edges {\n          node {\n            id\n            version\n          }\n        }\n      }\n    }\n  }\n': typeof types.ModelVersionNumbersDocument;
  '\n  fragment DeploymentFields on Deployment {\n    id\n    name\n    createdAt\n    updatedAt\n    model {\n      id\n      name\n    }\n    routes {\n      weight\n      version {\n        id\n        version\n      }\n    }\n  }\n': typeof types.DeploymentFieldsFragmentDoc;
  '\n  query Deployments {\n    deployments {\n      ...DeploymentFields\n    }\n  }\n': typeof types.DeploymentsDocument;
  '\n  query DeploymentDetail($name: String!) {\n    deployment(name: $name) {\n      ...DeploymentFields\n      model {\n        id\n        name\n        aliases {\n          alias\n          version {\n            id\n            version\n          }\n        }\n        versions(first: 50) {\n          edges {\n            node {\n              id\n              version\n              source\n              createdAt\n              metrics\n            }\n          }\n        }\n      }\n    }\n  }\n': typeof types.DeploymentDetailDocument;
  '\n  fragment DeploymentStatsFields on DeploymentStats {\n    windowSeconds\n    requests\n    errors\n    requestsPerSecond\n    p50Ms\n    p99Ms\n    byVersion\n    at\n  }\n': typeof types.DeploymentStatsFieldsFragmentDoc;
  '\n  query DeploymentStats($name: String!, $windowSeconds: Int) {\n    deploymentStats(name: $name, windowSeconds: $windowSeconds) {\n      ...DeploymentStatsFields\n    }\n  }\n': typeof types.DeploymentStatsDocument;
  '\n  subscription DeploymentStatsUpdated($name: String!, $windowSeconds: Int) {\n    deploymentStatsUpdated(name: $name, windowSeconds: $windowSeconds) {\n      ...DeploymentStatsFields\n      deployment {\n        id\n        name\n      }\n    }\n  }\n': typeof types.DeploymentStatsUpdatedDocument;
  '\n  mutation CreateDeployment($input: CreateDeploymentInput!) {\n    createDeployment(input: $input) {\n      ...DeploymentFields\n    }\n  }\n': typeof types.CreateDeploymentDocument;
  '\n  mutation UpdateDeploymentRoutes($name: String!, $routes: [RouteInput!]!) {\n    updateDeploymentRoutes(name: $name, routes: $routes) {\n      ...DeploymentFields\n    }\n  }\n': typeof types.UpdateDeploymentRoutesDocument;
  '\n  mutation DeleteDeployment($name: String!) {\n    deleteDeployment(name: $name)\n  }\n': typeof types.DeleteDeploymentDocument;
  '\n  query DeploymentModels {\n    models(first: 100) {\n      edges {\n        node {\n          id\n          name\n          latestVersion {\n            id\n            version\n          }\n        }\n      }\n    }\n  }\n': typeof types.DeploymentModelsDocument;
  '\n  query InferenceStatus {\n    inferenceStatus {\n      executionProvider\n      workers\n      loadedVersions\n      loadedBytes\n    }\n  }\n': typeof types.InferenceStatusDocument;
  '\n  query PlaygroundTargets {\n    deployments {\n      id\n      name\n      model {\n        id\n        name\n      }\n      routes {\n        weight\n        version {\n          id\n          version\n        }\n      }\n    }\n    models(first: 100) {\n      edges {\n        node {\n          id\n          name\n          task\n          aliases {\n            alias\n            version {\n              id\n              version\n            }\n          }\n          latestVersion {\n            id\n            version\n          }\n        }\n      }\n    }\n  }\n': typeof types.PlaygroundTargetsDocument;
  '\n  query PlaygroundSignature($id: ID!) {\n    modelVersion(id: $id) {\n      id\n      version\n      model {\n        id\n        name\n        task\n      }\n      signature {\n        inputs {\n          ...TensorSpecFields\n        }\n        outputs {\n          ...TensorSpecFields\n        }\n        features\n        labels\n        categories\n      }\n    }\n  }\n': typeof types.PlaygroundSignatureDocument;
  '\n  query Predict($input: PredictInput!) {\n    predict(input: $input) {\n      id\n      latencyMs\n      outputs\n      explanation {\n        method\n        output\n        records {\n          baseline\n          contributions {\n            feature\n            value\n            contribution\n          }\n        }\n      }\n      modelVersion {\n        id\n        version\n        model {\n          id\n          name\n        }\n      }\n    }\n  }\n': typeof types.PredictDocument;
  '\n  query DashboardServing {\n    deployments {\n      ...DeploymentFields\n    }\n    inferenceStatus {\n      executionProvider\n      workers\n      loadedVersions\n      loadedBytes\n    }\n  }\n': typeof types.DashboardServingDocument;
  '\n  fragment QuotaFields on Quota {\n    maxModels\n    maxVersionsPerModel\n    maxStorageBytes\n    maxDatasetBytes\n    maxConcurrentJobs\n    maxQueuedJobs\n    maxPredictionsPerDay\n    maxTokensPerDay\n    requestsPerSecond\n  }\n': typeof types.QuotaFieldsFragmentDoc;
  '\n  fragment WorkspaceUsageFields on WorkspaceUsage {\n    models\n    storageBytes\n    datasetBytes\n    runningJobs\n    queuedJobs\n    predictionsToday\n    tokensToday\n  }\n': typeof types.WorkspaceUsageFieldsFragmentDoc;
  '\n  query WorkspaceQuota {\n    viewer {\n      workspace {\n        id\n        name\n        quota {\n          ...QuotaFields\n        }\n        usage {\n          ...WorkspaceUsageFields\n        }\n      }\n    }\n  }\n': typeof types.WorkspaceQuotaDocument;
  '\n  query UsageSeries(\n    $from: DateTime!\n    $to: DateTime!\n    $granularity: UsageGranularity\n    $groupBy: [UsageDimension!]\n  ) {\n    usage(from: $from, to: $to, granularity: $granularity, groupBy: $groupBy) {\n      start\n      apiKey {\n        id\n        name\n      }\n      model {\n        id\n        name\n      }\n      deployment {\n        id\n        name\n      }\n      requests\n      predictionRows\n      promptTokens\n      completionTokens\n      trainingSeconds\n    }\n  }\n': typeof types.UsageSeriesDocument;
  '\n  query AuditEvents($filter: AuditFilter, $first: Int, $after: String) {\n    auditEvents(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          at\n          workspace {\n            id\n            name\n          }\n          actor {\n            id\n            name\n            role\n          }\n          sourceAddress\n          action\n          targetType\n          targetId\n          outcome\n          details\n        }\n      }\n    }\n  }\n': typeof types.AuditEventsDocument;
  '\n  query WorkspacesUsage {\n    workspaces {\n      id\n      name\n      createdAt\n      quota {\n        ...QuotaFields\n      }\n      usage {\n        ...WorkspaceUsageFields\n      }\n    }\n  }\n': typeof types.WorkspacesUsageDocument;
  '\n  mutation SetWorkspaceQuota($workspaceId: ID!, $quota: QuotaInput!) {\n    setWorkspaceQuota(workspaceId: $workspaceId, quota: $quota) {\n      id\n      name\n      quota {\n        ...QuotaFields\n      }\n      usage {\n        ...WorkspaceUsageFields\n      }\n    }\n  }\n': typeof types.SetWorkspaceQuotaDocument;
  '\n  query ModelTimeline($id: ID!, $first: Int) {\n    model(id: $id) {\n      id\n      retrainPolicy {\n        trigger\n        enabled\n        lastTriggeredAt\n        deployment {\n          name\n        }\n      }\n      timeline(first: $first) {\n        at\n        kind\n        message\n        version {\n          id\n          version\n        }\n        trainingJob {\n          id\n        }\n        evaluation {\n          id\n        }\n        promotion {\n          id\n          status\n        }\n      }\n    }\n  }\n': typeof types.ModelTimelineDocument;
  '\n  query Datasets($first: Int!, $after: String) {\n    datasets(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          rowCount\n          sizeBytes\n          createdAt\n          columns {\n            name\n            type\n          }\n        }\n      }\n    }\n  }\n': typeof types.DatasetsDocument;
  '\n  query DatasetDetail($id: ID!, $previewRows: Int!) {\n    dataset(id: $id) {\n      id\n      name\n      rowCount\n      sizeBytes\n      createdAt\n      deletedAt\n      columns {\n        name\n        type\n        nullCount\n        min\n        max\n        mean\n        distinct\n      }\n      preview(limit: $previewRows)\n    }\n  }\n': typeof types.DatasetDetailDocument;
  '\n  mutation CreateDataset($name: String!, $csv: String!) {\n    createDataset(name: $name, csv: $csv) {\n      id\n      name\n      rowCount\n    }\n  }\n': typeof types.CreateDatasetDocument;
  '\n  mutation DeleteDataset($id: ID!) {\n    deleteDataset(id: $id)\n  }\n': typeof types.DeleteDatasetDocument;
  '\n  fragment JobListFields on TrainingJob {\n    id\n    status\n    algorithm\n    target\n    epoch\n    epochs\n    progress\n    attempts\n    error\n    createdAt\n    startedAt\n    finishedAt\n    model {\n      id\n      name\n    }\n    dataset {\n      id\n      name\n    }\n    resultVersion {\n      id\n      version\n    }\n  }\n': typeof types.JobListFieldsFragmentDoc;
  '\n  query TrainingJobs($first: Int!, $after: String, $status: JobStatus, $modelId: ID) {\n    trainingJobs(first: $first, after: $after, status: $status, modelId: $modelId) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...JobListFields\n        }\n      }\n    }\n  }\n': typeof types.TrainingJobsDocument;
  '\n  subscription TrainingJobsUpdated {\n    trainingJobsUpdated {\n      ...JobListFields\n    }\n  }\n': typeof types.TrainingJobsUpdatedDocument;
  '\n  fragment JobDetailFields on TrainingJob {\n    ...JobListFields\n    features\n    hyperparameters\n    seq\n    warmStartVersion {\n      id\n      version\n    }\n  }\n': typeof types.JobDetailFieldsFragmentDoc;
  '\n  fragment EpochFields on EpochMetrics {\n    epoch\n    loss\n    validationLoss\n    metrics\n    at\n  }\n': typeof types.EpochFieldsFragmentDoc;
  '\n  query TrainingJobDetail($id: ID!) {\n    trainingJob(id: $id) {\n      ...JobDetailFields\n      history {\n        ...EpochFields\n      }\n    }\n  }\n': typeof types.TrainingJobDetailDocument;
  '\n  query TrainingJobHistory($id: ID!, $afterEpoch: Int) {\n    trainingJob(id: $id) {\n      id\n      history(afterEpoch: $afterEpoch) {\n        ...EpochFields\n      }\n    }\n  }\n': typeof types.TrainingJobHistoryDocument;
  '\n  subscription TrainingJobUpdated($id: ID!) {\n    trainingJobUpdated(id: $id) {\n      ...JobDetailFields\n    }\n  }\n': typeof types.TrainingJobUpdatedDocument;
  '\n  mutation CancelTrainingJob($id: ID!) {\n    cancelTrainingJob(id: $id) {\n      ...JobDetailFields\n    }\n  }\n': typeof types.CancelTrainingJobDocument;
  '\n  mutation RetryTrainingJob($id: ID!) {\n    retryTrainingJob(id: $id) {\n      ...JobDetailFields\n    }\n  }\n': typeof types.RetryTrainingJobDocument;
  '\n  query NewJobOptions {\n    models(first: 100) {\n      edges {\n        node {\n          id\n          name\n          task\n        }\n      }\n    }\n    datasets(first: 100) {\n      edges {\n        node {\n          id\n          name\n          rowCount\n          columns {\n            name\n            type\n          }\n        }\n      }\n    }\n    algorithms {\n      algorithm\n      tasks\n      description\n      hyperparameters {\n        name\n        type\n        default\n        description\n        min\n        max\n        values\n      }\n    }\n  }\n': typeof types.NewJobOptionsDocument;
  '\n  query WarmStartVersions($name: String!) {\n    model(name: $name) {\n      id\n      versions(first: 50) {\n        edges {\n          node {\n            id\n            version\n            source\n            trainingJob {\n              id\n              algorithm\n              target\n              features\n            }\n          }\n        }\n      }\n    }\n  }\n': typeof types.WarmStartVersionsDocument;
  '\n  mutation StartTrainingJob($input: StartTrainingJobInput!) {\n    startTrainingJob(input: $input) {\n      id\n      status\n    }\n  }\n': typeof types.StartTrainingJobDocument;
  '\n  query VersionLineage($id: ID!) {\n    modelVersion(id: $id) {\n      id\n      trainingJob {\n        id\n        status\n        algorithm\n        target\n        dataset {\n          id\n          name\n          deletedAt\n        }\n      }\n    }\n  }\n': typeof types.VersionLineageDocument;
  '\n  query DashboardTraining {\n    datasets(first: 1) {\n      totalCount\n    }\n    running: trainingJobs(first: 10, status: RUNNING) {\n      totalCount\n      edges {\n        node {\n          ...JobListFields\n        }\n      }\n    }\n    queued: trainingJobs(first: 1, status: QUEUED) {\n      totalCount\n    }\n  }\n': typeof types.DashboardTrainingDocument;
};
const documents: Documents = {
  '\n  fragment EvaluationJobFields on EvaluationJob {\n    id\n    status\n    target\n    error\n    createdAt\n    finishedAt\n    comparison\n    dataset {\n      id\n      name\n    }\n    versions {\n      id\n      version\n    }\n    results {\n      metrics\n      details\n      version {\n        id\n        version\n      }\n    }\n  }\n':
    types.EvaluationJobFieldsFragmentDoc,
  '\n  query EvaluationJobs($modelId: ID!, $first: Int!) {\n    evaluationJobs(modelId: $modelId, first: $first) {\n      ...EvaluationJobFields\n    }\n  }\n':
    types.EvaluationJobsDocument,
  '\n  query EvaluationDatasets {\n    datasets(first: 100) {\n      edges {\n        node {\n          id\n          name\n          columns {\n            name\n            type\n          }\n        }\n      }\n    }\n  }\n':
    types.EvaluationDatasetsDocument,
  '\n  mutation StartEvaluationJob($input: StartEvaluationJobInput!) {\n    startEvaluationJob(input: $input) {\n      ...EvaluationJobFields\n    }\n  }\n':
    types.StartEvaluationJobDocument,
  '\n  fragment LanguageModelInfoFields on LanguageModelInfo {\n    architecture\n    contextLength\n    vocabularySize\n    layers\n    keyValueHeads\n    headSize\n    hasChatTemplate\n    embeddingDimensions\n  }\n':
    types.LanguageModelInfoFieldsFragmentDoc,
  '\n  query LanguageModelTargets {\n    deployments {\n      id\n      name\n      model {\n        id\n        name\n        task\n      }\n      routes {\n        weight\n        version {\n          id\n          version\n        }\n      }\n    }\n    textModels: models(first: 100, filter: { task: TEXT_GENERATION }) {\n      edges {\n        node {\n          id\n          name\n          task\n          latestVersion {\n            id\n            version\n          }\n        }\n      }\n    }\n    embeddingModels: models(first: 100, filter: { task: EMBEDDING }) {\n      edges {\n        node {\n          id\n          name\n          task\n          latestVersion {\n            id\n            version\n          }\n        }\n      }\n    }\n  }\n':
    types.LanguageModelTargetsDocument,
  '\n  query LanguageModelVersions($name: String!) {\n    model(name: $name) {\n      id\n      aliases {\n        alias\n        version {\n          id\n          version\n        }\n      }\n      versions(first: 50) {\n        edges {\n          node {\n            id\n            version\n          }\n        }\n      }\n    }\n  }\n':
    types.LanguageModelVersionsDocument,
  '\n  query LanguageModelVersionInfo($id: ID!) {\n    modelVersion(id: $id) {\n      id\n      version\n      model {\n        id\n        name\n      }\n      languageModel {\n        ...LanguageModelInfoFields\n      }\n    }\n  }\n':
    types.LanguageModelVersionInfoDocument,
  '\n  query VersionBundle($id: ID!) {\n    modelVersion(id: $id) {\n      id\n      languageModel {\n        ...LanguageModelInfoFields\n      }\n      files {\n        path\n        sizeBytes\n        sha256\n      }\n    }\n  }\n':
    types.VersionBundleDocument,
  '\n  subscription Generation($input: GenerateInput!) {\n    generation(input: $input) {\n      id\n      index\n      text\n      finishReason\n      usage {\n        promptTokens\n        completionTokens\n        totalTokens\n      }\n    }\n  }\n':
    types.GenerationDocument,
  '\n  query Embed($input: EmbedInput!) {\n    embed(input: $input) {\n      vectors\n      dimensions\n      usage {\n        promptTokens\n        totalTokens\n      }\n      modelVersion {\n        id\n        version\n        model {\n          id\n          name\n        }\n      }\n    }\n  }\n':
    types.EmbedDocument,
  '\n  fragment MonitoringAlertFields on MonitoringAlert {\n    id\n    at\n    kind\n    feature\n    message\n    value\n    threshold\n    resolvedAt\n  }\n':
    types.MonitoringAlertFieldsFragmentDoc,
  '\n  query DeploymentMonitoring($name: String!, $windowSeconds: Int, $bucketSeconds: Int) {\n    deploymentMonitoring(\n      name: $name\n      windowSeconds: $windowSeconds\n      bucketSeconds: $bucketSeconds\n    ) {\n      windowSeconds\n      bucketSeconds\n      sampled\n      buckets {\n        start\n        version {\n          id\n          version\n        }\n        requests\n        errors\n        feedbackCount\n        onlineMetrics\n        inputDrift {\n          feature\n          psi\n        }\n        predictionDrift\n        driftSamples\n      }\n      alerts {\n        ...MonitoringAlertFields\n      }\n    }\n  }\n':
    types.DeploymentMonitoringDocument,
  '\n  subscription MonitoringAlerts($deployment: String!) {\n    monitoringAlerts(deployment: $deployment) {\n      ...MonitoringAlertFields\n    }\n  }\n':
    types.MonitoringAlertsDocument,
  '\n  fragment PromotionFields on Promotion {\n    id\n    status\n    reason\n    forced\n    createdAt\n    updatedAt\n    candidate {\n      id\n      version\n    }\n    champion {\n      id\n      version\n    }\n    steps {\n      weight\n      minRequests\n      minSeconds\n      startedAt\n      endedAt\n      requests\n      errors\n      errorRate\n      p99LatencyMs\n      outcome\n    }\n  }\n':
    types.PromotionFieldsFragmentDoc,
  '\n  query DeploymentPromotions($deployment: String!) {\n    promotions(deployment: $deployment) {\n      ...PromotionFields\n    }\n  }\n':
    types.DeploymentPromotionsDocument,
  '\n  subscription PromotionUpdated($id: ID!) {\n    promotionUpdated(id: $id) {\n      ...PromotionFields\n    }\n  }\n':
    types.PromotionUpdatedDocument,
  '\n  mutation Promote($input: PromoteInput!) {\n    promote(input: $input) {\n      ...PromotionFields\n    }\n  }\n':
    types.PromoteDocument,
  '\n  mutation ApprovePromotion($id: ID!) {\n    approvePromotion(id: $id) {\n      ...PromotionFields\n    }\n  }\n':
    types.ApprovePromotionDocument,
  '\n  mutation CancelPromotion($id: ID!) {\n    cancelPromotion(id: $id) {\n      ...PromotionFields\n    }\n  }\n':
    types.CancelPromotionDocument,
  '\n  query Viewer {\n    viewer {\n      role\n      isRoot\n      apiKey {\n        id\n        name\n        role\n      }\n      workspace {\n        id\n        name\n      }\n    }\n  }\n':
    types.ViewerDocument,
  '\n  fragment ModelListFields on Model {\n    id\n    name\n    description\n    task\n    tags\n    createdAt\n    updatedAt\n    latestVersion {\n      id\n      version\n      source\n      createdAt\n    }\n    aliases {\n      alias\n      version {\n        id\n        version\n      }\n    }\n  }\n':
    types.ModelListFieldsFragmentDoc,
  '\n  query Models($first: Int!, $after: String, $filter: ModelFilter) {\n    models(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...ModelListFields\n        }\n      }\n    }\n  }\n':
    types.ModelsDocument,
  '\n  fragment TensorSpecFields on TensorSpec {\n    name\n    datatype\n    shape\n  }\n':
    types.TensorSpecFieldsFragmentDoc,
  '\n  fragment VersionFields on ModelVersion {\n    id\n    version\n    source\n    sizeBytes\n    sha256\n    metrics\n    hyperparameters\n    featureImportance {\n      feature\n      importance\n    }\n    createdAt\n    signature {\n      inputs {\n        ...TensorSpecFields\n      }\n      outputs {\n        ...TensorSpecFields\n      }\n      features\n      labels\n      categories\n    }\n    parentVersion {\n      id\n      version\n    }\n  }\n':
    types.VersionFieldsFragmentDoc,
  '\n  query ModelDetail($name: String!, $first: Int!, $after: String) {\n    model(name: $name) {\n      id\n      name\n      description\n      task\n      tags\n      createdAt\n      updatedAt\n      aliases {\n        alias\n        version {\n          id\n          version\n        }\n      }\n      versions(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            ...VersionFields\n          }\n        }\n      }\n    }\n  }\n':
    types.ModelDetailDocument,
  '\n  mutation CreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      ...ModelListFields\n    }\n  }\n':
    types.CreateModelDocument,
  '\n  mutation UpdateModel($id: ID!, $input: UpdateModelInput!) {\n    updateModel(id: $id, input: $input) {\n      id\n      description\n      task\n      tags\n      updatedAt\n    }\n  }\n':
    types.UpdateModelDocument,
  '\n  mutation DeleteModel($id: ID!) {\n    deleteModel(id: $id)\n  }\n':
    types.DeleteModelDocument,
  '\n  mutation SetModelAlias($modelId: ID!, $alias: String!, $version: Int!) {\n    setModelAlias(modelId: $modelId, alias: $alias, version: $version) {\n      alias\n      version {\n        id\n        version\n      }\n    }\n  }\n':
    types.SetModelAliasDocument,
  '\n  mutation DeleteModelAlias($modelId: ID!, $alias: String!) {\n    deleteModelAlias(modelId: $modelId, alias: $alias)\n  }\n':
    types.DeleteModelAliasDocument,
  '\n  mutation DeleteModelVersion($id: ID!) {\n    deleteModelVersion(id: $id)\n  }\n':
    types.DeleteModelVersionDocument,
  '\n  query ApiKeys {\n    apiKeys {\n      id\n      name\n      role\n      createdAt\n      lastUsedAt\n      revokedAt\n      workspace {\n        id\n        name\n      }\n    }\n  }\n':
    types.ApiKeysDocument,
  '\n  query Workspaces {\n    workspaces {\n      id\n      name\n      createdAt\n    }\n  }\n':
    types.WorkspacesDocument,
  '\n  mutation CreateApiKey($name: String!, $role: Role!, $workspaceId: ID) {\n    createApiKey(name: $name, role: $role, workspaceId: $workspaceId) {\n      secret\n      apiKey {\n        id\n        name\n        role\n        createdAt\n        lastUsedAt\n        revokedAt\n        workspace {\n          id\n          name\n        }\n      }\n    }\n  }\n':
    types.CreateApiKeyDocument,
  '\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n':
    types.RevokeApiKeyDocument,
  '\n  mutation CreateWorkspace($name: String!) {\n    createWorkspace(name: $name) {\n      id\n      name\n      createdAt\n    }\n  }\n':
    types.CreateWorkspaceDocument,
  '\n  query DashboardRegistry {\n    models(first: 50) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          task\n          latestVersion {\n            id\n            version\n            source\n            sizeBytes\n            createdAt\n          }\n          aliases {\n            alias\n            version {\n              id\n              version\n            }\n          }\n        }\n      }\n    }\n  }\n':
    types.DashboardRegistryDocument,
  '\n  query ModelVersionNumbers($name: String!) {\n    model(name: $name) {\n      id\n      versions(first: 50) {\n        edges {\n          node {\n            id\n            version\n          }\n        }\n      }\n    }\n  }\n':
    types.ModelVersionNumbersDocument,
  '\n  fragment DeploymentFields on Deployment {\n    id\n    name\n    createdAt\n    updatedAt\n    model {\n      id\n      name\n    }\n    routes {\n      weight\n      version {\n        id\n        version\n      }\n    }\n  }\n':
    types.DeploymentFieldsFragmentDoc,
  '\n  query Deployments {\n    deployments {\n      ...DeploymentFields\n    }\n  }\n':
    types.DeploymentsDocument,
  '\n  query DeploymentDetail($name: String!) {\n    deployment(name: $name) {\n      ...DeploymentFields\n      model {\n        id\n        name\n        aliases {\n          alias\n          version {\n            id\n            version\n          }\n        }\n        versions(first: 50) {\n          edges {\n            node {\n              id\n              version\n              source\n              createdAt\n              metrics\n            }\n          }\n        }\n      }\n    }\n  }\n':
    types.DeploymentDetailDocument,
  '\n  fragment DeploymentStatsFields on DeploymentStats {\n    windowSeconds\n    requests\n    errors\n    requestsPerSecond\n    p50Ms\n    p99Ms\n    byVersion\n    at\n  }\n':
    types.DeploymentStatsFieldsFragmentDoc,
  '\n  query DeploymentStats($name: String!, $windowSeconds: Int) {\n    deploymentStats(name: $name, windowSeconds: $windowSeconds) {\n      ...DeploymentStatsFields\n    }\n  }\n':
    types.DeploymentStatsDocument,
  '\n  subscription DeploymentStatsUpdated($name: String!, $windowSeconds: Int) {\n    deploymentStatsUpdated(name: $name, windowSeconds: $windowSeconds) {\n      ...DeploymentStatsFields\n      deployment {\n        id\n        name\n      }\n    }\n  }\n':
    types.DeploymentStatsUpdatedDocument,
  '\n  mutation CreateDeployment($input: CreateDeploymentInput!) {\n    createDeployment(input: $input) {\n      ...DeploymentFields\n    }\n  }\n':
    types.CreateDeploymentDocument,
  '\n  mutation UpdateDeploymentRoutes($name: String!, $routes: [RouteInput!]!) {\n    updateDeploymentRoutes(name: $name, routes: $routes) {\n      ...DeploymentFields\n    }\n  }\n':
    types.UpdateDeploymentRoutesDocument,
  '\n  mutation DeleteDeployment($name: String!) {\n    deleteDeployment(name: $name)\n  }\n':
    types.DeleteDeploymentDocument,
  '\n  query DeploymentModels {\n    models(first: 100) {\n      edges {\n        node {\n          id\n          name\n          latestVersion {\n            id\n            version\n          }\n        }\n      }\n    }\n  }\n':
    types.DeploymentModelsDocument,
  '\n  query InferenceStatus {\n    inferenceStatus {\n      executionProvider\n      workers\n      loadedVersions\n      loadedBytes\n    }\n  }\n':
    types.InferenceStatusDocument,
  '\n  query PlaygroundTargets {\n    deployments {\n      id\n      name\n      model {\n        id\n        name\n      }\n      routes {\n        weight\n        version {\n          id\n          version\n        }\n      }\n    }\n    models(first: 100) {\n      edges {\n        node {\n          id\n          name\n          task\n          aliases {\n            alias\n            version {\n              id\n              version\n            }\n          }\n          latestVersion {\n            id\n            version\n          }\n        }\n      }\n    }\n  }\n':
    types.PlaygroundTargetsDocument,
  '\n  query PlaygroundSignature($id: ID!) {\n    modelVersion(id: $id) {\n      id\n      version\n      model {\n        id\n        name\n        task\n      }\n      signature {\n        inputs {\n          ...TensorSpecFields\n        }\n        outputs {\n          ...TensorSpecFields\n        }\n        features\n        labels\n        categories\n      }\n    }\n  }\n':
    types.PlaygroundSignatureDocument,
  '\n  query Predict($input: PredictInput!) {\n    predict(input: $input) {\n      id\n      latencyMs\n      outputs\n      explanation {\n        method\n        output\n        records {\n          baseline\n          contributions {\n            feature\n            value\n            contribution\n          }\n        }\n      }\n      modelVersion {\n        id\n        version\n        model {\n          id\n          name\n        }\n      }\n    }\n  }\n':
    types.PredictDocument,
  '\n  query DashboardServing {\n    deployments {\n      ...DeploymentFields\n    }\n    inferenceStatus {\n      executionProvider\n      workers\n      loadedVersions\n      loadedBytes\n    }\n  }\n':
    types.DashboardServingDocument,
  '\n  fragment QuotaFields on Quota {\n    maxModels\n    maxVersionsPerModel\n    maxStorageBytes\n    maxDatasetBytes\n    maxConcurrentJobs\n    maxQueuedJobs\n    maxPredictionsPerDay\n    maxTokensPerDay\n    requestsPerSecond\n  }\n':
    types.QuotaFieldsFragmentDoc,
  '\n  fragment WorkspaceUsageFields on WorkspaceUsage {\n    models\n    storageBytes\n    datasetBytes\n    runningJobs\n    queuedJobs\n    predictionsToday\n    tokensToday\n  }\n':
    types.WorkspaceUsageFieldsFragmentDoc,
  '\n  query WorkspaceQuota {\n    viewer {\n      workspace {\n        id\n        name\n        quota {\n          ...QuotaFields\n        }\n        usage {\n          ...WorkspaceUsageFields\n        }\n      }\n    }\n  }\n':
    types.WorkspaceQuotaDocument,
  '\n  query UsageSeries(\n    $from: DateTime!\n    $to: DateTime!\n    $granularity: UsageGranularity\n    $groupBy: [UsageDimension!]\n  ) {\n    usage(from: $from, to: $to, granularity: $granularity, groupBy: $groupBy) {\n      start\n      apiKey {\n        id\n        name\n      }\n      model {\n        id\n        name\n      }\n      deployment {\n        id\n        name\n      }\n      requests\n      predictionRows\n      promptTokens\n      completionTokens\n      trainingSeconds\n    }\n  }\n':
    types.UsageSeriesDocument,
  '\n  query AuditEvents($filter: AuditFilter, $first: Int, $after: String) {\n    auditEvents(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          at\n          workspace {\n            id\n            name\n          }\n          actor {\n            id\n            name\n            role\n          }\n          sourceAddress\n          action\n          targetType\n          targetId\n          outcome\n          details\n        }\n      }\n    }\n  }\n':
    types.AuditEventsDocument,
  '\n  query WorkspacesUsage {\n    workspaces {\n      id\n      name\n      createdAt\n      quota {\n        ...QuotaFields\n      }\n      usage {\n        ...WorkspaceUsageFields\n      }\n    }\n  }\n':
    types.WorkspacesUsageDocument,
  '\n  mutation SetWorkspaceQuota($workspaceId: ID!, $quota: QuotaInput!) {\n    setWorkspaceQuota(workspaceId: $workspaceId, quota: $quota) {\n      id\n      name\n      quota {\n        ...QuotaFields\n      }\n      usage {\n        ...WorkspaceUsageFields\n      }\n    }\n  }\n':
    types.SetWorkspaceQuotaDocument,
  '\n  query ModelTimeline($id: ID!, $first: Int) {\n    model(id: $id) {\n      id\n      retrainPolicy {\n        trigger\n        enabled\n        lastTriggeredAt\n        deployment {\n          name\n        }\n      }\n      timeline(first: $first) {\n        at\n        kind\n        message\n        version {\n          id\n          version\n        }\n        trainingJob {\n          id\n        }\n        evaluation {\n          id\n        }\n        promotion {\n          id\n          status\n        }\n      }\n    }\n  }\n':
    types.ModelTimelineDocument,
  '\n  query Datasets($first: Int!, $after: String) {\n    datasets(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          rowCount\n          sizeBytes\n          createdAt\n          columns {\n            name\n            type\n          }\n        }\n      }\n    }\n  }\n':
    types.DatasetsDocument,
  '\n  query DatasetDetail($id: ID!, $previewRows: Int!) {\n    dataset(id: $id) {\n      id\n      name\n      rowCount\n      sizeBytes\n      createdAt\n      deletedAt\n      columns {\n        name\n        type\n        nullCount\n        min\n        max\n        mean\n        distinct\n      }\n      preview(limit: $previewRows)\n    }\n  }\n':
    types.DatasetDetailDocument,
  '\n  mutation CreateDataset($name: String!, $csv: String!) {\n    createDataset(name: $name, csv: $csv) {\n      id\n      name\n      rowCount\n    }\n  }\n':
    types.CreateDatasetDocument,
  '\n  mutation DeleteDataset($id: ID!) {\n    deleteDataset(id: $id)\n  }\n':
    types.DeleteDatasetDocument,
  '\n  fragment JobListFields on TrainingJob {\n    id\n    status\n    algorithm\n    target\n    epoch\n    epochs\n    progress\n    attempts\n    error\n    createdAt\n    startedAt\n    finishedAt\n    model {\n      id\n      name\n    }\n    dataset {\n      id\n      name\n    }\n    resultVersion {\n      id\n      version\n    }\n  }\n':
    types.JobListFieldsFragmentDoc,
  '\n  query TrainingJobs($first: Int!, $after: String, $status: JobStatus, $modelId: ID) {\n    trainingJobs(first: $first, after: $after, status: $status, modelId: $modelId) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...JobListFields\n        }\n      }\n    }\n  }\n':
    types.TrainingJobsDocument,
  '\n  subscription TrainingJobsUpdated {\n    trainingJobsUpdated {\n      ...JobListFields\n    }\n  }\n':
    types.TrainingJobsUpdatedDocument,
  '\n  fragment JobDetailFields on TrainingJob {\n    ...JobListFields\n    features\n    hyperparameters\n    seq\n    warmStartVersion {\n      id\n      version\n    }\n  }\n':
    types.JobDetailFieldsFragmentDoc,
  '\n  fragment EpochFields on EpochMetrics {\n    epoch\n    loss\n    validationLoss\n    metrics\n    at\n  }\n':
    types.EpochFieldsFragmentDoc,
  '\n  query TrainingJobDetail($id: ID!) {\n    trainingJob(id: $id) {\n      ...JobDetailFields\n      history {\n        ...EpochFields\n      }\n    }\n  }\n':
    types.TrainingJobDetailDocument,
  '\n  query TrainingJobHistory($id: ID!, $afterEpoch: Int) {\n    trainingJob(id: $id) {\n      id\n      history(afterEpoch: $afterEpoch) {\n        ...EpochFields\n      }\n    }\n  }\n':
    types.TrainingJobHistoryDocument,
  '\n  subscription TrainingJobUpdated($id: ID!) {\n    trainingJobUpdated(id: $id) {\n      ...JobDetailFields\n    }\n  }\n':
    types.TrainingJobUpdatedDocument,
  '\n  mutation CancelTrainingJob($id: ID!) {\n    cancelTrainingJob(id: $id) {\n      ...JobDetailFields\n    }\n  }\n':
    types.CancelTrainingJobDocument,
  '\n  mutation RetryTrainingJob($id: ID!) {\n    retryTrainingJob(id: $id) {\n      ...JobDetailFields\n    }\n  }\n':
    types.RetryTrainingJobDocument,
  '\n  query NewJobOptions {\n    models(first: 100) {\n      edges {\n        node {\n          id\n          name\n          task\n        }\n      }\n    }\n    datasets(first: 100) {\n      edges {\n        node {\n          id\n          name\n          rowCount\n          columns {\n            name\n            type\n          }\n        }\n      }\n    }\n    algorithms {\n      algorithm\n      tasks\n      description\n      hyperparameters {\n        name\n        type\n        default\n        description\n        min\n        max\n        values\n      }\n    }\n  }\n':
    types.NewJobOptionsDocument,
  '\n  query WarmStartVersions($name: String!) {\n    model(name: $name) {\n      id\n      versions(first: 50) {\n        edges {\n          node {\n            id\n            version\n            source\n            trainingJob {\n              id\n              algorithm\n              target\n              features\n            }\n          }\n        }\n      }\n    }\n  }\n':
    types.WarmStartVersionsDocument,
  '\n  mutation StartTrainingJob($input: StartTrainingJobInput!) {\n    startTrainingJob(input: $input) {\n      id\n      status\n    }\n  }\n':
    types.StartTrainingJobDocument,
  '\n  query VersionLineage($id: ID!) {\n    modelVersion(id: $id) {\n      id\n      trainingJob {\n        id\n        status\n        algorithm\n        target\n        dataset {\n          id\n          name\n          deletedAt\n        }\n      }\n    }\n  }\n':
    types.VersionLineageDocument,
  '\n  query DashboardTraining {\n    datasets(first: 1) {\n      totalCount\n    }\n    running: trainingJobs(first: 10, status: RUNNING) {\n      totalCount\n      edges {\n        node {\n          ...JobListFields\n        }\n      }\n    }\n    queued: trainingJobs(first: 1, status: QUEUED) {\n      totalCount\n    }\n  }\n':
    types.DashboardTrainingDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment EvaluationJobFields on EvaluationJob {\n    id\n    status\n    target\n    error\n    createdAt\n    finishedAt\n    comparison\n    dataset {\n      id\n      name\n    }\n    versions {\n      id\n      version\n    }\n    results {\n      metrics\n      details\n      version {\n        id\n        version\n      }\n    }\n  }\n',
): (typeof documents)['\n  fragment EvaluationJobFields on EvaluationJob {\n    id\n    status\n    target\n    error\n    createdAt\n    finishedAt\n    comparison\n    dataset {\n      id\n      name\n    }\n    versions {\n      id\n      version\n    }\n    results {\n      metrics\n      details\n      version {\n        id\n        version\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query EvaluationJobs($modelId: ID!, $first: Int!) {\n    evaluationJobs(modelId: $modelId, first: $first) {\n      ...EvaluationJobFields\n    }\n  }\n',
): (typeof documents)['\n  query EvaluationJobs($modelId: ID!, $first: Int!) {\n    evaluationJobs(modelId: $modelId, first: $first) {\n      ...EvaluationJobFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query EvaluationDatasets {\n    datasets(first: 100) {\n      edges {\n        node {\n          id\n          name\n          columns {\n            name\n            type\n          }\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query EvaluationDatasets {\n    datasets(first: 100) {\n      edges {\n        node {\n          id\n          name\n          columns {\n            name\n            type\n          }\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation StartEvaluationJob($input: StartEvaluationJobInput!) {\n    startEvaluationJob(input: $input) {\n      ...EvaluationJobFields\n    }\n  }\n',
): (typeof documents)['\n  mutation StartEvaluationJob($input: StartEvaluationJobInput!) {\n    startEvaluationJob(input: $input) {\n      ...EvaluationJobFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment LanguageModelInfoFields on LanguageModelInfo {\n    architecture\n    contextLength\n    vocabularySize\n    layers\n    keyValueHeads\n    headSize\n    hasChatTemplate\n    embeddingDimensions\n  }\n',
): (typeof documents)['\n  fragment LanguageModelInfoFields on LanguageModelInfo {\n    architecture\n    contextLength\n    vocabularySize\n    layers\n    keyValueHeads\n    headSize\n    hasChatTemplate\n    embeddingDimensions\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query LanguageModelTargets {\n    deployments {\n      id\n      name\n      model {\n        id\n        name\n        task\n      }\n      routes {\n        weight\n        version {\n          id\n          version\n        }\n      }\n    }\n    textModels: models(first: 100, filter: { task: TEXT_GENERATION }) {\n      edges {\n        node {\n          id\n          name\n          task\n          latestVersion {\n            id\n            version\n          }\n        }\n      }\n    }\n    embeddingModels: models(first: 100, filter: { task: EMBEDDING }) {\n      edges {\n        node {\n          id\n          name\n          task\n          latestVersion {\n            id\n            version\n          }\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query LanguageModelTargets {\n    deployments {\n      id\n      name\n      model {\n        id\n        name\n        task\n      }\n      routes {\n        weight\n        version {\n          id\n          version\n        }\n      }\n    }\n    textModels: models(first: 100, filter: { task: TEXT_GENERATION }) {\n      edges {\n        node {\n          id\n          name\n          task\n          latestVersion {\n            id\n            version\n          }\n        }\n      }\n    }\n    embeddingModels: models(first: 100, filter: { task: EMBEDDING }) {\n      edges {\n        node {\n          id\n          name\n          task\n          latestVersion {\n            id\n            version\n          }\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query LanguageModelVersions($name: String!) {\n    model(name: $name) {\n      id\n      aliases {\n        alias\n        version {\n          id\n          version\n        }\n      }\n      versions(first: 50) {\n        edges {\n          node {\n            id\n            version\n          }\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query LanguageModelVersions($name: String!) {\n    model(name: $name) {\n      id\n      aliases {\n        alias\n        version {\n          id\n          version\n        }\n      }\n      versions(first: 50) {\n        edges {\n          node {\n            id\n            version\n          }\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query LanguageModelVersionInfo($id: ID!) {\n    modelVersion(id: $id) {\n      id\n      version\n      model {\n        id\n        name\n      }\n      languageModel {\n        ...LanguageModelInfoFields\n      }\n    }\n  }\n',
): (typeof documents)['\n  query LanguageModelVersionInfo($id: ID!) {\n    modelVersion(id: $id) {\n      id\n      version\n      model {\n        id\n        name\n      }\n      languageModel {\n        ...LanguageModelInfoFields\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query VersionBundle($id: ID!) {\n    modelVersion(id: $id) {\n      id\n      languageModel {\n        ...LanguageModelInfoFields\n      }\n      files {\n        path\n        sizeBytes\n        sha256\n      }\n    }\n  }\n',
): (typeof documents)['\n  query VersionBundle($id: ID!) {\n    modelVersion(id: $id) {\n      id\n      languageModel {\n        ...LanguageModelInfoFields\n      }\n      files {\n        path\n        sizeBytes\n        sha256\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  subscription Generation($input: GenerateInput!) {\n    generation(input: $input) {\n      id\n      index\n      text\n      finishReason\n      usage {\n        promptTokens\n        completionTokens\n        totalTokens\n      }\n    }\n  }\n',
): (typeof documents)['\n  subscription Generation($input: GenerateInput!) {\n    generation(input: $input) {\n      id\n      index\n      text\n      finishReason\n      usage {\n        promptTokens\n        completionTokens\n        totalTokens\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query Embed($input: EmbedInput!) {\n    embed(input: $input) {\n      vectors\n      dimensions\n      usage {\n        promptTokens\n        totalTokens\n      }\n      modelVersion {\n        id\n        version\n        model {\n          id\n          name\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query Embed($input: EmbedInput!) {\n    embed(input: $input) {\n      vectors\n      dimensions\n      usage {\n        promptTokens\n        totalTokens\n      }\n      modelVersion {\n        id\n        version\n        model {\n          id\n          name\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment MonitoringAlertFields on MonitoringAlert {\n    id\n    at\n    kind\n    feature\n    message\n    value\n    threshold\n    resolvedAt\n  }\n',
): (typeof documents)['\n  fragment MonitoringAlertFields on MonitoringAlert {\n    id\n    at\n    kind\n    feature\n    message\n    value\n    threshold\n    resolvedAt\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query DeploymentMonitoring($name: String!, $windowSeconds: Int, $bucketSeconds: Int) {\n    deploymentMonitoring(\n      name: $name\n      windowSeconds: $windowSeconds\n      bucketSeconds: $bucketSeconds\n    ) {\n      windowSeconds\n      bucketSeconds\n      sampled\n      buckets {\n        start\n        version {\n          id\n          version\n        }\n        requests\n        errors\n        feedbackCount\n        onlineMetrics\n        inputDrift {\n          feature\n          psi\n        }\n        predictionDrift\n        driftSamples\n      }\n      alerts {\n        ...MonitoringAlertFields\n      }\n    }\n  }\n',
): (typeof documents)['\n  query DeploymentMonitoring($name: String!, $windowSeconds: Int, $bucketSeconds: Int) {\n    deploymentMonitoring(\n      name: $name\n      windowSeconds: $windowSeconds\n      bucketSeconds: $bucketSeconds\n    ) {\n      windowSeconds\n      bucketSeconds\n      sampled\n      buckets {\n        start\n        version {\n          id\n          version\n        }\n        requests\n        errors\n        feedbackCount\n        onlineMetrics\n        inputDrift {\n          feature\n          psi\n        }\n        predictionDrift\n        driftSamples\n      }\n      alerts {\n        ...MonitoringAlertFields\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  subscription MonitoringAlerts($deployment: String!) {\n    monitoringAlerts(deployment: $deployment) {\n      ...MonitoringAlertFields\n    }\n  }\n',
): (typeof documents)['\n  subscription MonitoringAlerts($deployment: String!) {\n    monitoringAlerts(deployment: $deployment) {\n      ...MonitoringAlertFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment PromotionFields on Promotion {\n    id\n    status\n    reason\n    forced\n    createdAt\n    updatedAt\n    candidate {\n      id\n      version\n    }\n    champion {\n      id\n      version\n    }\n    steps {\n      weight\n      minRequests\n      minSeconds\n      startedAt\n      endedAt\n      requests\n      errors\n      errorRate\n      p99LatencyMs\n      outcome\n    }\n  }\n',
): (typeof documents)['\n  fragment PromotionFields on Promotion {\n    id\n    status\n    reason\n    forced\n    createdAt\n    updatedAt\n    candidate {\n      id\n      version\n    }\n    champion {\n      id\n      version\n    }\n    steps {\n      weight\n      minRequests\n      minSeconds\n      startedAt\n      endedAt\n      requests\n      errors\n      errorRate\n      p99LatencyMs\n      outcome\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query DeploymentPromotions($deployment: String!) {\n    promotions(deployment: $deployment) {\n      ...PromotionFields\n    }\n  }\n',
): (typeof documents)['\n  query DeploymentPromotions($deployment: String!) {\n    promotions(deployment: $deployment) {\n      ...PromotionFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  subscription PromotionUpdated($id: ID!) {\n    promotionUpdated(id: $id) {\n      ...PromotionFields\n    }\n  }\n',
): (typeof documents)['\n  subscription PromotionUpdated($id: ID!) {\n    promotionUpdated(id: $id) {\n      ...PromotionFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation Promote($input: PromoteInput!) {\n    promote(input: $input) {\n      ...PromotionFields\n    }\n  }\n',
): (typeof documents)['\n  mutation Promote($input: PromoteInput!) {\n    promote(input: $input) {\n      ...PromotionFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation ApprovePromotion($id: ID!) {\n    approvePromotion(id: $id) {\n      ...PromotionFields\n    }\n  }\n',
): (typeof documents)['\n  mutation ApprovePromotion($id: ID!) {\n    approvePromotion(id: $id) {\n      ...PromotionFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation CancelPromotion($id: ID!) {\n    cancelPromotion(id: $id) {\n      ...PromotionFields\n    }\n  }\n',
): (typeof documents)['\n  mutation CancelPromotion($id: ID!) {\n    cancelPromotion(id: $id) {\n      ...PromotionFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query Viewer {\n    viewer {\n      role\n      isRoot\n      apiKey {\n        id\n        name\n        role\n      }\n      workspace {\n        id\n        name\n      }\n    }\n  }\n',
): (typeof documents)['\n  query Viewer {\n    viewer {\n      role\n      isRoot\n      apiKey {\n        id\n        name\n        role\n      }\n      workspace {\n        id\n        name\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment ModelListFields on Model {\n    id\n    name\n    description\n    task\n    tags\n    createdAt\n    updatedAt\n    latestVersion {\n      id\n      version\n      source\n      createdAt\n    }\n    aliases {\n      alias\n      version {\n        id\n        version\n      }\n    }\n  }\n',
): (typeof documents)['\n  fragment ModelListFields on Model {\n    id\n    name\n    description\n    task\n    tags\n    createdAt\n    updatedAt\n    latestVersion {\n      id\n      version\n      source\n      createdAt\n    }\n    aliases {\n      alias\n      version {\n        id\n        version\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query Models($first: Int!, $after: String, $filter: ModelFilter) {\n    models(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...ModelListFields\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query Models($first: Int!, $after: String, $filter: ModelFilter) {\n    models(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...ModelListFields\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment TensorSpecFields on TensorSpec {\n    name\n    datatype\n    shape\n  }\n',
): (typeof documents)['\n  fragment TensorSpecFields on TensorSpec {\n    name\n    datatype\n    shape\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment VersionFields on ModelVersion {\n    id\n    version\n    source\n    sizeBytes\n    sha256\n    metrics\n    hyperparameters\n    featureImportance {\n      feature\n      importance\n    }\n    createdAt\n    signature {\n      inputs {\n        ...TensorSpecFields\n      }\n      outputs {\n        ...TensorSpecFields\n      }\n      features\n      labels\n      categories\n    }\n    parentVersion {\n      id\n      version\n    }\n  }\n',
): (typeof documents)['\n  fragment VersionFields on ModelVersion {\n    id\n    version\n    source\n    sizeBytes\n    sha256\n    metrics\n    hyperparameters\n    featureImportance {\n      feature\n      importance\n    }\n    createdAt\n    signature {\n      inputs {\n        ...TensorSpecFields\n      }\n      outputs {\n        ...TensorSpecFields\n      }\n      features\n      labels\n      categories\n    }\n    parentVersion {\n      id\n      version\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query ModelDetail($name: String!, $first: Int!, $after: String) {\n    model(name: $name) {\n      id\n      name\n      description\n      task\n      tags\n      createdAt\n      updatedAt\n      aliases {\n        alias\n        version {\n          id\n          version\n        }\n      }\n      versions(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            ...VersionFields\n          }\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query ModelDetail($name: String!, $first: Int!, $after: String) {\n    model(name: $name) {\n      id\n      name\n      description\n      task\n      tags\n      createdAt\n      updatedAt\n      aliases {\n        alias\n        version {\n          id\n          version\n        }\n      }\n      versions(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            ...VersionFields\n          }\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation CreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      ...ModelListFields\n    }\n  }\n',
): (typeof documents)['\n  mutation CreateModel($input: CreateModelInput!) {\n    createModel(input: $input) {\n      ...ModelListFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation UpdateModel($id: ID!, $input: UpdateModelInput!) {\n    updateModel(id: $id, input: $input) {\n      id\n      description\n      task\n      tags\n      updatedAt\n    }\n  }\n',
): (typeof documents)['\n  mutation UpdateModel($id: ID!, $input: UpdateModelInput!) {\n    updateModel(id: $id, input: $input) {\n      id\n      description\n      task\n      tags\n      updatedAt\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation DeleteModel($id: ID!) {\n    deleteModel(id: $id)\n  }\n',
): (typeof documents)['\n  mutation DeleteModel($id: ID!) {\n    deleteModel(id: $id)\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation SetModelAlias($modelId: ID!, $alias: String!, $version: Int!) {\n    setModelAlias(modelId: $modelId, alias: $alias, version: $version) {\n      alias\n      version {\n        id\n        version\n      }\n    }\n  }\n',
): (typeof documents)['\n  mutation SetModelAlias($modelId: ID!, $alias: String!, $version: Int!) {\n    setModelAlias(modelId: $modelId, alias: $alias, version: $version) {\n      alias\n      version {\n        id\n        version\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation DeleteModelAlias($modelId: ID!, $alias: String!) {\n    deleteModelAlias(modelId: $modelId, alias: $alias)\n  }\n',
): (typeof documents)['\n  mutation DeleteModelAlias($modelId: ID!, $alias: String!) {\n    deleteModelAlias(modelId: $modelId, alias: $alias)\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation DeleteModelVersion($id: ID!) {\n    deleteModelVersion(id: $id)\n  }\n',
): (typeof documents)['\n  mutation DeleteModelVersion($id: ID!) {\n    deleteModelVersion(id: $id)\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query ApiKeys {\n    apiKeys {\n      id\n      name\n      role\n      createdAt\n      lastUsedAt\n      revokedAt\n      workspace {\n        id\n        name\n      }\n    }\n  }\n',
): (typeof documents)['\n  query ApiKeys {\n    apiKeys {\n      id\n      name\n      role\n      createdAt\n      lastUsedAt\n      revokedAt\n      workspace {\n        id\n        name\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query Workspaces {\n    workspaces {\n      id\n      name\n      createdAt\n    }\n  }\n',
): (typeof documents)['\n  query Workspaces {\n    workspaces {\n      id\n      name\n      createdAt\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation CreateApiKey($name: String!, $role: Role!, $workspaceId: ID) {\n    createApiKey(name: $name, role: $role, workspaceId: $workspaceId) {\n      secret\n      apiKey {\n        id\n        name\n        role\n        createdAt\n        lastUsedAt\n        revokedAt\n        workspace {\n          id\n          name\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  mutation CreateApiKey($name: String!, $role: Role!, $workspaceId: ID) {\n    createApiKey(name: $name, role: $role, workspaceId: $workspaceId) {\n      secret\n      apiKey {\n        id\n        name\n        role\n        createdAt\n        lastUsedAt\n        revokedAt\n        workspace {\n          id\n          name\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n',
): (typeof documents)['\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation CreateWorkspace($name: String!) {\n    createWorkspace(name: $name) {\n      id\n      name\n      createdAt\n    }\n  }\n',
): (typeof documents)['\n  mutation CreateWorkspace($name: String!) {\n    createWorkspace(name: $name) {\n      id\n      name\n      createdAt\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query DashboardRegistry {\n    models(first: 50) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          task\n          latestVersion {\n            id\n            version\n            source\n            sizeBytes\n            createdAt\n          }\n          aliases {\n            alias\n            version {\n              id\n              version\n            }\n          }\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query DashboardRegistry {\n    models(first: 50) {\n      totalCount\n      edges {\n        node {\n          id\n          name\n          task\n          latestVersion {\n            id\n            version\n            source\n            sizeBytes\n            createdAt\n          }\n          aliases {\n            alias\n            version {\n              id\n              version\n            }\n          }\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query ModelVersionNumbers($name: String!) {\n    model(name: $name) {\n      id\n      versions(first: 50) {\n        edges {\n          node {\n            id\n            version\n          }\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query ModelVersionNumbers($name: String!) {\n    model(name: $name) {\n      id\n      versions(first: 50) {\n        edges {\n          node {\n            id\n            version\n          }\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment DeploymentFields on Deployment {\n    id\n    name\n    createdAt\n    updatedAt\n    model {\n      id\n      name\n    }\n    routes {\n      weight\n      version {\n        id\n        version\n      }\n    }\n  }\n',
): (typeof documents)['\n  fragment DeploymentFields on Deployment {\n    id\n    name\n    createdAt\n    updatedAt\n    model {\n      id\n      name\n    }\n    routes {\n      weight\n      version {\n        id\n        version\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query Deployments {\n    deployments {\n      ...DeploymentFields\n    }\n  }\n',
): (typeof documents)['\n  query Deployments {\n    deployments {\n      ...DeploymentFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query DeploymentDetail($name: String!) {\n    deployment(name: $name) {\n      ...DeploymentFields\n      model {\n        id\n        name\n        aliases {\n          alias\n          version {\n            id\n            version\n          }\n        }\n        versions(first: 50) {\n          edges {\n            node {\n              id\n              version\n              source\n              createdAt\n              metrics\n            }\n          }\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query DeploymentDetail($name: String!) {\n    deployment(name: $name) {\n      ...DeploymentFields\n      model {\n        id\n        name\n        aliases {\n          alias\n          version {\n            id\n            version\n          }\n        }\n        versions(first: 50) {\n          edges {\n            node {\n              id\n              version\n              source\n              createdAt\n              metrics\n            }\n          }\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment DeploymentStatsFields on DeploymentStats {\n    windowSeconds\n    requests\n    errors\n    requestsPerSecond\n    p50Ms\n    p99Ms\n    byVersion\n    at\n  }\n',
): (typeof documents)['\n  fragment DeploymentStatsFields on DeploymentStats {\n    windowSeconds\n    requests\n    errors\n    requestsPerSecond\n    p50Ms\n    p99Ms\n    byVersion\n    at\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query DeploymentStats($name: String!, $windowSeconds: Int) {\n    deploymentStats(name: $name, windowSeconds: $windowSeconds) {\n      ...DeploymentStatsFields\n    }\n  }\n',
): (typeof documents)['\n  query DeploymentStats($name: String!, $windowSeconds: Int) {\n    deploymentStats(name: $name, windowSeconds: $windowSeconds) {\n      ...DeploymentStatsFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  subscription DeploymentStatsUpdated($name: String!, $windowSeconds: Int) {\n    deploymentStatsUpdated(name: $name, windowSeconds: $windowSeconds) {\n      ...DeploymentStatsFields\n      deployment {\n        id\n        name\n      }\n    }\n  }\n',
): (typeof documents)['\n  subscription DeploymentStatsUpdated($name: String!, $windowSeconds: Int) {\n    deploymentStatsUpdated(name: $name, windowSeconds: $windowSeconds) {\n      ...DeploymentStatsFields\n      deployment {\n        id\n        name\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation CreateDeployment($input: CreateDeploymentInput!) {\n    createDeployment(input: $input) {\n      ...DeploymentFields\n    }\n  }\n',
): (typeof documents)['\n  mutation CreateDeployment($input: CreateDeploymentInput!) {\n    createDeployment(input: $input) {\n      ...DeploymentFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation UpdateDeploymentRoutes($name: String!, $routes: [RouteInput!]!) {\n    updateDeploymentRoutes(name: $name, routes: $routes) {\n      ...DeploymentFields\n    }\n  }\n',
): (typeof documents)['\n  mutation UpdateDeploymentRoutes($name: String!, $routes: [RouteInput!]!) {\n    updateDeploymentRoutes(name: $name, routes: $routes) {\n      ...DeploymentFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation DeleteDeployment($name: String!) {\n    deleteDeployment(name: $name)\n  }\n',
): (typeof documents)['\n  mutation DeleteDeployment($name: String!) {\n    deleteDeployment(name: $name)\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query DeploymentModels {\n    models(first: 100) {\n      edges {\n        node {\n          id\n          name\n          latestVersion {\n            id\n            version\n          }\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query DeploymentModels {\n    models(first: 100) {\n      edges {\n        node {\n          id\n          name\n          latestVersion {\n            id\n            version\n          }\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query InferenceStatus {\n    inferenceStatus {\n      executionProvider\n      workers\n      loadedVersions\n      loadedBytes\n    }\n  }\n',
): (typeof documents)['\n  query InferenceStatus {\n    inferenceStatus {\n      executionProvider\n      workers\n      loadedVersions\n      loadedBytes\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query PlaygroundTargets {\n    deployments {\n      id\n      name\n      model {\n        id\n        name\n      }\n      routes {\n        weight\n        version {\n          id\n          version\n        }\n      }\n    }\n    models(first: 100) {\n      edges {\n        node {\n          id\n          name\n          task\n          aliases {\n            alias\n            version {\n              id\n              version\n            }\n          }\n          latestVersion {\n            id\n            version\n          }\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query PlaygroundTargets {\n    deployments {\n      id\n      name\n      model {\n        id\n        name\n      }\n      routes {\n        weight\n        version {\n          id\n          version\n        }\n      }\n    }\n    models(first: 100) {\n      edges {\n        node {\n          id\n          name\n          task\n          aliases {\n            alias\n            version {\n              id\n              version\n            }\n          }\n          latestVersion {\n            id\n            version\n          }\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query PlaygroundSignature($id: ID!) {\n    modelVersion(id: $id) {\n      id\n      version\n      model {\n        id\n        name\n        task\n      }\n      signature {\n        inputs {\n          ...TensorSpecFields\n        }\n        outputs {\n          ...TensorSpecFields\n        }\n        features\n        labels\n        categories\n      }\n    }\n  }\n',
): (typeof documents)['\n  query PlaygroundSignature($id: ID!) {\n    modelVersion(id: $id) {\n      id\n      version\n      model {\n        id\n        name\n        task\n      }\n      signature {\n        inputs {\n          ...TensorSpecFields\n        }\n        outputs {\n          ...TensorSpecFields\n        }\n        features\n        labels\n        categories\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query Predict($input: PredictInput!) {\n    predict(input: $input) {\n      id\n      latencyMs\n      outputs\n      explanation {\n        method\n        output\n        records {\n          baseline\n          contributions {\n            feature\n            value\n            contribution\n          }\n        }\n      }\n      modelVersion {\n        id\n        version\n        model {\n          id\n          name\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query Predict($input: PredictInput!) {\n    predict(input: $input) {\n      id\n      latencyMs\n      outputs\n      explanation {\n        method\n        output\n        records {\n          baseline\n          contributions {\n            feature\n            value\n            contribution\n          }\n        }\n      }\n      modelVersion {\n        id\n        version\n        model {\n          id\n          name\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query DashboardServing {\n    deployments {\n      ...DeploymentFields\n    }\n    inferenceStatus {\n      executionProvider\n      workers\n      loadedVersions\n      loadedBytes\n    }\n  }\n',
): (typeof documents)['\n  query DashboardServing {\n    deployments {\n      ...DeploymentFields\n    }\n    inferenceStatus {\n      executionProvider\n      workers\n      loadedVersions\n      loadedBytes\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment QuotaFields on Quota {\n    maxModels\n    maxVersionsPerModel\n    maxStorageBytes\n    maxDatasetBytes\n    maxConcurrentJobs\n    maxQueuedJobs\n    maxPredictionsPerDay\n    maxTokensPerDay\n    requestsPerSecond\n  }\n',
): (typeof documents)['\n  fragment QuotaFields on Quota {\n    maxModels\n    maxVersionsPerModel\n    maxStorageBytes\n    maxDatasetBytes\n    maxConcurrentJobs\n    maxQueuedJobs\n    maxPredictionsPerDay\n    maxTokensPerDay\n    requestsPerSecond\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment WorkspaceUsageFields on WorkspaceUsage {\n    models\n    storageBytes\n    datasetBytes\n    runningJobs\n    queuedJobs\n    predictionsToday\n    tokensToday\n  }\n',
): (typeof documents)['\n  fragment WorkspaceUsageFields on WorkspaceUsage {\n    models\n    storageBytes\n    datasetBytes\n    runningJobs\n    queuedJobs\n    predictionsToday\n    tokensToday\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query WorkspaceQuota {\n    viewer {\n      workspace {\n        id\n        name\n        quota {\n          ...QuotaFields\n        }\n        usage {\n          ...WorkspaceUsageFields\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query WorkspaceQuota {\n    viewer {\n      workspace {\n        id\n        name\n        quota {\n          ...QuotaFields\n        }\n        usage {\n          ...WorkspaceUsageFields\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query UsageSeries(\n    $from: DateTime!\n    $to: DateTime!\n    $granularity: UsageGranularity\n    $groupBy: [UsageDimension!]\n  ) {\n    usage(from: $from, to: $to, granularity: $granularity, groupBy: $groupBy) {\n      start\n      apiKey {\n        id\n        name\n      }\n      model {\n        id\n        name\n      }\n      deployment {\n        id\n        name\n      }\n      requests\n      predictionRows\n      promptTokens\n      completionTokens\n      trainingSeconds\n    }\n  }\n',
): (typeof documents)['\n  query UsageSeries(\n    $from: DateTime!\n    $to: DateTime!\n    $granularity: UsageGranularity\n    $groupBy: [UsageDimension!]\n  ) {\n    usage(from: $from, to: $to, granularity: $granularity, groupBy: $groupBy) {\n      start\n      apiKey {\n        id\n        name\n      }\n      model {\n        id\n        name\n      }\n      deployment {\n        id\n        name\n      }\n      requests\n      predictionRows\n      promptTokens\n      completionTokens\n      trainingSeconds\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query AuditEvents($filter: AuditFilter, $first: Int, $after: String) {\n    auditEvents(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          at\n          workspace {\n            id\n            name\n          }\n          actor {\n            id\n            name\n            role\n          }\n          sourceAddress\n          action\n          targetType\n          targetId\n          outcome\n          details\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query AuditEvents($filter: AuditFilter, $first: Int, $after: String) {\n    auditEvents(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          at\n          workspace {\n            id\n            name\n          }\n          actor {\n            id\n            name\n            role\n          }\n          sourceAddress\n          action\n          targetType\n          targetId\n          outcome\n          details\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query WorkspacesUsage {\n    workspaces {\n      id\n      name\n      createdAt\n      quota {\n        ...QuotaFields\n      }\n      usage {\n        ...WorkspaceUsageFields\n      }\n    }\n  }\n',
): (typeof documents)['\n  query WorkspacesUsage {\n    workspaces {\n      id\n      name\n      createdAt\n      quota {\n        ...QuotaFields\n      }\n      usage {\n        ...WorkspaceUsageFields\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation SetWorkspaceQuota($workspaceId: ID!, $quota: QuotaInput!) {\n    setWorkspaceQuota(workspaceId: $workspaceId, quota: $quota) {\n      id\n      name\n      quota {\n        ...QuotaFields\n      }\n      usage {\n        ...WorkspaceUsageFields\n      }\n    }\n  }\n',
): (typeof documents)['\n  mutation SetWorkspaceQuota($workspaceId: ID!, $quota: QuotaInput!) {\n    setWorkspaceQuota(workspaceId: $workspaceId, quota: $quota) {\n      id\n      name\n      quota {\n        ...QuotaFields\n      }\n      usage {\n        ...WorkspaceUsageFields\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query ModelTimeline($id: ID!, $first: Int) {\n    model(id: $id) {\n      id\n      retrainPolicy {\n        trigger\n        enabled\n        lastTriggeredAt\n        deployment {\n          name\n        }\n      }\n      timeline(first: $first) {\n        at\n        kind\n        message\n        version {\n          id\n          version\n        }\n        trainingJob {\n          id\n        }\n        evaluation {\n          id\n        }\n        promotion {\n          id\n          status\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query ModelTimeline($id: ID!, $first: Int) {\n    model(id: $id) {\n      id\n      retrainPolicy {\n        trigger\n        enabled\n        lastTriggeredAt\n        deployment {\n          name\n        }\n      }\n      timeline(first: $first) {\n        at\n        kind\n        message\n        version {\n          id\n          version\n        }\n        trainingJob {\n          id\n        }\n        evaluation {\n          id\n        }\n        promotion {\n          id\n          status\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query Datasets($first: Int!, $after: String) {\n    datasets(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          rowCount\n          sizeBytes\n          createdAt\n          columns {\n            name\n            type\n          }\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query Datasets($first: Int!, $after: String) {\n    datasets(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          rowCount\n          sizeBytes\n          createdAt\n          columns {\n            name\n            type\n          }\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query DatasetDetail($id: ID!, $previewRows: Int!) {\n    dataset(id: $id) {\n      id\n      name\n      rowCount\n      sizeBytes\n      createdAt\n      deletedAt\n      columns {\n        name\n        type\n        nullCount\n        min\n        max\n        mean\n        distinct\n      }\n      preview(limit: $previewRows)\n    }\n  }\n',
): (typeof documents)['\n  query DatasetDetail($id: ID!, $previewRows: Int!) {\n    dataset(id: $id) {\n      id\n      name\n      rowCount\n      sizeBytes\n      createdAt\n      deletedAt\n      columns {\n        name\n        type\n        nullCount\n        min\n        max\n        mean\n        distinct\n      }\n      preview(limit: $previewRows)\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation CreateDataset($name: String!, $csv: String!) {\n    createDataset(name: $name, csv: $csv) {\n      id\n      name\n      rowCount\n    }\n  }\n',
): (typeof documents)['\n  mutation CreateDataset($name: String!, $csv: String!) {\n    createDataset(name: $name, csv: $csv) {\n      id\n      name\n      rowCount\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation DeleteDataset($id: ID!) {\n    deleteDataset(id: $id)\n  }\n',
): (typeof documents)['\n  mutation DeleteDataset($id: ID!) {\n    deleteDataset(id: $id)\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment JobListFields on TrainingJob {\n    id\n    status\n    algorithm\n    target\n    epoch\n    epochs\n    progress\n    attempts\n    error\n    createdAt\n    startedAt\n    finishedAt\n    model {\n      id\n      name\n    }\n    dataset {\n      id\n      name\n    }\n    resultVersion {\n      id\n      version\n    }\n  }\n',
): (typeof documents)['\n  fragment JobListFields on TrainingJob {\n    id\n    status\n    algorithm\n    target\n    epoch\n    epochs\n    progress\n    attempts\n    error\n    createdAt\n    startedAt\n    finishedAt\n    model {\n      id\n      name\n    }\n    dataset {\n      id\n      name\n    }\n    resultVersion {\n      id\n      version\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query TrainingJobs($first: Int!, $after: String, $status: JobStatus, $modelId: ID) {\n    trainingJobs(first: $first, after: $after, status: $status, modelId: $modelId) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...JobListFields\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query TrainingJobs($first: Int!, $after: String, $status: JobStatus, $modelId: ID) {\n    trainingJobs(first: $first, after: $after, status: $status, modelId: $modelId) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...JobListFields\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  subscription TrainingJobsUpdated {\n    trainingJobsUpdated {\n      ...JobListFields\n    }\n  }\n',
): (typeof documents)['\n  subscription TrainingJobsUpdated {\n    trainingJobsUpdated {\n      ...JobListFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment JobDetailFields on TrainingJob {\n    ...JobListFields\n    features\n    hyperparameters\n    seq\n    warmStartVersion {\n      id\n      version\n    }\n  }\n',
): (typeof documents)['\n  fragment JobDetailFields on TrainingJob {\n    ...JobListFields\n    features\n    hyperparameters\n    seq\n    warmStartVersion {\n      id\n      version\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment EpochFields on EpochMetrics {\n    epoch\n    loss\n    validationLoss\n    metrics\n    at\n  }\n',
): (typeof documents)['\n  fragment EpochFields on EpochMetrics {\n    epoch\n    loss\n    validationLoss\n    metrics\n    at\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query TrainingJobDetail($id: ID!) {\n    trainingJob(id: $id) {\n      ...JobDetailFields\n      history {\n        ...EpochFields\n      }\n    }\n  }\n',
): (typeof documents)['\n  query TrainingJobDetail($id: ID!) {\n    trainingJob(id: $id) {\n      ...JobDetailFields\n      history {\n        ...EpochFields\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query TrainingJobHistory($id: ID!, $afterEpoch: Int) {\n    trainingJob(id: $id) {\n      id\n      history(afterEpoch: $afterEpoch) {\n        ...EpochFields\n      }\n    }\n  }\n',
): (typeof documents)['\n  query TrainingJobHistory($id: ID!, $afterEpoch: Int) {\n    trainingJob(id: $id) {\n      id\n      history(afterEpoch: $afterEpoch) {\n        ...EpochFields\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  subscription TrainingJobUpdated($id: ID!) {\n    trainingJobUpdated(id: $id) {\n      ...JobDetailFields\n    }\n  }\n',
): (typeof documents)['\n  subscription TrainingJobUpdated($id: ID!) {\n    trainingJobUpdated(id: $id) {\n      ...JobDetailFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation CancelTrainingJob($id: ID!) {\n    cancelTrainingJob(id: $id) {\n      ...JobDetailFields\n    }\n  }\n',
): (typeof documents)['\n  mutation CancelTrainingJob($id: ID!) {\n    cancelTrainingJob(id: $id) {\n      ...JobDetailFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation RetryTrainingJob($id: ID!) {\n    retryTrainingJob(id: $id) {\n      ...JobDetailFields\n    }\n  }\n',
): (typeof documents)['\n  mutation RetryTrainingJob($id: ID!) {\n    retryTrainingJob(id: $id) {\n      ...JobDetailFields\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query NewJobOptions {\n    models(first: 100) {\n      edges {\n        node {\n          id\n          name\n          task\n        }\n      }\n    }\n    datasets(first: 100) {\n      edges {\n        node {\n          id\n          name\n          rowCount\n          columns {\n            name\n            type\n          }\n        }\n      }\n    }\n    algorithms {\n      algorithm\n      tasks\n      description\n      hyperparameters {\n        name\n        type\n        default\n        description\n        min\n        max\n        values\n      }\n    }\n  }\n',
): (typeof documents)['\n  query NewJobOptions {\n    models(first: 100) {\n      edges {\n        node {\n          id\n          name\n          task\n        }\n      }\n    }\n    datasets(first: 100) {\n      edges {\n        node {\n          id\n          name\n          rowCount\n          columns {\n            name\n            type\n          }\n        }\n      }\n    }\n    algorithms {\n      algorithm\n      tasks\n      description\n      hyperparameters {\n        name\n        type\n        default\n        description\n        min\n        max\n        values\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query WarmStartVersions($name: String!) {\n    model(name: $name) {\n      id\n      versions(first: 50) {\n        edges {\n          node {\n            id\n            version\n            source\n            trainingJob {\n              id\n              algorithm\n              target\n              features\n            }\n          }\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query WarmStartVersions($name: String!) {\n    model(name: $name) {\n      id\n      versions(first: 50) {\n        edges {\n          node {\n            id\n            version\n            source\n            trainingJob {\n              id\n              algorithm\n              target\n              features\n            }\n          }\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation StartTrainingJob($input: StartTrainingJobInput!) {\n    startTrainingJob(input: $input) {\n      id\n      status\n    }\n  }\n',
): (typeof documents)['\n  mutation StartTrainingJob($input: StartTrainingJobInput!) {\n    startTrainingJob(input: $input) {\n      id\n      status\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query VersionLineage($id: ID!) {\n    modelVersion(id: $id) {\n      id\n      trainingJob {\n        id\n        status\n        algorithm\n        target\n        dataset {\n          id\n          name\n          deletedAt\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query VersionLineage($id: ID!) {\n    modelVersion(id: $id) {\n      id\n      trainingJob {\n        id\n        status\n        algorithm\n        target\n        dataset {\n          id\n          name\n          deletedAt\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query DashboardTraining {\n    datasets(first: 1) {\n      totalCount\n    }\n    running: trainingJobs(first: 10, status: RUNNING) {\n      totalCount\n      edges {\n        node {\n          ...JobListFields\n        }\n      }\n    }\n    queued: trainingJobs(first: 1, status: QUEUED) {\n      totalCount\n    }\n  }\n',
): (typeof documents)['\n  query DashboardTraining {\n    datasets(first: 1) {\n      totalCount\n    }\n    running: trainingJobs(first: 10, status: RUNNING) {\n      totalCount\n      edges {\n        node {\n          ...JobListFields\n        }\n      }\n    }\n    queued: trainingJobs(first: 1, status: QUEUED) {\n      totalCount\n    }\n  }\n'];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> =
  TDocumentNode extends DocumentNode<infer TType, any> ? TType : never;
