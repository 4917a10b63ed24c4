import { EmptyState } from '../components/empty-state';
import { linkClick } from '../lib/router';

export function NotFoundPage() {
  return (
    <EmptyState
      title="This page does not exist"
      action={
        <a className="btn btn-primary" href="/providers" onClick={linkClick('/providers')}>
          Go to Providers
        </a>
      }
    >
      The address may be mistyped, or the page is only for admins.
    </EmptyState>
  );
}
