/** Sign in with an API token; the server answers an HttpOnly session cookie and the token is forgotten here. */
import { useState } from 'preact/hooks';
import type { ApiMessage } from '../api/client';
import { signIn, type Session } from '../api/session';
import { ErrorList, errorsOf } from '../components/ErrorList';

export function SignIn({ notice, onSignedIn }: { notice: string; onSignedIn: (session: Session) => void }) {
  const [token, setToken] = useState('');
  const [errors, setErrors] = useState<ApiMessage[]>([]);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const session = await signIn(token.trim());
      setToken('');
      onSignedIn(session);
    } catch (error) {
      setErrors(errorsOf(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>mailwarden</h1>
      <p>Sign in with an API token to keep this server's Email Security settings.</p>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <form onSubmit={(event) => void submit(event)}>
        <ErrorList errors={errors} />
        <div class="field">
          <label for="api-token">API token</label>
          <input
            id="api-token"
            type="password"
            autocomplete="off"
            required
            value={token}
            onInput={(event) => setToken(event.currentTarget.value)}
          />
          <small class="hint">From `mailwarden tokens create`, or data/initial-admin-token after the first start.</small>
        </div>
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
