import { graphql } from '@/gql';

export const ModelTimelineQuery = graphql(`
  query ModelTimeline($id: ID!, $first: Int) {
    model(id: $id) {
      id
      retrainPolicy {
        trigger
        enabled
        lastTriggeredAt
        deployment {
          name
        }
      }
      timeline(first: $first) {
        at
        kind
        message
        version {
          id
          version
        }
        trainingJob {
          id
        }
        evaluation {
          id
        }
        promotion {
          id
          status
        }
      }
    }
  }
`);
