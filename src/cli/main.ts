/**
 * The `zai` command: serve, keygen, migrate, rotate-encryption-key, user create, prices import, usage
 * rebuild-rollups.
 */
import fs from 'node:fs';
import { importPrices, type ImportReport } from '../billing/price-import.js';
import { Command, CommanderError } from 'commander';
import { Accounts } from '../accounts/accounts.js';
import { MemoryLoginThrottle } from '../accounts/login-throttle.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { generateFernetKey } from '../crypto/fernet.js';
import { GatewayError } from '../errors.js';
import { loadVault } from '../keys/vault.js';
import { startServer } from '../server.js';
import { missingServeEnv, missingServeFlags, runsOnGlibc, serveCommand } from './serve-flags.js';
import { migrate, openStore } from '../store/database.js';
import { DAY } from '../usage/rollups.js';
import { ensureRollupsBuilt, rebuildRollups } from '../usage/rollup-rebuild.js';
import { rotateEncryptionKey } from './rotate-encryption-key.js';

function openDatabase(config: Config) {
  return openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
}

async function serve(): Promise<number> {
  const config = loadConfig();
  // Handlers first: a SIGTERM that arrives while starting still shuts down cleanly.
  let stopRequested: ((signal: string) => void) | undefined;
  const stopped = new Promise<string>((resolve) => (stopRequested = resolve));
  process.once('SIGTERM', () => stopRequested?.('SIGTERM'));
  process.once('SIGINT', () => stopRequested?.('SIGINT'));
  const server = await startServer(config);
  const missing = [
    ...missingServeEnv(process.env, runsOnGlibc()),
    ...missingServeFlags(process.execArgv, process.env.NODE_OPTIONS),
  ];
  if (missing.length > 0) {
    server.logger.warn(
      { missing },
      `Z-AI was started without the heap settings it is meant to run with (${missing.join(' ')}); ` +
        'memory under load will be higher. `npm start` and the Docker image pass them: ' +
        `${serveCommand()}`,
    );
  }
  server.logger.info({ url: server.url, storage: server.services.store.dialect }, `Z-AI is listening on ${server.url}`);
  const signal = await stopped;
  server.logger.info({ signal }, 'shutting down: finishing in-flight requests');
  // Non-zero when usage rows or settlements were lost (logged): the database stayed away too long.
  return (await server.close()) > 0 ? 1 : 0;
}

async function migrateCommand(): Promise<number> {
  const config = loadConfig();
  const store = await openDatabase(config);
  try {
    const applied = await migrate(store);
    console.log(applied.length === 0 ? 'Schema is up to date.' : `Applied ${applied.length} migration(s): ${applied.join(', ')}`);
    const rows = await ensureRollupsBuilt(store.db);
    if (rows > 0) console.log(`Built usage rollups from ${rows} request row(s).`);
    return 0;
  } finally {
    await store.close();
  }
}

