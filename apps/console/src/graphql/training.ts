// Operations of training: datasets, algorithms, training jobs and their live progress.
import { graphql } from '@/gql';

export const DatasetsQuery = graphql(`
  query Datasets($first: Int!, $after: String) {
    datasets(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          name
          rowCount
          sizeBytes
          createdAt
          columns {
            name
            type
          }
        }
      }
    }
  }
`);

export const DatasetDetailQuery = graphql(`
  query DatasetDetail($id: ID!, $previewRows: Int!) {
    dataset(id: $id) {
      id
      name
      rowCount
      sizeBytes
      createdAt
      deletedAt
      columns {
        name
        type
        nullCount
        min
        max
        mean
        distinct
      }
      preview(limit: $previewRows)
    }
  }
`);

export const CreateDatasetMutation = graphql(`
  mutation CreateDataset($name: String!, $csv: String!) {
    createDataset(name: $name, csv: $csv) {
      id
      name
      rowCount
    }
  }
`);

export const DeleteDatasetMutation = graphql(`
  mutation DeleteDataset($id: ID!) {
    deleteDataset(id: $id)
  }
`);

export const JobListFields = graphql(`
  fragment JobListFields on TrainingJob {
    id
    status
    algorithm
    target
    epoch
    epochs
    progress
    attempts
    error
    createdAt
    startedAt
    finishedAt
    model {
      id
      name
    }
    dataset {
      id
      name
    }
    resultVersion {
      id
      version
    }
  }
`);

export const TrainingJobsQuery = graphql(`
  query TrainingJobs($first: Int!, $after: String, $status: JobStatus, $modelId: ID) {
    trainingJobs(first: $first, after: $after, status: $status, modelId: $modelId) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...JobListFields
        }
      }
    }
  }
`);

export const TrainingJobsUpdatedSubscription = graphql(`
  subscription TrainingJobsUpdated {
    trainingJobsUpdated {
      ...JobListFields
    }
  }
`);

export const JobDetailFields = graphql(`
  fragment JobDetailFields on TrainingJob {
    ...JobListFields
    features
    hyperparameters
    seq
    warmStartVersion {
      id
      version
    }
  }
`);

export const EpochFields = graphql(`
  fragment EpochFields on EpochMetrics {
    epoch
    loss
    validationLoss
    metrics
    at
  }
`);

export const TrainingJobDetailQuery = graphql(`
  query TrainingJobDetail($id: ID!) {
    trainingJob(id: $id) {
      ...JobDetailFields
      history {
        ...EpochFields
      }
    }
  }
`);

export const TrainingJobHistoryQuery = graphql(`
  query TrainingJobHistory($id: ID!, $afterEpoch: Int) {
    trainingJob(id: $id) {
      id
      history(afterEpoch: $afterEpoch) {
        ...EpochFields
      }
    }
  }
`);

export const TrainingJobUpdatedSubscription = graphql(`
  subscription TrainingJobUpdated($id: ID!) {
    trainingJobUpdated(id: $id) {
      ...JobDetailFields
    }
  }
`);

export const CancelTrainingJobMutation = graphql(`
  mutation CancelTrainingJob($id: ID!) {
    cancelTrainingJob(id: $id) {
      ...JobDetailFields
    }
  }
`);

export const RetryTrainingJobMutation = graphql(`
  mutation RetryTrainingJob($id: ID!) {
    retryTrainingJob(id: $id) {
      ...JobDetailFields
    }
  }
`);

export const NewJobOptionsQuery = graphql(`
  query NewJobOptions {
    models(first: 100) {
      edges {
        node {
          id
          name
          task
        }
      }
    }
    datasets(first: 100) {
      edges {
        node {
          id
          name
          rowCount
          columns {
            name
            type
          }
        }
      }
    }
    algorithms {
      algorithm
      tasks
      description
      hyperparameters {
        name
        type
        default
        description
        min
        max
        values
      }
    }
  }
`);

export const WarmStartVersionsQuery = graphql(`
  query WarmStartVersions($name: String!) {
    model(name: $name) {
      id
      versions(first: 50) {
        edges {
          node {
            id
            version
            source
            trainingJob {
              id
              algorithm
              target
              features
            }
          }
        }
      }
    }
  }
`);

export const StartTrainingJobMutation = graphql(`
  mutation StartTrainingJob($input: StartTrainingJobInput!) {
    startTrainingJob(input: $input) {
      id
      status
    }
  }
`);

export const VersionLineageQuery = graphql(`
  query VersionLineage($id: ID!) {
    modelVersion(id: $id) {
      id
      trainingJob {
        id
        status
        algorithm
        target
        dataset {
          id
          name
          deletedAt
        }
      }
    }
  }
`);

export const DashboardTrainingQuery = graphql(`
  query DashboardTraining {
    datasets(first: 1) {
      totalCount
    }
    running: trainingJobs(first: 10, status: RUNNING) {
      totalCount
      edges {
        node {
          ...JobListFields
        }
      }
    }
    queued: trainingJobs(first: 1, status: QUEUED) {
      totalCount
    }
  }
`);
