// Admin command line: `npm run --silent cli -- <command>`. See `npm run cli -- help`.
import 'reflect-metadata';
import { printSchema } from 'graphql';
import { loadConfig } from '../config';
import { createDb, type Db } from '../db';
import { parseDuration } from '../domain/duration';
import { AppError } from '../domain/errors';
import type { Environment, Role } from '../generated/prisma/enums';
import { buildGraphqlSchema } from '../resolvers/schema';
import { createOrganization, issueToken, listTokens, revokeToken } from '../services/auth/tokens';
import { seedDemo } from '../sandbox/demo';
import { closeDeps, createDeps } from '../context';
import { createLogger } from '../log';
import { appendAudit } from '../services/audit/append-audit';
import { retryGivenUpOutbox } from '../services/outbox/outbox';

const HELP = `Paygate admin CLI

  org create --name "<name>" [--json]        create an organization with a LIVE and a TEST OWNER key
  token create --org <id> --role OWNER|ADMIN|VIEWER [--env live|test] [--expires-in 30d] [--name <label>] [--json]
  token list --org <id> [--json]
  token revoke <tokenId> [--json]
  migrate                                    apply pending database migrations
  demo seed [--json]                         create or refresh the demo organization (SANDBOX gateway)
  outbox retry --id <n> | --all [--json]     re-drive given-up outbox rows (after fixing their cause)
  schema                                     print the GraphQL schema (SDL)

Tokens are shown once; Paygate keeps only their hash. Every command on an organization is
recorded in its audit log as "cli:<command>".`;

type Flags = Record<string, string | true>;

function parseArgs(argv: string[]): { words: string[]; flags: Flags } {
  const words: string[] = [];
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const [key, inline] = a.slice(2).split('=', 2);
      if (inline !== undefined) flags[key] = inline;
      else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) flags[key] = argv[++i];
      else flags[key] = true;
    } else {
      words.push(a);
    }
  }
  return { words, flags };
}

class UsageError extends Error {}

function required(flags: Flags, name: string): string {
  const v = flags[name];
  if (typeof v !== 'string' || !v) throw new UsageError(`--${name} is required`);
  return v;
}

function role(value: string): Role {
  const r = value.toUpperCase();
  if (r !== 'OWNER' && r !== 'ADMIN' && r !== 'VIEWER') throw new UsageError('--role must be OWNER, ADMIN or VIEWER');
  return r;
}

function environment(value: string | true | undefined): Environment {
  if (value === undefined) return 'LIVE';
  const e = typeof value === 'string' ? value.toUpperCase() : '';
  if (e !== 'LIVE' && e !== 'TEST') throw new UsageError('--env must be live or test');
  return e;
}

/** A command on an organization, as its audit log records it (outcome added when it is over). */
interface CliAudit {
  command: string;
  organizationId?: string;
  environment: Environment | null;
  targetIds: string[];
  input: Record<string, unknown>;
}

const outcomeOf = (err: unknown) => (err instanceof AppError ? err.code : err instanceof UsageError ? 'BAD_USER_INPUT' : 'INTERNAL_SERVER_ERROR');

/** Appends the entry if the organization exists; a failure to write it is said on stderr, and the command's own outcome stands. */
async function recordCli(db: Db, audit: CliAudit, outcome: string): Promise<void> {
  const { organizationId } = audit;
  if (!organizationId) return;
  try {
    if (!(await db.organization.findUnique({ where: { id: organizationId }, select: { id: true } }))) return;
    await appendAudit(db, [{
      organizationId, environment: audit.environment, actor: null, action: `cli:${audit.command}`, targetIds: audit.targetIds,
      outcome, input: audit.input, remoteAddress: null,
    }]);
  } catch (err) {
    process.stderr.write(`error: the audit entry of "${audit.command}" was not written (${(err as { code?: string })?.code ?? 'database error'})\n`);
  }
}

/** The flags a command was given, as its audit entry keeps them (none of them is a secret). */
function inputOf(flags: Flags): Record<string, unknown> {
  return Object.fromEntries(Object.entries(flags).filter(([k]) => k !== 'json'));
}

function print(flags: Flags, json: unknown, human: string): void {
  process.stdout.write(flags.json ? `${JSON.stringify(json)}\n` : `${human}\n`);
}

