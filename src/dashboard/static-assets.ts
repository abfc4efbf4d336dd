/**
 * The built dashboard (dist/web: index.html and hashed files under assets/) served at `/` by
 * @fastify/static. Its pages get a Content-Security-Policy of their own, as strict as a single-page
 * app allows: scripts, styles, images and API calls from this origin only, no inline script or style,
 * no framing. Routes inside the dashboard are hash routes (`/#/...`), so only real files are served
 * and every other path keeps the API's 404 envelope.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build` puts the dashboard, from src/dashboard/ and from dist/dashboard/ alike. */
export const BUILT_DASHBOARD = resolve(import.meta.dirname, '../../dist/web');

const DASHBOARD_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

// Files under assets/ are named after their content: a new build gives new names, so they never go stale.
const IMMUTABLE = 'public, max-age=31536000, immutable';

export async function registerStaticAssets(app: FastifyInstance, directory: string = BUILT_DASHBOARD): Promise<void> {
  const built = existsSync(join(directory, 'index.html'));
  await app.register(async (scope) => {
    scope.addHook('onRequest', (_request, reply, done) => {
      reply.header('content-security-policy', DASHBOARD_CSP);
      reply.header('x-frame-options', 'DENY');
      done();
    });
    if (!built) {
      scope.get('/', { schema: { hide: true } }, (_request, reply) =>
        reply
          .code(404)
          .type('text/plain; charset=utf-8')
          .send(`The dashboard is not built: run \`npm run build\` (it writes ${directory}).\n`),
      );
      return;
    }
    await scope.register(fastifyStatic, {
      root: resolve(directory),
      prefix: '/',
      // One route per file found now (and `/` for index.html); any other path stays the API's 404.
      wildcard: false,
      index: 'index.html',
      cacheControl: false,
      etag: true,
      lastModified: true,
      setHeaders(reply, path) {
        const underAssets = path.startsWith(join(resolve(directory), 'assets') + '/');
        reply.header('cache-control', underAssets ? IMMUTABLE : 'no-cache');
      },
    });
  });
}
