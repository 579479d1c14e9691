/** `/login`: sign in with user name and password, then back to where the person wanted to go. */
import { useLocation } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { useI18n } from '../i18n';
import { homeOf, signIn, useSession } from '../session';

/** The sign-in page. */
export function LoginPage(_props: { path?: string }) {
  const { t } = useI18n();
  const { user, setUser } = useSession();
  const { query, route } = useLocation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const next = query.next && query.next.startsWith('/') && !query.next.startsWith('//') ? query.next : undefined;
  useEffect(() => {
    if (user) route(next ?? homeOf(user), true);
  }, [user]);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setUser(await signIn(username.trim(), password));
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      setError(status === 401 ? t('login.invalid') : status === 429 ? t('login.throttled') : t('errors.generic'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="page narrow login">
      <h1>{t('login.title')}</h1>
      <p class="muted">{t('login.intro')}</p>
      <form onSubmit={submit} class="stack" noValidate>
        <label>
          {t('login.username')}
          <input
            name="username"
            autoComplete="username"
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </label>
        <label>
          {t('login.password')}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || !username || !password}>
          {t('login.submit')}
        </button>
      </form>
    </section>
  );
}
