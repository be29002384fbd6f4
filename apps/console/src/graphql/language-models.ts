// Operations of language models: the Chat page's targets, streamed generation, embeddings, and a
// bundle version's files and config.
import { graphql } from '@/gql';

export const LanguageModelInfoFields = graphql(`
  fragment LanguageModelInfoFields on LanguageModelInfo {
    architecture
    contextLength
    vocabularySize
    layers
    keyValueHeads
    headSize
    hasChatTemplate
    embeddingDimensions
  }
`);

export const LanguageModelTargetsQuery = graphql(`
  query LanguageModelTargets {
    deployments {
      id
      name
      model {
        id
        name
        task
      }
      routes {
        weight
        version {
          id
          version
        }
      }
    }
    textModels: models(first: 100, filter: { task: TEXT_GENERATION }) {
      edges {
        node {
          id
          name
          task
          latestVersion {
            id
            version
          }
        }
      }
    }
    embeddingModels: models(first: 100, filter: { task: EMBEDDING }) {
      edges {
        node {
          id
          name
          task
          latestVersion {
            id
            version
          }
        }
      }
    }
  }
`);

export const LanguageModelVersionsQuery = graphql(`
  query LanguageModelVersions($name: String!) {
    model(name: $name) {
      id
      aliases {
        alias
        version {
          id
          version
        }
      }
      versions(first: 50) {
        edges {
          node {
            id
            version
          }
        }
      }
    }
  }
`);

export const LanguageModelVersionInfoQuery = graphql(`
  query LanguageModelVersionInfo($id: ID!) {
    modelVersion(id: $id) {
      id
      version
      model {
        id
        name
      }
      languageModel {
        ...LanguageModelInfoFields
      }
    }
  }
`);

export const VersionBundleQuery = graphql(`
  query VersionBundle($id: ID!) {
    modelVersion(id: $id) {
      id
      languageModel {
        ...LanguageModelInfoFields
      }
      files {
        path
        sizeBytes
        sha256
      }
    }
  }
`);

export const GenerationSubscription = graphql(`
  subscription Generation($input: GenerateInput!) {
    generation(input: $input) {
      id
      index
      text
      finishReason
      usage {
        promptTokens
        completionTokens
        totalTokens
      }
    }
  }
`);

export const EmbedQuery = graphql(`
  query Embed($input: EmbedInput!) {
    embed(input: $input) {
      vectors
      dimensions
      usage {
        promptTokens
        totalTokens
      }
      modelVersion {
        id
        version
        model {
          id
          name
        }
      }
    }
  }
`);
