import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, type ApiClient, type Agent } from '../api.js';

export function LoginScreen(props: { api: ApiClient; notice: string | null; onLoggedIn: (result: { token: string; expiresAt: string; agent: Agent }) => void }) {
  const { api, notice, onLoggedIn } = props;
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);

  useEffect(() => emailRef.current?.focus(), []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (email.trim() === '' || password === '') {
      setError('Enter your e-mail and password.');
      return;
    }
    setError(null);
    setBusy(true);
    try {
      onLoggedIn(await api.login(email.trim(), password));
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : 'Signing in failed. Please try again.');
      setBusy(false);
    }
  }

  return (
    <main className="login" aria-labelledby="login-heading">
      <form className="login-card" onSubmit={submit} noValidate data-testid="login-form">
        <p className="brand">Skyway Support</p>
        <h1 id="login-heading">Sign in to the agent console</h1>
        {notice && !error ? (
          <p className="info" role="status" data-testid="login-notice">
            {notice}
          </p>
        ) : null}
        <label htmlFor="login-email">Work e-mail</label>
        <input
          id="login-email"
          ref={emailRef}
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          data-testid="login-email"
        />
        <label htmlFor="login-password">Password</label>
        <input
          id="login-password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          data-testid="login-password"
        />
        {error ? (
          <p className="error" role="alert" data-testid="login-error">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={busy} data-testid="login-submit">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
