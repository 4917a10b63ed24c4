/** A saved connection: key hint, base URL, date, what its last Test said, its key pool; Test, Replace key, Remove. */
import { useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { InlineError } from '../../components/inline-error';
import { AlertIcon, CheckIcon } from '../../components/icons';
import { api, messageOf } from '../../lib/api';
import { formatDate, formatDateTime, formatMs } from '../../lib/format';
import type { ProviderCheck, ProviderRecord, ProviderType } from '../../lib/types';
import { checkLabel } from './provider-check';
import { KeyPool } from './key-pool';
import { ProviderForm } from './provider-form';

interface ProviderConnectionProps {
  type: ProviderType;
  record: ProviderRecord;
  onChanged: () => Promise<void>;
}

export function ProviderConnection({ type, record, onChanged }: ProviderConnectionProps) {
  const [testing, setTesting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [replacing, setReplacing] = useState(false);
  const [removing, setRemoving] = useState(false);

  async function test() {
    setTesting(true);
    setError(null);
    try {
      await api.post(`/api/providers/${record.id}/test`);
      await onChanged();
    } catch (err) {
      setError(messageOf(err));
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
          <dt>{record.keys.length > 1 ? `Keys (${record.keys.length})` : 'Key'}</dt>
          <dd>
            <code>{record.key_hint || 'none'}</code>
            {record.keys.length > 1 ? '…' : null}
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

      <div role="status" className="check-status">
        {testing ? <p className="test-result test-running">Testing…</p> : null}
        {!testing && record.last_check ? <CheckResult check={record.last_check} /> : null}
        {!testing && !record.last_check ? <p className="muted small">Not tested since the key was saved.</p> : null}
      </div>
      <InlineError message={error} />

      <KeyPool record={record} onChanged={onChanged} />

      {replacing ? (
        <ProviderForm
          type={type}
          existing={record}
          needsName={false}
          onCancel={() => setReplacing(false)}
          onSaved={async () => {
            setReplacing(false);
            await onChanged();
          }}
        />
      ) : (
        <div className="connection-actions">
          <button
            type="button"
            className="btn btn-secondary btn-sm"
            onClick={() => void test()}
            disabled={testing}
            aria-label={`Test ${record.name}`}
          >
            {testing ? 'Testing…' : 'Test'}
          </button>
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            onClick={() => setReplacing(true)}
            aria-label={`Replace key of ${record.name}`}
          >
            {record.keys.length > 1 ? 'Replace first key' : 'Replace key'}
          </button>
          <button
            type="button"
            className="btn btn-ghost btn-sm btn-danger-text"
            onClick={() => setRemoving(true)}
            aria-label={`Remove ${record.name}`}
          >
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

function CheckResult({ check }: { check: ProviderCheck }) {
  return (
    <div className={check.ok ? 'test-result test-ok' : 'test-result test-fail'}>
      {check.ok ? <CheckIcon /> : <AlertIcon />}
      <strong>{checkLabel(check)}</strong>
      <span className="test-latency">{formatMs(check.latency_ms)}</span>
      <span className="test-when">
        tested <time dateTime={check.checked_at}>{formatDateTime(check.checked_at)}</time>
      </span>
      <span className="test-message">{check.message}</span>
    </div>
  );
}
