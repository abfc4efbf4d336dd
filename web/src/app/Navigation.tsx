/** The header: the pages of the chosen account, who is signed in, and `Sign out`. */
import type { Session } from '../api/session';
import { collectionsServed } from '../collections/collections';
import { href } from './routes';

export const TOOL_PAGES = [
  { name: 'evaluate', title: 'Test a message' },
  { name: 'audit', title: 'Audit log' },
  { name: 'transfer', title: 'Import / export' },
];

interface Props {
  session: Session;
  account: string | null;
  page: string | null;
  onSignOut: () => void;
}

export function Navigation({ session, account, page, onSignOut }: Props) {
  const pages = [...collectionsServed(session.api_ids).map(({ name, title }) => ({ name, title })), ...TOOL_PAGES];
  return (
    <header class="top">
      {/* Not href="#main": the hash is the route, so the link moves focus itself. */}
      <a
        class="skip"
        href="#main"
        onClick={(event) => {
          event.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <div class="bar">
        <strong class="brand">mailwarden</strong>
        {account && (
          <span class="account">
            Account <code>{account}</code> <a href="#/">Change account</a>
          </span>
        )}
        <span class="who">
          {session.name} ({session.permission === 'read' ? 'read only' : session.permission})
        </span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </div>
      {account && (
        <nav aria-label="Pages">
          <ul>
            {pages.map(({ name, title }) => (
              <li key={name}>
                <a href={href(account, name)} aria-current={page === name ? 'page' : undefined}>
                  {title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
    </header>
  );
}
