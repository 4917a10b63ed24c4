/** Log in / Sign up: one card, errors inline under the form. */
import { useState, type FormEvent } from 'react';
import { Field } from '../../components/field';
import { Logo } from '../../components/icons';
import { InlineError } from '../../components/inline-error';
import { messageOf } from '../../lib/api';
import { linkClick } from '../../lib/router';
import { useSession } from '../../lib/session';

export function AuthPage({ mode }: { mode: 'login' | 'signup' }) {
  const { login, signup, bootError, notice } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const isSignup = mode === 'signup';

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await (isSignup ? signup(email, password) : login(email, password));
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  }

  return (
    <div className="auth">
      <div className="auth-aside">
        <div className="auth-brand">
          <Logo />
          <span className="brand-name">Z-AI</span>
        </div>
        <h2 className="auth-headline">One key for every model you already pay for.</h2>
        <ul className="auth-points">
          <li>Bring your OpenAI, Anthropic, Gemini, Groq, Mistral, Together, Fireworks or self-hosted keys.</li>
          <li>Call them all through one OpenAI-compatible endpoint.</li>
          <li>Scoped keys with allow-lists, spend caps and fallbacks. No markup, ever.</li>
        </ul>
      </div>
      <div className="auth-main">
        <form className="auth-card" onSubmit={(e) => void submit(e)} noValidate>
          <h1 className="auth-title">{isSignup ? 'Create your account' : 'Log in to Z-AI'}</h1>
          <p className="muted">{isSignup ? 'The first account on a server becomes its admin.' : 'Welcome back.'}</p>
          {notice ? (
            <p className="notice" role="status">
              {notice}
            </p>
          ) : null}
          <InlineError message={bootError} />
          <Field label="Email">
            {(id) => (
              <input
                id={id}
                className="input"
                type="email"
                autoComplete="email"
                required
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            )}
          </Field>
          <Field label="Password" hint={isSignup ? 'At least 10 characters.' : undefined}>
            {(id, describedBy) => (
              <input
                id={id}
                className="input"
                type="password"
                autoComplete={isSignup ? 'new-password' : 'current-password'}
                required
                aria-describedby={describedBy}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            )}
          </Field>
          <InlineError message={error} />
          <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
            {busy ? 'Please wait…' : isSignup ? 'Create account' : 'Log in'}
          </button>
          <p className="auth-switch">
            {isSignup ? 'Already have an account? ' : 'New to Z-AI? '}
            <a href={isSignup ? '/login' : '/signup'} onClick={linkClick(isSignup ? '/login' : '/signup')}>
              {isSignup ? 'Log in' : 'Sign up'}
            </a>
          </p>
        </form>
      </div>
    </div>
  );
}
