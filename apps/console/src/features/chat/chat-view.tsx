'use client';
import { useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { useQuery } from 'urql';
import { MessageSquare, Sigma } from 'lucide-react';
import { LanguageModelTargetsQuery } from '@/graphql/language-models';
import { describeError } from '@/lib/api-error';
import { PageHeader } from '@/components/page-header';
import { Card } from '@/components/ui/card';
import { EmptyState, ErrorMessage, LoadingRows } from '@/components/ui/states';
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs';
import { ChatPanel } from './chat-panel';
import { EmbeddingsPanel } from './embeddings-panel';
import type { Targets } from './target-picker';

type Tab = 'chat' | 'embeddings';

/**
 * `/chat`: chat with a language model (streamed), or try an embedding model. The URL may name
 * the tab (`tab=embeddings`), a `deployment` or a `model`, and the model's `version` (a number or
 * an alias).
 */
export function ChatView() {
  const params = useSearchParams();
  const [{ data, fetching, error }] = useQuery({ query: LanguageModelTargetsQuery });
  const [tab, setTabState] = useState<Tab>(
    params.get('tab') === 'embeddings' ? 'embeddings' : 'chat',
  );
  const fromUrl = {
    deployment: params.get('deployment'),
    model: params.get('model'),
    version: params.get('version'),
  };
  const noTarget = { deployment: null, model: null, version: null };
  const deployments = data?.deployments ?? [];
  const chatTargets: Targets = {
    deployments: deployments.filter((d) => d.model.task === 'TEXT_GENERATION'),
    models: data?.textModels.edges.map((e) => e.node) ?? [],
  };
  const embeddingTargets: Targets = {
    deployments: deployments.filter((d) => d.model.task === 'EMBEDDING'),
    models: data?.embeddingModels.edges.map((e) => e.node) ?? [],
  };
  const none = (targets: Targets, panel: Tab) =>
    !targets.deployments.length &&
    !targets.models.some((m) => m.latestVersion) &&
    !(tab === panel && (fromUrl.model || fromUrl.deployment));

  // The URL follows the tab (a reload or a shared link opens it); the model it named was for the
  // tab it was opened on.
  const setTab = (next: string) => {
    const chosen: Tab = next === 'embeddings' ? 'embeddings' : 'chat';
    setTabState(chosen);
    window.history.replaceState(
      null,
      '',
      chosen === 'embeddings' ? '?tab=embeddings' : window.location.pathname,
    );
  };

  return (
    <>
      <PageHeader
        title="Chat"
        description="Talk to a language model, or compare texts with an embedding model, through the same API your services use."
      />
      <ErrorMessage error={describeError(error)} title="Cannot list models" className="mb-4" />
      <Tabs value={tab} onValueChange={setTab}>
        <TabsList aria-label="Language model tools">
          <TabsTrigger value="chat">
            <MessageSquare aria-hidden />
            Chat
          </TabsTrigger>
          <TabsTrigger value="embeddings">
            <Sigma aria-hidden />
            Embeddings
          </TabsTrigger>
        </TabsList>
        {/* Both stay mounted: switching tabs keeps the conversation and the results. */}
        <TabsContent value="chat" forceMount className="data-[state=inactive]:hidden">
          {fetching && !data ? (
            <LoadingRows rows={4} />
          ) : none(chatTargets, 'chat') ? (
            <Card>
              <EmptyState
                icon={<MessageSquare />}
                title="No language model yet"
                description="Upload a TEXT_GENERATION bundle (a tar, tar.gz or zip in the Hugging Face layout) to a model, then chat with it here."
              />
            </Card>
          ) : (
            <ChatPanel targets={chatTargets} fromUrl={tab === 'chat' ? fromUrl : noTarget} />
          )}
        </TabsContent>
        <TabsContent value="embeddings" forceMount className="data-[state=inactive]:hidden">
          {fetching && !data ? (
            <LoadingRows rows={4} />
          ) : none(embeddingTargets, 'embeddings') ? (
            <Card>
              <EmptyState
                icon={<Sigma />}
                title="No embedding model yet"
                description="Upload an EMBEDDING bundle (an encoder with its tokenizer and pooling config) to a model, then try it here."
              />
            </Card>
          ) : (
            <EmbeddingsPanel
              targets={embeddingTargets}
              fromUrl={tab === 'embeddings' ? fromUrl : noTarget}
            />
          )}
        </TabsContent>
      </Tabs>
    </>
  );
}
