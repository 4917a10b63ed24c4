/** Who is logged in. Asks /api/me on load so a session survives a reload. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, onUnauthorized } from './api';
import type { User } from './types';

interface SessionValue {
  /** undefined while the first /api/me is in flight. */
  user: User | null | undefined;
  /** Set when /api/me failed for another reason than "not logged in". */
  bootError: string | null;
  login(email: string, password: string): Promise<void>;
  signup(email: string, password: string): Promise<void>;
  logout(): Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [bootError, setBootError] = useState<string | null>(null);

  useEffect(() => {
    api
      .get<{ user: User }>('/api/me', { quiet401: true })
      .then((res) => setUser(res.user))
      .catch((err: unknown) => {
        if (!(err instanceof ApiError) || err.status !== 401) setBootError(err instanceof Error ? err.message : String(err));
        setUser(null);
      });
    return onUnauthorized(() => setUser(null));
  }, []);

  const login = useCallback(async (email: string, password: string) => {
    const res = await api.post<{ user: User }>('/api/auth/login', { email, password }, { quiet401: true });
    setUser(res.user);
  }, []);

  const signup = useCallback(async (email: string, password: string) => {
    const res = await api.post<{ user: User }>('/api/auth/signup', { email, password });
    setUser(res.user);
  }, []);

  const logout = useCallback(async () => {
    await api.post('/api/auth/logout').catch(() => undefined);
    setUser(null);
  }, []);

  const value = useMemo(() => ({ user, bootError, login, signup, logout }), [user, bootError, login, signup, logout]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession() outside <SessionProvider>');
  return value;
}
