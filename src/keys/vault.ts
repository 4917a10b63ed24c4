/**
 * The vault: provider keys are stored only as Fernet tokens under `PROVIDER_KEY_ENCRYPTION_KEY`
 * (a comma-separated list; the first encrypts, all decrypt). Plaintext exists only in memory for
 * the one upstream call that needs it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config.js';
import {
  MultiFernet,
  decryptVerified,
  generateFernetKey,
  parseFernetKey,
  type FernetKey,
  type VerifiedToken,
} from '../crypto/fernet.js';

export const KEY_FILE_NAME = 'provider-key-encryption.key';

const EXPECTED_FORM =
  "must be one or more Fernet keys separated by commas, each 32 bytes of url-safe base64 (44 characters ending in '='), as printed by `zai keygen`";

export interface Vault {
  encrypt(plaintext: string): string;
  decrypt(token: string): string;
  /** Authenticates a token once (see MultiFernet.verify); the result holds no plaintext. */
  verify(token: string): VerifiedToken;
  /** Decrypts a token authenticated by verify(): the AES step only. */
  decryptVerified(verified: VerifiedToken): string;
  /** Re-encrypts under the first key, keeping the token's timestamp; returns the token unchanged if already current. */
  rotate(token: string): { token: string; changed: boolean };
}

export interface LoadVaultOptions {
  encryptionKeys: string | undefined;
  dataDir: string;
  production: boolean;
  /** Told once when a generated key file is used (never the key itself). */
  warn: (message: string) => void;
}

function parseKeyList(text: string, source: string): FernetKey[] {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length === 0 || parts.some((part) => part === '')) throw new ConfigError(`${source} ${EXPECTED_FORM}.`);
  try {
    return parts.map((part) => parseFernetKey(part));
  } catch {
    // The parser's own message is safe too, but this one names the variable and the expected form.
    throw new ConfigError(`${source} ${EXPECTED_FORM}.`);
  }
}

/** Resolves the key list as docs/api.md says: the variable, else (outside production) a generated key file. */
export function loadVault(options: LoadVaultOptions): Vault {
  let keys: FernetKey[];
  if (options.encryptionKeys !== undefined && options.encryptionKeys.trim() !== '') {
    keys = parseKeyList(options.encryptionKeys, 'PROVIDER_KEY_ENCRYPTION_KEY');
  } else if (options.production) {
    throw new ConfigError(
      'PROVIDER_KEY_ENCRYPTION_KEY is not set. With NODE_ENV=production Z-AI will not start without it: ' +
        'generate one with `zai keygen` and pass it through the environment.',
    );
  } else {
    const file = path.join(options.dataDir, KEY_FILE_NAME);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(options.dataDir, { recursive: true });
      // 'wx' fails if another process created it meanwhile; then we read theirs.
      try {
        fs.writeFileSync(file, `${generateFernetKey()}\n`, { mode: 0o600, flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    keys = parseKeyList(fs.readFileSync(file, 'utf8'), `The key file ${file}`);
    options.warn(
      `PROVIDER_KEY_ENCRYPTION_KEY is not set: using the generated key in ${file}. ` +
        'Production deployments must pass the key through the environment.',
    );
  }
  return createVault(keys);
}

/** A vault over an explicit key list (first encrypts). */
export function createVault(keys: readonly FernetKey[]): Vault {
  const fernet = new MultiFernet(keys);
  return {
    encrypt: (plaintext) => fernet.encrypt(Buffer.from(plaintext, 'utf8')),
    decrypt: (token) => fernet.decrypt(token).toString('utf8'),
    verify: (token) => fernet.verify(token),
    decryptVerified: (verified) => decryptVerified(verified).toString('utf8'),
    rotate(token) {
      if (fernet.isCurrent(token)) return { token, changed: false };
      return { token: fernet.rotate(token), changed: true };
    },
  };
}
