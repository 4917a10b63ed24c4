import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_STORE } from '../../../test/helpers/harness.js';
import { migrate, openStore, type Store } from '../database.js';

let store: Store | undefined;
let drop: (() => Promise<void>) | undefined;

afterEach(async () => {
  await store?.close();
  await drop?.();
});

describe('009-provider-key-pools', () => {
  it("moves each provider's key into its pool as the first key, leaving no copy behind", async () => {
    let databaseUrl: string | undefined;
    if (TEST_STORE === 'postgres') {
      const database = await createTestDatabase();
      databaseUrl = database.url;
      drop = database.drop;
    }
    store = await openStore({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'zai-mig-')), databaseUrl });
    await migrate(store, '007-account-status-and-provider-checks');
    await sql`INSERT INTO users (id, email, password_hash, role, created_at) VALUES ('usr_1', 'a@example.com', 'x', 'member', 1)`.execute(
      store.db,
    );
    await sql`INSERT INTO providers (id, user_id, provider, name, base_url, key_ciphertext, key_hint, created_at, updated_at)
      VALUES ('prv_1', 'usr_1', 'openai', 'openai', 'https://api.openai.com/v1', 'gAAAAAtoken', 'sk-…abcd', 5, 6)`.execute(
      store.db,
    );

    expect(await migrate(store)).toContain('009-provider-key-pools');
    const keys = await store.db.selectFrom('provider_keys').selectAll().execute();
    expect(keys).toEqual([
      {
        id: 'pky_prv_1',
        provider_id: 'prv_1',
        user_id: 'usr_1',
        key_ciphertext: 'gAAAAAtoken',
        key_hint: 'sk-…abcd',
        label: '',
        weight: 1,
        enabled: 1,
        created_at: 5,
        updated_at: 6,
      },
    ]);
    const provider = await store.db.selectFrom('providers').selectAll().executeTakeFirstOrThrow();
    expect(Object.keys(provider)).not.toContain('key_ciphertext');
    expect(provider.affinity).toBe(0);
  });
});
