/**
 * Builds the dashboard (web/) into dist/web, which the server serves at `/`. JSX is compiled for
 * Preact by Vite's own transform (web/tsconfig.json names `preact` as the JSX import source).
 */
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  root: resolve(import.meta.dirname, 'web'),
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: resolve(import.meta.dirname, 'dist/web'),
    emptyOutDir: true,
    // Everything is an external file: the server's Content-Security-Policy allows no inline script or style.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
