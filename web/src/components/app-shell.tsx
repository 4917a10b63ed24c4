/**
 * The signed-in layout: a skip link, the navigation (a sidebar on wide screens; on phones a compact
 * header whose Menu button opens it as a drawer), the outage banner and the page, which an error
 * boundary keeps from blanking the app. After each navigation focus moves to the new page's title.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ConnectionBanner } from './connection-banner';
import { Dialog } from './dialog';
import { ErrorBoundary } from './error-boundary';
import { Logo, MenuIcon } from './icons';
import { AccountFooter, NavMenu } from './nav-menu';
import { linkClick } from '../lib/router';

export function AppShell({ path, children }: { path: string; children: ReactNode }) {
  const [drawer, setDrawer] = useState(false);
  const firstPath = useRef(path);

  useEffect(() => {
    if (path === firstPath.current) return;
    firstPath.current = '';
    // After a closing drawer has handed focus back to its button (a microtask), not before.
    const timer = window.setTimeout(() => document.querySelector<HTMLElement>('main h1')?.focus({ preventScroll: true }));
    return () => window.clearTimeout(timer);
  }, [path]);

  return (
    <div className="shell">
      <a
        className="skip-link"
        href="#main"
        onClick={(event) => {
          event.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href="/providers" onClick={linkClick('/providers')}>
          <Logo />
          <span className="brand-name">Z-AI</span>
        </a>
        <button
          type="button"
          className="btn btn-sm topbar-menu"
          aria-haspopup="dialog"
          aria-expanded={drawer}
          onClick={() => setDrawer(true)}
        >
          <MenuIcon />
          Menu
        </button>
      </header>
      <aside className="sidebar">
        <div className="sidebar-inner">
          <a className="brand" href="/providers" onClick={linkClick('/providers')}>
            <Logo />
            <span className="brand-name">Z-AI</span>
          </a>
          <NavMenu path={path} />
          <AccountFooter />
        </div>
      </aside>
      <main className="main" id="main" tabIndex={-1}>
        <ConnectionBanner />
        <div className="content">
          <ErrorBoundary resetKey={path}>{children}</ErrorBoundary>
        </div>
      </main>
      {drawer ? (
        <Dialog title="Menu" hideTitle className="drawer" onClose={() => setDrawer(false)}>
          <div className="drawer-head">
            <span className="brand">
              <Logo />
              <span className="brand-name">Z-AI</span>
            </span>
            <button type="button" className="btn btn-sm drawer-close" onClick={() => setDrawer(false)}>
              Close
            </button>
          </div>
          <NavMenu path={path} onNavigate={() => setDrawer(false)} />
          <AccountFooter />
        </Dialog>
      ) : null}
    </div>
  );
}
