/**
 * Who is logged in. Asks /api/me on load so a session survives a reload; if the server cannot be
 * reached yet, asks again once it can (the session may well be valid). A session that ends while
 * in use (expired, logged out elsewhere, account disabled) leads to the login page with a note.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { api, ApiError, isUnreachable, onUnauthorized } from './api';
import { onRecovered } from './connectivity';
import type { User } from './types';

export const SESSION_ENDED = 'Your session has ended. Log in again to carry on where you were.';

interface SessionValue {
  /** undefined while the first /api/me is in flight (or waiting for the server). */
  user: User | null | undefined;
  /** Set when /api/me failed for another reason than "not logged in". */
  bootError: string | null;
  /** Why the login page is shown, when the session ended by itself. */
  notice: string | null;
  login(email: string, password: string): Promise<void>;
  signup(email: string, password: string): Promise<void>;
  logout(): Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [bootError, setBootError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const signedIn = useRef(false);
  useEffect(() => {
    signedIn.current = Boolean(user);
  }, [user]);

  useEffect(() => {
    let settled = false;
    const ask = () =>
      api
        .get<{ user: User }>('/api/me', { quiet401: true })
        .then((res) => {
          settled = true;
          setUser(res.user);
        })
        .catch((err: unknown) => {
          if (isUnreachable(err)) return;
          settled = true;
          if (!(err instanceof ApiError) || err.status !== 401) setBootError(err instanceof Error ? err.message : String(err));
          setUser(null);
        });
    void ask();
    const stopRecovery = onRecovered(() => {
      if (!settled) void ask();
    });
    const stopUnauthorized = onUnauthorized(() => {
      if (signedIn.current) setNotice(SESSION_ENDED);
      setUser(null);
    });
    return () => {
      stopRecovery();
      stopUnauthorized();
    };
  }, []);

  const login = useCallback(async (email: string, password: string) => {
    const res = await api.post<{ user: User }>('/api/auth/login', { email, password }, { quiet401: true });
    setNotice(null);
    setUser(res.user);
  }, []);

  const signup = useCallback(async (email: string, password: string) => {
    const res = await api.post<{ user: User }>('/api/auth/signup', { email, password });
    setNotice(null);
    setUser(res.user);
  }, []);

  const logout = useCallback(async () => {
    await api.post('/api/auth/logout').catch(() => undefined);
    setNotice(null);
    setUser(null);
  }, []);

  const value = useMemo(
    () => ({ user, bootError, notice, login, signup, logout }),
    [user, bootError, notice, login, signup, logout],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession() outside <SessionProvider>');
  return value;
}
