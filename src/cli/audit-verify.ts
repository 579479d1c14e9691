/**
 * `npm run audit:verify`: walks the audit trail's hash chain of the configured database and
 * prints one line. Exit code 0 when the chain is intact, 1 when a row breaks it (named by its
 * sequence number), 2 when the check could not run. With embedded PGlite, stop the product
 * first: only one process can open its DATA_DIR.
 */
import { verifyAuditChain } from '../auth/audit.js';
import { ConfigError, loadConfig } from '../config.js';
import { DatabaseUnreachableError, openDatabase } from '../db/index.js';

async function main(): Promise<number> {
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    const result = await verifyAuditChain(db);
    if (result.ok) {
      process.stdout.write(`audit trail intact: ${result.rows} rows, last hash ${result.lastHash}\n`);
      return 0;
    }
    process.stdout.write(`audit trail BROKEN at row ${result.seq}: ${result.reason} (${result.rows} rows before it intact)\n`);
    return 1;
  } finally {
    await db.close();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  const message =
    error instanceof ConfigError || error instanceof DatabaseUnreachableError
      ? error.message
      : `audit verification failed: ${(error as Error).message}`;
  process.stderr.write(`uebergang: ${message}\n`);
  process.exitCode = 2;
}
