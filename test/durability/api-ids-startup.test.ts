/** `MAILWARDEN_API_IDS` at start: an invalid value stops `dist/server.js` with a message naming it. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnServer, temporaryDirectory } from '../helpers/server.js';

describe('MAILWARDEN_API_IDS at start', () => {
  it('an invalid value stops the server at start with that message', async () => {
    const directory = temporaryDirectory();
    try {
      const start = spawnServer({ DATABASE_URL: `sqlite:${join(directory.path, 'mailwarden.db')}`, MAILWARDEN_API_IDS: 'uuids' });
      await expect(start).rejects.toThrow(
        /exited with 1 before listening:[\s\S]*MAILWARDEN_API_IDS must be integer or uuid \(got "uuids"\)/,
      );
    } finally {
      directory.remove();
    }
  });

  it('uuid starts the server', async () => {
    const directory = temporaryDirectory();
    try {
      const server = await spawnServer({ DATABASE_URL: `sqlite:${join(directory.path, 'mailwarden.db')}`, MAILWARDEN_API_IDS: 'uuid' });
      expect(await server.stop()).toBe(0);
    } finally {
      directory.remove();
    }
  });
});
