/** Choose the account to work on: the token's accounts, the accounts that hold settings, or one typed in. */
import { useEffect, useState } from 'preact/hooks';
import type { ApiMessage } from '../api/client';
import { listAccounts, type Session } from '../api/session';
import { href, navigate } from '../app/routes';
import { ErrorList, errorsOf } from '../components/ErrorList';

const ACCOUNT_ID = /^[0-9a-f]{32}$/i;

export function AccountPicker({ session }: { session: Session }) {
  const [accounts, setAccounts] = useState<string[] | null>(session.accounts);
  const [typed, setTyped] = useState('');
  const [errors, setErrors] = useState<ApiMessage[]>([]);
  useEffect(() => {
    listAccounts().then(setAccounts, (error) => setErrors(errorsOf(error)));
  }, []);
  const open = (event: Event) => {
    event.preventDefault();
    const account = typed.trim().toLowerCase();
    if (ACCOUNT_ID.test(account)) navigate(href(account, 'allow_policies'));
    else setErrors([{ code: 0, message: 'An account ID is 32 hexadecimal characters.' }]);
  };
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Accounts</h1>
      <ErrorList errors={errors} />
      {accounts && accounts.length > 0 ? (
        <ul class="account-list">
          {accounts.map((account) => (
            <li key={account}>
              <a href={href(account, 'allow_policies')}>{account}</a>
            </li>
          ))}
        </ul>
      ) : (
        <p>No account holds settings yet.</p>
      )}
      {session.accounts === null && (
        <form class="controls" onSubmit={open}>
          <div class="field">
            <label for="account-id">Account ID</label>
            <input id="account-id" value={typed} spellcheck={false} onInput={(event) => setTyped(event.currentTarget.value)} />
          </div>
          <button type="submit">Open account</button>
        </form>
      )}
    </section>
  );
}
