import { graphql } from '@/gql';

export const PromotionFieldsFragment = graphql(`
  fragment PromotionFields on Promotion {
    id
    status
    reason
    forced
    createdAt
    updatedAt
    candidate {
      id
      version
    }
    champion {
      id
      version
    }
    steps {
      weight
      minRequests
      minSeconds
      startedAt
      endedAt
      requests
      errors
      errorRate
      p99LatencyMs
      outcome
    }
  }
`);

export const DeploymentPromotionsQuery = graphql(`
  query DeploymentPromotions($deployment: String!) {
    promotions(deployment: $deployment) {
      ...PromotionFields
    }
  }
`);

export const PromotionUpdatedSubscription = graphql(`
  subscription PromotionUpdated($id: ID!) {
    promotionUpdated(id: $id) {
      ...PromotionFields
    }
  }
`);

export const PromoteMutation = graphql(`
  mutation Promote($input: PromoteInput!) {
    promote(input: $input) {
      ...PromotionFields
    }
  }
`);

export const ApprovePromotionMutation = graphql(`
  mutation ApprovePromotion($id: ID!) {
    approvePromotion(id: $id) {
      ...PromotionFields
    }
  }
`);

export const CancelPromotionMutation = graphql(`
  mutation CancelPromotion($id: ID!) {
    cancelPromotion(id: $id) {
      ...PromotionFields
    }
  }
`);
