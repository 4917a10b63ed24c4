/** One turn of the conversation. Text is rendered as text (never as HTML). */
import { Badge } from '../../components/badge';
import { formatCount, formatMs, formatUsd } from '../../lib/format';
import { linkClick } from '../../lib/router';
import type { ChatMessage } from './use-chat-stream';

interface ChatMessageViewProps {
  message: ChatMessage;
  live: boolean;
  costMicro: number | null;
}

export function ChatMessageView({ message, live, costMicro }: ChatMessageViewProps) {
  const mine = message.role === 'user';
  const run = message.run;
  return (
    <li className={mine ? 'msg msg-user' : 'msg msg-assistant'}>
      <span className="msg-role">{mine ? 'You' : 'Assistant'}</span>
      <div className="msg-bubble" data-testid={mine ? undefined : 'assistant-message'} aria-busy={live || undefined}>
        {message.content}
        {live ? <span className="caret" aria-hidden="true" /> : null}
      </div>
      {run ? (
        <dl className="run-stats" aria-label="Run statistics">
          <div>
            <dt>Model</dt>
            <dd className="mono">{run.model}</dd>
          </div>
          <div>
            <dt>Tokens</dt>
            <dd>
              {run.promptTokens === null
                ? '—'
                : `${formatCount(run.promptTokens)} in · ${formatCount(run.completionTokens ?? 0)} out`}
            </dd>
          </div>
          <div>
            <dt>Cost</dt>
            <dd>
              {costMicro === null ? (
                <Unpriced model={run.model} known={run.promptTokens !== null} />
              ) : costMicro > 0 && costMicro < 1 ? (
                '< $0.000001'
              ) : (
                formatUsd(Math.round(costMicro))
              )}
            </dd>
          </div>
          <div>
            <dt>Latency</dt>
            <dd>{formatMs(run.latencyMs)}</dd>
          </div>
          <div>
            <dt>First token</dt>
            <dd>{formatMs(run.ttftMs)}</dd>
          </div>
          {run.stopped ? (
            <div>
              <dt>Status</dt>
              <dd>Stopped</dd>
            </div>
          ) : null}
        </dl>
      ) : null}
    </li>
  );
}

/** No cost to show: unpriced (never "$0.00"), with where to set a price; or no token counts at all. */
function Unpriced({ model, known }: { model: string; known: boolean }) {
  if (!known) return <>—</>;
  const href = `/prices?model=${encodeURIComponent(model)}`;
  return (
    <>
      — <Badge tone="warn">Unpriced</Badge>{' '}
      <a href={href} onClick={linkClick(href)}>
        Set price
      </a>
    </>
  );
}
