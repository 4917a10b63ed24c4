/** The main navigation and the account block, shared by the sidebar and the phone drawer. */
import type { MouseEvent, ReactNode } from 'react';
import { linkClick } from '../lib/router';
import { useSession } from '../lib/session';
import { ChartIcon, ChatIcon, KeyIcon, LogoutIcon, PlugIcon, ShieldIcon, TagIcon } from './icons';

interface NavItem {
  path: string;
  label: string;
  icon: () => ReactNode;
  admin?: boolean;
}

export const NAV: readonly NavItem[] = [
  { path: '/providers', label: 'Providers', icon: PlugIcon },
  { path: '/keys', label: 'Keys', icon: KeyIcon },
  { path: '/usage', label: 'Usage', icon: ChartIcon },
  { path: '/prices', label: 'Prices', icon: TagIcon },
  { path: '/playground', label: 'Playground', icon: ChatIcon },
  { path: '/admin', label: 'Admin', icon: ShieldIcon, admin: true },
];

export function NavMenu({ path, onNavigate }: { path: string; onNavigate?: () => void }) {
  const { user } = useSession();
  const items = NAV.filter((item) => !item.admin || user?.role === 'admin');
  return (
    <nav aria-label="Main">
      <ul className="nav-list">
        {items.map((item) => {
          const active = path === item.path || path.startsWith(`${item.path}/`);
          const go = linkClick(item.path);
          return (
            <li key={item.path}>
              <a
                className={active ? 'nav-link active' : 'nav-link'}
                href={item.path}
                aria-current={active ? 'page' : undefined}
                onClick={(event: MouseEvent<HTMLAnchorElement>) => {
                  go(event);
                  if (event.defaultPrevented) onNavigate?.();
                }}
              >
                <item.icon />
                {item.label}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

export function AccountFooter() {
  const { user, logout } = useSession();
  return (
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
  );
}
