import { graphql } from '@/gql';

export const MonitoringAlertFieldsFragment = graphql(`
  fragment MonitoringAlertFields on MonitoringAlert {
    id
    at
    kind
    feature
    message
    value
    threshold
    resolvedAt
  }
`);

export const DeploymentMonitoringQuery = graphql(`
  query DeploymentMonitoring($name: String!, $windowSeconds: Int, $bucketSeconds: Int) {
    deploymentMonitoring(
      name: $name
      windowSeconds: $windowSeconds
      bucketSeconds: $bucketSeconds
    ) {
      windowSeconds
      bucketSeconds
      sampled
      buckets {
        start
        version {
          id
          version
        }
        requests
        errors
        feedbackCount
        onlineMetrics
        inputDrift {
          feature
          psi
        }
        predictionDrift
        driftSamples
      }
      alerts {
        ...MonitoringAlertFields
      }
    }
  }
`);

export const MonitoringAlertsSubscription = graphql(`
  subscription MonitoringAlerts($deployment: String!) {
    monitoringAlerts(deployment: $deployment) {
      ...MonitoringAlertFields
    }
  }
`);
