// Operations of resource sharing: quotas and usage of workspaces, usage series, the audit log.
import { graphql } from '@/gql';

export const QuotaFields = graphql(`
  fragment QuotaFields on Quota {
    maxModels
    maxVersionsPerModel
    maxStorageBytes
    maxDatasetBytes
    maxConcurrentJobs
    maxQueuedJobs
    maxPredictionsPerDay
    maxTokensPerDay
    requestsPerSecond
  }
`);

export const WorkspaceUsageFields = graphql(`
  fragment WorkspaceUsageFields on WorkspaceUsage {
    models
    storageBytes
    datasetBytes
    runningJobs
    queuedJobs
    predictionsToday
    tokensToday
  }
`);

export const WorkspaceQuotaQuery = graphql(`
  query WorkspaceQuota {
    viewer {
      workspace {
        id
        name
        quota {
          ...QuotaFields
        }
        usage {
          ...WorkspaceUsageFields
        }
      }
    }
  }
`);

export const UsageSeriesQuery = graphql(`
  query UsageSeries(
    $from: DateTime!
    $to: DateTime!
    $granularity: UsageGranularity
    $groupBy: [UsageDimension!]
  ) {
    usage(from: $from, to: $to, granularity: $granularity, groupBy: $groupBy) {
      start
      apiKey {
        id
        name
      }
      model {
        id
        name
      }
      deployment {
        id
        name
      }
      requests
      predictionRows
      promptTokens
      completionTokens
      trainingSeconds
    }
  }
`);

export const AuditEventsQuery = graphql(`
  query AuditEvents($filter: AuditFilter, $first: Int, $after: String) {
    auditEvents(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          at
          workspace {
            id
            name
          }
          actor {
            id
            name
            role
          }
          sourceAddress
          action
          targetType
          targetId
          outcome
          details
        }
      }
    }
  }
`);

export const WorkspacesUsageQuery = graphql(`
  query WorkspacesUsage {
    workspaces {
      id
      name
      createdAt
      quota {
        ...QuotaFields
      }
      usage {
        ...WorkspaceUsageFields
      }
    }
  }
`);

export const SetWorkspaceQuotaMutation = graphql(`
  mutation SetWorkspaceQuota($workspaceId: ID!, $quota: QuotaInput!) {
    setWorkspaceQuota(workspaceId: $workspaceId, quota: $quota) {
      id
      name
      quota {
        ...QuotaFields
      }
      usage {
        ...WorkspaceUsageFields
      }
    }
  }
`);