async function run(argv: string[]): Promise<void> {
  const { words, flags } = parseArgs(argv);
  const command = words.slice(0, 2).join(' ');
  if (!words.length || words[0] === 'help' || flags.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  if (command === 'migrate' || words[0] === 'migrate') {
    // Same code path as `npm run db:migrate` (plain JS, usable before a build).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    await require('../../scripts/db.js').migrate();
    return;
  }
  if (words[0] === 'schema') {
    process.stdout.write(`${printSchema(await buildGraphqlSchema())}\n`);
    return;
  }

  const config = loadConfig();
  if (command === 'demo seed') {
    const deps = createDeps(config, createLogger({ level: 'warn' }));
    const audit: CliAudit = { command, environment: 'TEST', targetIds: [], input: inputOf(flags) };
    let outcome = 'ok';
    try {
      const res = await seedDemo(deps);
      Object.assign(audit, { organizationId: res.organizationId, targetIds: [res.organizationId, res.gatewayId] });
      print(flags, res, `demo organization ${res.organizationId}, gateway ${res.gatewayId}\nTEST OWNER key (shown once): ${res.token}`);
    } catch (err) {
      outcome = outcomeOf(err);
      throw err;
    } finally {
      await recordCli(deps.db, audit, outcome);
      await closeDeps(deps).catch(() => undefined);
    }
    return;
  }
  const db = createDb(config.databaseUrl.reveal(), 2);
  const audit: CliAudit = { command, environment: null, targetIds: [], input: inputOf(flags) };
  let outcome = 'ok';
  try {
    switch (command) {
      case 'org create': {
        const res = await createOrganization(db, required(flags, 'name'));
        Object.assign(audit, { organizationId: res.organizationId, targetIds: [res.organizationId] });
        print(flags, { organizationId: res.organizationId, token: res.token, testToken: res.testToken }, `organization ${res.organizationId} (${res.code})\nLIVE OWNER key (shown once): ${res.token}\nTEST OWNER key (shown once): ${res.testToken}`);
        return;
      }
      case 'token create': {
        const org = required(flags, 'org');
        Object.assign(audit, { organizationId: org, targetIds: [org] });
        audit.environment = environment(flags.env);
        const expiresIn = flags['expires-in'];
        let expiresAt: Date | null = null;
        if (expiresIn !== undefined) {
          const ms = typeof expiresIn === 'string' ? parseDuration(expiresIn) : null;
          if (ms === null) throw new UsageError('--expires-in takes a duration such as 30d, 12h or 90m');
          expiresAt = new Date(Date.now() + ms);
        }
        const name = typeof flags.name === 'string' ? flags.name : undefined;
        const res = await issueToken(db, org, role(required(flags, 'role')), { expiresAt, name, environment: audit.environment });
        audit.targetIds.push(res.id);
        print(flags, res, `token ${res.id} (${res.environment} ${res.role}${res.expiresAt ? `, expires ${res.expiresAt}` : ''})\nshown once: ${res.token}`);
        return;
      }
      case 'token list': {
        const org = required(flags, 'org');
        Object.assign(audit, { organizationId: org, targetIds: [org] });
        const tokens = await listTokens(db, org);
        const lines = tokens.map((t) =>
          [t.id, t.prefix + '…', t.environment, t.role, t.revokedAt ? 'revoked' : t.expiresAt && t.expiresAt < new Date() ? 'expired' : 'active',
            `expires=${t.expiresAt?.toISOString() ?? 'never'}`, `lastUsed=${t.lastUsedAt?.toISOString() ?? 'never'}`].join('  '));
        print(flags, tokens, lines.join('\n') || 'no tokens');
        return;
      }
      case 'token revoke': {
        const id = words[2] ?? (typeof flags.id === 'string' ? flags.id : undefined);
        if (!id) throw new UsageError('usage: token revoke <tokenId>');
        const owner = await db.apiToken.findUnique({ where: { id }, select: { organizationId: true, environment: true } });
        Object.assign(audit, { organizationId: owner?.organizationId, environment: owner?.environment ?? null, targetIds: [id], input: { id } });
        const res = await revokeToken(db, id);
        print(flags, { id: res.id, revokedAt: res.revokedAt }, `token ${res.id} revoked at ${res.revokedAt!.toISOString()}`);
        return;
      }
      case 'outbox retry': {
        const id = flags.id;
        if ((id === undefined) === (flags.all === undefined)) throw new UsageError('usage: outbox retry --id <n> | --all');
        if (id !== undefined && (typeof id !== 'string' || !/^[1-9][0-9]{0,18}$/.test(id))) throw new UsageError('--id takes an outbox row id (a positive integer)');
        const rows = await retryGivenUpOutbox(db, typeof id === 'string' ? { id: BigInt(id) } : { all: true });
        if (typeof id === 'string' && !rows.length) throw new UsageError(`outbox row ${id} is not given up (or does not exist)`);
        // Each organization's audit log records its own rows.
        for (const org of new Set(rows.map((r) => r.organizationId))) {
          await recordCli(db, { ...audit, organizationId: org, targetIds: rows.filter((r) => r.organizationId === org).map((r) => String(r.id)) }, 'ok');
        }
        const shown = rows.map((r) => ({ id: String(r.id), key: r.key, kind: r.kind, organizationId: r.organizationId }));
        print(flags, { retried: shown }, shown.map((r) => `outbox row ${r.id} (${r.kind} ${r.key}) open again`).join('\n') || 'no given-up outbox rows');
        return;
      }
      default:
        throw new UsageError(`unknown command "${words.join(' ')}"\n\n${HELP}`);
    }
  } catch (err) {
    outcome = outcomeOf(err);
    throw err;
  } finally {
    await recordCli(db, audit, outcome);
    // A failure to close must not replace the command's own outcome (and its exit code).
    await db.$disconnect().catch(() => undefined);
  }
}

run(process.argv.slice(2)).catch((err) => {
  if (err instanceof UsageError || err instanceof AppError || err?.userFacing) {
    process.stderr.write(`error: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(1);
});