async function rotateCommand(options: { batchSize: string }): Promise<number> {
  const config = loadConfig();
  const vault = loadVault({
    encryptionKeys: config.encryptionKeys,
    dataDir: config.dataDir,
    production: config.production,
    warn: (m) => console.error(m),
  });
  const store = await openDatabase(config);
  try {
    await migrate(store);
    const counts = await rotateEncryptionKey(store.db, vault, Number(options.batchSize));
    console.log(
      `Scanned ${counts.scanned} provider key(s): ${counts.rotated} re-encrypted, ${counts.alreadyCurrent} already under the first key, ` +
        `${counts.changedMeanwhile} changed meanwhile (left as they are), ${counts.unreadable} not decryptable with any configured key.`,
    );
    return counts.unreadable > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}

async function rebuildRollupsCommand(options: { since?: string }): Promise<number> {
  const config = loadConfig();
  let since: number | undefined;
  if (options.since !== undefined) {
    since = Date.parse(options.since);
    if (!Number.isFinite(since)) {
      console.error('zai: --since must be an ISO-8601 time (e.g. 2026-01-31T00:00:00Z).');
      return 1;
    }
  } else if (config.usageRetentionDays !== undefined) {
    // Older days have lost rows to retention: their rollups are the only record left.
    since = Date.now() - config.usageRetentionDays * DAY;
  }
  const store = await openDatabase(config);
  try {
    await migrate(store);
    const result = await rebuildRollups(store.db, {
      ...(since === undefined ? {} : { since }),
      onDay: (day, rows) => console.log(`${new Date(day).toISOString().slice(0, 10)}: ${rows} request row(s)`),
    });
    console.log(`Rebuilt the usage rollups of ${result.days} day(s) from ${result.rows} request row(s).`);
    return 0;
  } finally {
    await store.close();
  }
}

async function userCreate(options: { email: string; password: string; admin?: boolean }): Promise<number> {
  const config = loadConfig();
  const store = await openDatabase(config);
  try {
    await migrate(store);
    const accounts = new Accounts({ db: store.db, throttle: new MemoryLoginThrottle(), sessionTtlMs: config.sessionTtlMs });
    const user = await accounts.create({
      email: options.email,
      password: options.password,
      role: options.admin ? 'admin' : 'member',
    });
    console.log(`Created ${user.role} account ${user.email} (${user.id}).`);
    return 0;
  } finally {
    await store.close();
  }
}

async function pricesImport(file: string, options: { yes?: boolean }): Promise<number> {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    console.error(`Cannot read ${file} as JSON: ${err instanceof Error ? err.message : String(err)}. Nothing changed.`);
    return 1;
  }
  const config = loadConfig();
  const store = await openDatabase(config);
  try {
    await migrate(store);
    let report: ImportReport;
    try {
      report = await importPrices(store.db, json, { confirm: options.yes === true });
    } catch (err) {
      console.error(err instanceof Error ? err.message : String(err));
      return 1;
    }
    for (const change of report.changed) {
      const from = change.from ? `${change.from.input_usd_per_mtok} / ${change.from.output_usd_per_mtok}` : 'new';
      const flag = report.big_moves.includes(change) ? '  (moves more than 10×)' : '';
      console.log(
        `${change.model}: ${from} → ${change.to.input_usd_per_mtok} / ${change.to.output_usd_per_mtok} USD per million tokens (input / output)${flag}`,
      );
    }
    if (!report.applied) {
      console.error(
        `${report.big_moves.length} price(s) move by more than 10×. Nothing changed; run again with --yes to import.`,
      );
      return 1;
    }
    console.log(
      `Imported: ${report.changed.length} changed, ${report.unchanged} unchanged, ${report.skipped} skipped (other providers or modes). Running servers pick the prices up within 30 seconds.`,
    );
    return 0;
  } finally {
    await store.close();
  }
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command();
  let result: Promise<number> = Promise.resolve(0);
  program
    .name('zai')
    .description('Z-AI: a bring-your-own-keys LLM gateway with an OpenAI-compatible API.')
    .exitOverride()
    .showHelpAfterError();
  program
    .command('serve')
    .description('run the gateway, the management API and the dashboard on one port (PORT, HOST)')
    .action(() => {
      result = serve();
    });
  program
    .command('keygen')
    .description("print a new Fernet key for PROVIDER_KEY_ENCRYPTION_KEY (the format of Python's Fernet.generate_key())")
    .action(() => {
      console.log(generateFernetKey());
    });
  program
    .command('migrate')
    .description('apply pending schema migrations (serve also does so at start)')
    .action(() => {
      result = migrateCommand();
    });
  program
    .command('rotate-encryption-key')
    .description(
      're-encrypt every stored provider key under the first key of PROVIDER_KEY_ENCRYPTION_KEY; safe while servers run, safe to rerun',
    )
    .option('--batch-size <n>', 'rows per batch', '100')
    .action((options: { batchSize: string }) => {
      result = rotateCommand(options);
    });
  program
    .command('prices')
    .description("manage the deployment's price catalog")
    .command('import <file>')
    .description("import a LiteLLM-format price list (model_prices_and_context_window.json) as the deployment's catalog")
    .option('--yes', 'import even when a price moves by more than 10×')
    .action((file: string, options: { yes?: boolean }) => {
      result = pricesImport(file, options);
    });
  const usage = program.command('usage').description('usage data');
  usage
    .command('rebuild-rollups')
    .description(
      're-sum the usage rollups (summary, charts, spend history) from the request rows, a day per transaction; days before ' +
        '--since (default: all, or what ZAI_USAGE_RETENTION_DAYS keeps) stay as they are. Safe while servers run (a SQLite server waits for each day)',
    )
    .option('--since <time>', 'rebuild from the first whole UTC day at or after this ISO-8601 time')
    .action((options: { since?: string }) => {
      result = rebuildRollupsCommand(options);
    });
  const user = program.command('user').description('manage accounts');
  user
    .command('create')
    .description('create an account (also when ZAI_SIGNUP=closed)')
    .requiredOption('--email <email>', 'the account email')
    .requiredOption('--password <password>', 'at least 10 characters')
    .option('--admin', 'make the account an admin')
    .action((options: { email: string; password: string; admin?: boolean }) => {
      result = userCreate(options);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return await result;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof ConfigError || err instanceof GatewayError) {
      console.error(`zai: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
