// Operations of evaluation: versions scored side by side on a dataset.
import { graphql } from '@/gql';

export const EvaluationJobFields = graphql(`
  fragment EvaluationJobFields on EvaluationJob {
    id
    status
    target
    error
    createdAt
    finishedAt
    comparison
    dataset {
      id
      name
    }
    versions {
      id
      version
    }
    results {
      metrics
      details
      version {
        id
        version
      }
    }
  }
`);

export const EvaluationJobsQuery = graphql(`
  query EvaluationJobs($modelId: ID!, $first: Int!) {
    evaluationJobs(modelId: $modelId, first: $first) {
      ...EvaluationJobFields
    }
  }
`);

export const EvaluationDatasetsQuery = graphql(`
  query EvaluationDatasets {
    datasets(first: 100) {
      edges {
        node {
          id
          name
          columns {
            name
            type
          }
        }
      }
    }
  }
`);

export const StartEvaluationJobMutation = graphql(`
  mutation StartEvaluationJob($input: StartEvaluationJobInput!) {
    startEvaluationJob(input: $input) {
      ...EvaluationJobFields
    }
  }
`);
