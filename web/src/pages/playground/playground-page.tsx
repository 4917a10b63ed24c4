/**
 * Playground: chat through the gateway as one of the account's keys, streamed token by token.
 * `/playground?key=…` starts with that key.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { EmptyState } from '../../components/empty-state';
import { InlineError } from '../../components/inline-error';
import { PageHeader } from '../../components/page-header';
import { api } from '../../lib/api';
import { isModelAllowed } from '../../lib/models';
import { pricer } from '../../lib/pricing';
import { linkClick } from '../../lib/router';
import type { KeyRecord, ListOf, Model, Price, ProviderRecord } from '../../lib/types';
import { useAsync } from '../../lib/use-async';
import { ChatMessageView } from './chat-message';
import { defaultModel } from './default-model';
import { ErrorRemedy } from './error-remedy';
import { Composer } from './composer';
import { PlaygroundSettings } from './playground-settings';
import { runCostMicro } from './run-cost';
import { useChatStream } from './use-chat-stream';

export function PlaygroundPage() {
  const data = useAsync(async () => {
    const [keys, models, prices, providers] = await Promise.all([
      api.get<ListOf<KeyRecord>>('/api/keys'),
      api.get<ListOf<Model>>('/api/models'),
      api.get<ListOf<Price>>('/api/prices'),
      api.get<ListOf<ProviderRecord>>('/api/providers'),
    ]);
    return {
      keys: keys.data.filter((k) => !k.revoked_at),
      models: models.data,
      priceOf: pricer(prices.data, providers.data),
    };
  }, []);
  const [keyId, setKeyId] = useState(() => new URLSearchParams(window.location.search).get('key') ?? '');
  const [model, setModel] = useState('');
  const [system, setSystem] = useState('');
  const chat = useChatStream();
  const endRef = useRef<HTMLLIElement>(null);

  const keys = data.data?.keys ?? [];
  const key = keys.find((k) => k.id === keyId) ?? keys[0];
  const models = useMemo(() => {
    const ids = (data.data?.models ?? []).map((m) => m.id);
    const exact = (key?.allowed_models ?? []).filter((p) => !p.endsWith('*'));
    return [...new Set([...ids, ...exact])].filter((id) => isModelAllowed(key?.allowed_models ?? [], id));
  }, [data.data, key]);
  const priceOf = data.data?.priceOf;
  const chosenModel = models.includes(model) ? model : defaultModel(models, priceOf ?? (() => undefined));

  useEffect(() => {
    endRef.current?.scrollIntoView({ block: 'end' });
  }, [chat.messages]);

  if (data.data && keys.length === 0) {
    return (
      <>
        <PageHeader title="Playground" />
        <EmptyState
          title="Create a key first"
          action={
            <a className="btn btn-primary" href="/keys" onClick={linkClick('/keys')}>
              Go to Keys
            </a>
          }
        >
          The Playground sends each chat through the gateway as one of your keys, with its allow-list, cap and fallbacks.
        </EmptyState>
      </>
    );
  }

  const last = chat.messages.length - 1;
  return (
    <>
      <PageHeader
        title="Playground"
        description="Send a chat through the gateway as one of your keys and watch it stream, with its tokens, cost and latency."
      />
      <InlineError message={data.error} />
      <div className="playground">
        <PlaygroundSettings
          keys={keys}
          keyId={key?.id ?? ''}
          onKey={setKeyId}
          models={models}
          priced={(m) => priceOf?.(m) !== undefined}
          model={chosenModel}
          onModel={setModel}
          system={system}
          onSystem={setSystem}
          disabled={chat.streaming}
        />
        <section className="card chat" aria-label="Conversation">
          {chat.messages.length === 0 ? (
            <div className="chat-empty">
              <p className="empty-title">Say something</p>
              <p className="muted">
                Your message goes to {chosenModel ? <code>{chosenModel}</code> : 'the chosen model'} through the real gateway.
                Nothing is stored but the usage row.
              </p>
            </div>
          ) : (
            <ol className="chat-log" aria-live="polite">
              {chat.messages.map((m, i) => (
                <ChatMessageView
                  key={i}
                  message={m}
                  live={chat.streaming && i === last}
                  costMicro={m.run && priceOf ? runCostMicro(m.run, priceOf, chosenModel) : null}
                />
              ))}
              <li ref={endRef} className="chat-end" aria-hidden="true" />
            </ol>
          )}
          <InlineError message={chat.error} />
          {chat.error ? <ErrorRemedy code={chat.errorCode} model={chosenModel} /> : null}
          <Composer
            streaming={chat.streaming}
            canSend={Boolean(key && chosenModel)}
            canClear={chat.messages.length > 0}
            onSend={(text) => key && void chat.send({ keyId: key.id, model: chosenModel, system, text, history: chat.messages })}
            onStop={chat.stop}
            onClear={chat.clear}
          />
        </section>
      </div>
    </>
  );
}
