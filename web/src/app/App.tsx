/** The dashboard: the session decides between sign-in and the pages; the hash route picks the page. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { onSessionLost } from '../api/client';
import { canWrite, currentSession, signOut, type Session } from '../api/session';
import { AccountPicker } from '../accounts/AccountPicker';
import { AuditPage } from '../audit/AuditPage';
import { SignIn } from '../auth/SignIn';
import { CollectionPage } from '../collections/CollectionPage';
import { collectionsServed } from '../collections/collections';
import { EvaluatePage } from '../evaluate/EvaluatePage';
import { TransferPage } from '../transfer/TransferPage';
import { Navigation } from './Navigation';
import { href, navigate, useRoute } from './routes';

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [notice, setNotice] = useState('');
  const route = useRoute();
  const chosenForUser = useRef(false);

  useEffect(() => {
    onSessionLost(() => {
      setSession(null);
      setNotice('Your session has ended. Sign in again.');
    });
    currentSession().then(setSession, () => setSession(null));
  }, []);

  // A token for exactly one account opens that account once; `Change account` still shows the picker.
  useEffect(() => {
    const only = session?.accounts?.length === 1 ? session.accounts[0] : null;
    if (only && !route.account && !chosenForUser.current) navigate(href(only, 'allow_policies'));
    if (session) chosenForUser.current = true;
  }, [session, route.account]);

  if (session === undefined) return <p class="loading">Loading…</p>;
  if (session === null) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(signedIn) => {
          setNotice('');
          setSession(signedIn);
        }}
      />
    );
  }

  const end = async () => {
    try {
      await signOut();
    } finally {
      chosenForUser.current = false;
      setSession(null);
      setNotice('Signed out.');
      navigate('#/');
    }
  };
  const { account, page, recordId } = route;
  const collection = collectionsServed(session.api_ids).find((served) => served.name === page);
  // In uuid mode the evaluate verdict and the audit log name records by their integer key, which the API does not take.
  const linkRecords = session.api_ids !== 'uuid';
  const writable = canWrite(session);
  return (
    <>
      <Navigation session={session} account={account} page={page} onSignOut={() => void end()} />
      <main id="main" tabIndex={-1}>
        {!account ? (
          <AccountPicker session={session} />
        ) : collection ? (
          <CollectionPage
            key={`${account}/${collection.name}`}
            account={account}
            collection={collection}
            writable={writable}
            recordId={recordId}
          />
        ) : page === 'evaluate' ? (
          <EvaluatePage key={account} account={account} linkRecords={linkRecords} />
        ) : page === 'audit' ? (
          <AuditPage key={account} account={account} linkRecords={linkRecords} />
        ) : page === 'transfer' ? (
          <TransferPage key={account} account={account} writable={writable} />
        ) : (
          <p>
            Unknown page. <a href={href(account, 'allow_policies')}>Allow policies</a>
          </p>
        )}
      </main>
    </>
  );
}
