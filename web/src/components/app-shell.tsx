/** The signed-in layout: the left navigation, the account menu and the page. */
import type { ReactNode } from 'react';
import { linkClick } from '../lib/router';
import { useSession } from '../lib/session';
import { ChartIcon, ChatIcon, KeyIcon, Logo, LogoutIcon, PlugIcon, ShieldIcon, TagIcon } from './icons';

interface NavItem {
  path: string;
  label: string;
  icon: () => ReactNode;
  admin?: boolean;
}

const NAV: NavItem[] = [
  { path: '/providers', label: 'Providers', icon: PlugIcon },
  { path: '/keys', label: 'Keys', icon: KeyIcon },
  { path: '/usage', label: 'Usage', icon: ChartIcon },
  { path: '/prices', label: 'Prices', icon: TagIcon },
  { path: '/playground', label: 'Playground', icon: ChatIcon },
  { path: '/admin', label: 'Admin', icon: ShieldIcon, admin: true },
];

export function AppShell({ path, children }: { path: string; children: ReactNode }) {
  const { user, logout } = useSession();
  const items = NAV.filter((item) => !item.admin || user?.role === 'admin');

  return (
    <div className="shell">
      <aside className="sidebar">
        <a className="brand" href="/providers" onClick={linkClick('/providers')}>
          <Logo />
          <span className="brand-name">Z-AI</span>
        </a>
        <nav aria-label="Main">
          <ul className="nav-list">
            {items.map((item) => {
              const active = path === item.path || path.startsWith(`${item.path}/`);
              return (
                <li key={item.path}>
                  <a
                    className={active ? 'nav-link active' : 'nav-link'}
                    href={item.path}
                    aria-current={active ? 'page' : undefined}
                    onClick={linkClick(item.path)}
                  >
                    <item.icon />
                    {item.label}
                  </a>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="sidebar-footer">
          <div className="account">
            <span className="avatar" aria-hidden="true">
              {(user?.email ?? '?').slice(0, 1).toUpperCase()}
            </span>
            <div className="account-text">
              <span className="account-email" title={user?.email}>
                {user?.email}
              </span>
              <span className="account-role">{user?.role === 'admin' ? 'Admin' : 'Member'}</span>
            </div>
          </div>
          <button type="button" className="btn btn-sidebar" onClick={() => void logout()}>
            <LogoutIcon />
            Log out
          </button>
        </div>
      </aside>
      <main className="main" id="main">
        <div className="content">{children}</div>
      </main>
    </div>
  );
}
