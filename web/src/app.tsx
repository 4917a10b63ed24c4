/**
 * Session gate and routes. Signed out: the auth page. Signed in: the shell and one page. The Admin
 * page is its own download, fetched only by admins who open it.
 */
import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { AppShell } from './components/app-shell';
import { ConnectionBanner } from './components/connection-banner';
import { ErrorBoundary } from './components/error-boundary';
import { Logo } from './components/icons';
import { SkeletonCard } from './components/skeleton';
import { AuthPage } from './pages/auth/auth-page';
import { KeysPage } from './pages/keys/keys-page';
import { NotFoundPage } from './pages/not-found-page';
import { PlaygroundPage } from './pages/playground/playground-page';
import { PricesPage } from './pages/prices/prices-page';
import { ProvidersPage } from './pages/providers/providers-page';
import { UsagePage } from './pages/usage/usage-page';
import { navigate, usePath } from './lib/router';
import { SessionProvider, useSession } from './lib/session';

const AdminPage = lazy(() => import('./pages/admin/admin-page').then((m) => ({ default: m.AdminPage })));

const TITLES: Record<string, string> = {
  '/providers': 'Providers',
  '/keys': 'Keys',
  '/usage': 'Usage',
  '/prices': 'Prices',
  '/playground': 'Playground',
  '/admin': 'Admin',
  '/login': 'Log in',
  '/signup': 'Sign up',
};

function page(path: string, isAdmin: boolean): ReactNode {
  switch (path) {
    case '/providers':
      return <ProvidersPage />;
    case '/keys':
      return <KeysPage />;
    case '/usage':
      return <UsagePage />;
    case '/prices':
      return <PricesPage />;
    case '/playground':
      return <PlaygroundPage />;
    case '/admin':
      return isAdmin ? (
        <Suspense fallback={<SkeletonCard lines={6} label="the Admin page" />}>
          <AdminPage />
        </Suspense>
      ) : (
        <NotFoundPage />
      );
    default:
      return <NotFoundPage />;
  }
}

function Routes() {
  const { user } = useSession();
  const path = usePath();
  const signedIn = Boolean(user);
  const entry = path === '/' || path === '/login' || path === '/signup';

  useEffect(() => {
    if (signedIn && entry) navigate('/providers', { replace: true });
  }, [signedIn, entry]);

  useEffect(() => {
    document.title = `${TITLES[path] ?? 'Dashboard'} · Z-AI`;
  }, [path]);

  if (user === undefined) {
    return (
      <>
        <ConnectionBanner />
        <div className="splash" aria-busy="true">
          <Logo />
          <span className="sr-only">Loading…</span>
        </div>
      </>
    );
  }
  if (user === null) {
    const mode = path === '/signup' ? 'signup' : 'login';
    return (
      <>
        <ConnectionBanner />
        <AuthPage key={mode} mode={mode} />
      </>
    );
  }
  if (entry) return null;
  return (
    <AppShell path={path} key={user.id}>
      {page(path, user.role === 'admin')}
    </AppShell>
  );
}

export function App() {
  return (
    <ErrorBoundary resetKey="app" full>
      <SessionProvider>
        <Routes />
      </SessionProvider>
    </ErrorBoundary>
  );
}
