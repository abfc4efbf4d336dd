/**
 * Hash routes, so the server serves one index.html for the whole dashboard:
 * `#/` picks an account; `#/<account>/<page>` opens a page; `#/<account>/<collection>/<id>` opens a record.
 */
import { useEffect, useState } from 'preact/hooks';

export type PageName = string;

export interface Route {
  account: string | null;
  page: PageName | null;
  recordId: number | null;
}

export function parseRoute(hash: string): Route {
  const [account, page, id] = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const recordId = id && /^\d+$/.test(id) ? Number(id) : null;
  return { account: account || null, page: page || null, recordId };
}

export function href(account: string, page?: PageName, recordId?: number): string {
  return `#/${encodeURIComponent(account)}${page ? `/${page}` : ''}${recordId ? `/${recordId}` : ''}`;
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
