/** A saved connection: key hint, base URL, date; Test, Replace key, Remove. */
import { useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { AlertIcon, CheckIcon } from '../../components/icons';
import { api, messageOf } from '../../lib/api';
import { formatDate, formatMs } from '../../lib/format';
import type { ProviderRecord, ProviderTestResult, ProviderType } from '../../lib/types';
import { ProviderForm } from './provider-form';

interface ProviderConnectionProps {
  type: ProviderType;
  record: ProviderRecord;
  onChanged: () => Promise<void>;
}

export function ProviderConnection({ type, record, onChanged }: ProviderConnectionProps) {
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<ProviderTestResult | { error: string } | null>(null);
  const [replacing, setReplacing] = useState(false);
  const [removing, setRemoving] = useState(false);

  async function test() {
    setTesting(true);
    setResult(null);
    try {
      setResult(await api.post<ProviderTestResult>(`/api/providers/${record.id}/test`));
    } catch (err) {
      setResult({ error: messageOf(err) });
    } finally {
      setTesting(false);
    }
  }

  const custom = record.base_url !== type.default_base_url;
  return (
    <div className="connection">
      <dl className="connection-facts">
        <div>
          <dt>Name</dt>
          <dd>
            <code>{record.name}/…</code>
          </dd>
        </div>
        <div>
          <dt>Key</dt>
          <dd>
            <code>{record.key_hint || 'none'}</code>
          </dd>
        </div>
        <div>
          <dt>Added</dt>
          <dd>{formatDate(record.created_at)}</dd>
        </div>
        {custom ? (
          <div className="wide">
            <dt>Base URL</dt>
            <dd>
              <code className="break">{record.base_url}</code>
            </dd>
          </div>
        ) : null}
      </dl>

      {result ? <TestResult result={result} /> : null}

      {replacing ? (
        <ProviderForm
          type={type}
          existing={record}
          needsName={false}
          onCancel={() => setReplacing(false)}
          onSaved={async () => {
            setReplacing(false);
            setResult(null);
            await onChanged();
          }}
        />
      ) : (
        <div className="connection-actions">
          <button type="button" className="btn btn-secondary btn-sm" onClick={() => void test()} disabled={testing}>
            {testing ? 'Testing…' : 'Test'}
          </button>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setReplacing(true)}>
            Replace key
          </button>
          <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => setRemoving(true)}>
            Remove
          </button>
        </div>
      )}

      {removing ? (
        <ConfirmDialog
          title={`Remove ${type.label}?`}
          description={
            <>
              Z-AI deletes the stored key for <code>{record.name}</code>. Requests for <code>{record.name}/…</code> models will
              fail until you connect it again.
            </>
          }
          confirmLabel="Remove provider"
          onConfirm={async () => {
            await api.delete(`/api/providers/${record.id}`);
            await onChanged();
          }}
          onClose={() => setRemoving(false)}
        />
      ) : null}
    </div>
  );
}

function TestResult({ result }: { result: ProviderTestResult | { error: string } }) {
  if ('error' in result) {
    return (
      <p className="test-result test-fail" role="status">
        <AlertIcon /> {result.error}
      </p>
    );
  }
  return (
    <p className={result.ok ? 'test-result test-ok' : 'test-result test-fail'} role="status">
      {result.ok ? <CheckIcon /> : <AlertIcon />}
      <strong>{result.ok ? 'Working' : result.status ? `Failed (${result.status})` : 'Unreachable'}</strong>
      <span className="test-latency">{formatMs(result.latency_ms)}</span>
      <span className="test-message">{result.message}</span>
    </p>
  );
}
