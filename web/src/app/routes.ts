/**
 * Hash routes, so the server serves one index.html for the whole dashboard:
 * `#/` picks an account; `#/<account>/<page>` opens a page; `#/<account>/<collection>/<id>` opens a record.
 */
import { useEffect, useState } from 'preact/hooks';

export type PageName = string;

export interface Route {
  account: string | null;
  page: PageName | null;
  /** As the route writes it: digits for an integer id, or a uuid. */
  recordId: string | null;
}

export function parseRoute(hash: string): Route {
  const [account, page, id] = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  return { account: account || null, page: page || null, recordId: id || null };
}

export function href(account: string, page?: PageName, recordId?: number | string): string {
  return `#/${encodeURIComponent(account)}${page ? `/${page}` : ''}${recordId ? `/${encodeURIComponent(recordId)}` : ''}`;
}

export function navigate(target: string): void {
  window.location.hash = target;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
