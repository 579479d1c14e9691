/**
 * The embedded engine made durable. Every event — start, job completed or failed, user task
 * completed, timer due, message correlated — is one database transaction: lock the instance
 * row, recover its bpmn-engine state, apply the event, run until every token waits, write the
 * new state and the rows it implies (jobs, user tasks, timers, subscriptions, history), commit.
 * Nothing is acknowledged before the commit, and every command is safe to retry: a second
 * completion of the same job finds nothing to complete and changes nothing.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import type { Logger } from 'pino';
import type { Database, Queryable } from '../../db/index.js';
import type { Clock } from '../clock.js';
import { EngineError } from '../errors.js';
import { checkResource, lintBpmn } from '../lint/index.js';
import type { Variables } from './feel.js';
import { Piscina } from 'piscina';
import type { InstanceTask, InstanceTaskResult } from './instance-worker.js';
import { createKeyAllocator } from './keys.js';
import { findErrorCatch, readProcessModels, type ElementModel, type ProcessModel } from './model.js';
import { LiveInstance, StaleEventError, type EventResult, type InstanceEvent } from './runtime.js';
import { workerModule } from './worker-bundle.js';

/** A deployed resource as the API reports it. */
export interface DeployedProcess {
  processDefinitionKey: string;
  processDefinitionId: string;
  version: number;
  resourceName: string;
}

export interface DeployedForm {
  formKey: string;
  formId: string;
  version: number;
  resourceName: string;
}

export interface DeploymentResult {
  deploymentKey: string;
  processes: DeployedProcess[];
  forms: DeployedForm[];
}

/** A job handed to a worker. */
export interface ActivatedJob {
  jobKey: string;
  type: string;
  processInstanceKey: string;
  processDefinitionKey: string;
  processDefinitionId: string;
  processDefinitionVersion: number;
  elementId: string;
  elementInstanceKey: string;
  customHeaders: Record<string, string>;
  worker: string;
  retries: number;
  deadline: string;
  variables: Variables;
}

export interface EmbeddedEngineOptions {
  db: Database;
  clock: Clock;
  log: Logger;
  /**
   * Worker threads that run instance events (bpmn-engine's CPU work) off the HTTP event loop;
   * 0 runs them in this thread, with a cache of live engines instead.
   */
  threads?: number;
}

interface InstanceRow {
  key: string;
  definition_key: string;
  process_id: string;
  version: number;
  state: 'ACTIVE' | 'COMPLETED' | 'TERMINATED';
  /** bpmn-engine's state as JSON text (see EventResult.state). */
  engine_state: string | null;
  variables: Variables;
  revision: number;
  parent_instance_key: string | null;
  parent_execution_id: string | null;
  /** Whether the instance has an active incident. */
  incident: boolean;
  /**
   * The waits stored at `snapshot_revision` ([executionId, kind]), when the row was read with
   * them (see lockInstanceAndComplete): they hold for `revision` only when the two are equal.
   */
  stored_waits?: [string, string][] | null;
  snapshot_revision?: number;
  /**
   * A new instance whose row is not written yet: it goes into the statement that stores the
   * start's result (see store), unless something must refer to it earlier (see insertNew).
   */
  unwritten?: { businessKey: string | null; startMessageKey: string | null; startedAt: Date };
}

/** What the current transaction does once it has committed: announce jobs, cache live engines. */
interface CommitHooks {
  jobTypes: Set<string>;
  afterCommit: (() => void)[];
}
const currentTransaction = new AsyncLocalStorage<CommitHooks>();
const createdJobTypes = { getStore: () => currentTransaction.getStore()?.jobTypes };

/**
 * Live engines kept between events, most recently used last. One costs ~1 MB of resident memory
 * (measured: 200 of them added ~210 MB); they pay for short gaps only — a job completed seconds
 * after it was created (measured: +8% throughput at 64, +18% at 200), never a user task
 * completed days later. So: few, and dropped after a short idle time.
 */
const LIVE_INSTANCES = 64;
const LIVE_IDLE_MS = 30_000;

/** How long a failed job waits by default before it may be activated again. */
const DEFAULT_RETRY_BACKOFF_MS = 0;

/** Creates the embedded engine over `db`. Call {@link EmbeddedEngine.close} to stop its loops. */
export function createEmbeddedEngine(options: EmbeddedEngineOptions): EmbeddedEngine {
  return new EmbeddedEngine(options);
}

export class EmbeddedEngine {
  private readonly db: Database;
  readonly clock: Clock;
  private readonly log: Logger;
  private readonly nextKey = createKeyAllocator();
  private readonly models = new Map<string, Promise<ProcessModel>>();
  /** Live engines by instance key, valid for exactly one stored revision (see applyAndStore). */
  private readonly live = new Map<
    string,
    { revision: number; instance: LiveInstance; waits: Map<string, string>; at: number }
  >();
  /** Instance keys of the jobs and user tasks this process created lately (see lockInstanceOf). */
  private readonly waitOwners = new Map<string, string>();
  /** Emits 'jobs' with a set of job types after a commit made jobs of those types activatable. */
  private readonly jobEvents = new EventEmitter().setMaxListeners(0);

  private readonly pool: Piscina | undefined;

  constructor(options: EmbeddedEngineOptions) {
    this.db = options.db;
    this.clock = options.clock;
    this.log = options.log;
    if (options.threads) {
      const { filename, execArgv, fallback } = workerModule();
      if (fallback) this.log.warn({ reason: fallback }, 'engine threads load TypeScript through tsx: no worker bundle');
      this.pool = new Piscina({ filename, execArgv, minThreads: options.threads, maxThreads: options.threads });
    }
  }

  /** Stops the worker threads once their current events are done. */
  async close(): Promise<void> {
    await this.pool?.close();
  }

  /**
   * One transaction; announces the job types it made activatable once it has committed. One
   * that PostgreSQL chose as a deadlock's victim is rolled back whole and runs again: nothing of
   * it is visible, and a live engine it moved on never returns to the cache (see applyAndStore).
   */
  private async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.withCommitHooks(() => this.db.transaction(fn));
      } catch (error) {
        if ((error as { code?: unknown }).code !== DEADLOCK_DETECTED || attempt >= DEADLOCK_ATTEMPTS) throw error;
        this.log.warn({ attempt }, 'transaction chosen as a deadlock victim; running it again');
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }

  /**
   * Runs `work` (one transaction, or one statement that commits on its own) and, once it has
   * committed, what it left to do then: announce job types, cache live engines.
   */
  private async withCommitHooks<T>(work: () => Promise<T>): Promise<T> {
    const hooks: CommitHooks = { jobTypes: new Set(), afterCommit: [] };
    const result = await currentTransaction.run(hooks, work);
    for (const hook of hooks.afterCommit) hook();
    if (hooks.jobTypes.size > 0) this.jobEvents.emit('jobs', hooks.jobTypes);
    return result;
  }

  /**
   * Resolves when jobs of one of `types` may have become activatable in this process, or after
   * `timeoutMs` (callers poll again then: jobs made by other processes, or after a retry
   * back-off, are found that way). For long polling by the protocol routes.
   */
  async waitForJobs(types: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort);
    try {
      for (;;) {
        const [created] = (await once(this.jobEvents, 'jobs', { signal: controller.signal })) as [Set<string>];
        if (types.some((type) => created.has(type))) return;
      }
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  // ---------------------------------------------------------------- deployments

  /**
   * Deploys BPMN and form files. A process whose resource is byte-identical to its latest
   * version keeps that version; anything else becomes the next version. All or nothing.
   * A resource stored before (same name, same bytes) is neither checked nor stored again: the
   * product redeploys its own files at every start.
   */
  async deploy(files: { name: string; content: Buffer | string }[]): Promise<DeploymentResult> {
    if (files.length === 0) throw new EngineError('INVALID_ARGUMENT', 'a deployment needs at least one resource');
    const checksumOf = (content: string) => createHash('sha256').update(content).digest('hex');
    const { rows: storedRows } = await this.db.query<{ name: string; checksum: string; key: string }>(
      'select distinct on (name, checksum) name, checksum, key from engine_resource where checksum = any($1) order by name, checksum, key',
      [files.map((file) => checksumOf(file.content.toString()))],
    );
    const stored = new Map(storedRows.map((row) => [`${row.name}\n${row.checksum}`, row.key]));
    const parsed: {
      resource: { name: string; content: string };
      checksum: string;
      storedKey?: string;
      form?: { id: string; schema: object };
      models?: ProcessModel[];
    }[] = [];
    for (const file of files) {
      // Size, encoding, DTDs (entity expansion, XXE) and well-formedness, before any parser runs.
      const problem = await checkResource(file.name, Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content));
      if (problem) throw new EngineError('INVALID_ARGUMENT', problem.detail);
      const resource = { name: file.name, content: file.content.toString() };
      const checksum = checksumOf(resource.content);
      // Passed the deploy-time check when it was stored, and runs already.
      const storedKey = stored.get(`${resource.name}\n${checksum}`);
      if (resource.name.endsWith('.bpmn') && !storedKey) {
        const issues = await lintBpmn(resource.content);
        if (issues.length > 0) {
          const list = issues.map((issue) => `${issue.elementId}: ${issue.message}`).join('; ');
          throw new EngineError('INVALID_ARGUMENT', `${resource.name} cannot run on this engine: ${list}`, { issues });
        }
      }
      if (resource.name.endsWith('.form')) {
        parsed.push({ resource, checksum, storedKey, form: readForm(resource) });
      } else if (resource.name.endsWith('.bpmn') || resource.name.endsWith('.xml')) {
        const models = await readProcessModels(resource.content).catch((error: Error) => {
          throw new EngineError('INVALID_ARGUMENT', `${resource.name}: ${error.message}`);
        });
        if (models.length === 0) {
          throw new EngineError('INVALID_ARGUMENT', `${resource.name}: no executable process`);
        }
        parsed.push({ resource, checksum, storedKey, models });
      } else {
        throw new EngineError('INVALID_ARGUMENT', `${resource.name}: only .bpmn and .form files can be deployed`);
      }
    }
    const now = this.clock.now();
    return this.transaction(async (tx) => {
      // Deployments are rare: one at a time keeps version numbers gap-free.
      await tx.query(`select pg_advisory_xact_lock(hashtext('uebergang.deploy'))`);
      const deploymentKey = await this.nextKey(tx);
      await tx.query('insert into engine_deployment (key, created_at) values ($1, $2)', [deploymentKey, now]);
      const result: DeploymentResult = { deploymentKey, processes: [], forms: [] };
      for (const entry of parsed) {
        const { checksum } = entry;
        let resourceKey = entry.storedKey;
        if (!resourceKey) {
          resourceKey = await this.nextKey(tx);
          await tx.query(
            'insert into engine_resource (key, deployment_key, name, kind, checksum, content) values ($1, $2, $3, $4, $5, $6)',
            [resourceKey, deploymentKey, entry.resource.name, entry.form ? 'form' : 'bpmn', checksum, entry.resource.content],
          );
        }
        if (entry.form) {
          result.forms.push(await this.storeForm(tx, entry.form, entry.resource.name, resourceKey, checksum));
          continue;
        }
        for (const model of entry.models!) {
          result.processes.push(await this.storeProcess(tx, model, entry.resource.name, resourceKey, checksum, now));
        }
      }
      return result;
    });
  }

  private async storeProcess(
    tx: Queryable,
    model: ProcessModel,
    resourceName: string,
    resourceKey: string,
    checksum: string,
    now: Date,
  ): Promise<DeployedProcess> {
    const { rows } = await tx.query<{ key: string; version: number; checksum: string }>(
      'select key, version, checksum from engine_process_definition where process_id = $1 order by version desc limit 1',
      [model.processId],
    );
    const latest = rows[0];
    if (latest && latest.checksum === checksum) {
      return { processDefinitionKey: latest.key, processDefinitionId: model.processId, version: latest.version, resourceName };
    }
    const key = await this.nextKey(tx);
    const version = (latest?.version ?? 0) + 1;
    await tx.query(
      `insert into engine_process_definition (key, process_id, version, name, resource_key, checksum, model, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [key, model.processId, version, model.name ?? null, resourceKey, checksum, JSON.stringify(model), now],
    );
    for (const start of model.timerStarts) {
      const dueAt = firstTimerDue(start.timer, now);
      if (dueAt) {
        await tx.query('insert into engine_timer (key, definition_key, element_id, due_at) values ($1, $2, $3, $4)', [
          await this.nextKey(tx),
          key,
          start.elementId,
          dueAt,
        ]);
      }
    }
    // Timer starts of older versions stop: only the latest version starts by timer.
    await tx.query(
      `delete from engine_timer where instance_key is null and definition_key in
         (select key from engine_process_definition where process_id = $1 and key <> $2)`,
      [model.processId, key],
    );
    return { processDefinitionKey: key, processDefinitionId: model.processId, version, resourceName };
  }

  private async storeForm(
    tx: Queryable,
    form: { id: string; schema: object },
    resourceName: string,
    resourceKey: string,
    checksum: string,
  ): Promise<DeployedForm> {
    const { rows } = await tx.query<{ key: string; version: number; checksum: string }>(
      'select key, version, checksum from engine_form where form_id = $1 order by version desc limit 1',
      [form.id],
    );
    const latest = rows[0];
    if (latest && latest.checksum === checksum) {
      return { formKey: latest.key, formId: form.id, version: latest.version, resourceName };
    }
    const key = await this.nextKey(tx);
    const version = (latest?.version ?? 0) + 1;
    await tx.query(
      'insert into engine_form (key, form_id, version, resource_key, checksum, schema) values ($1, $2, $3, $4, $5, $6)',
      [key, form.id, version, resourceKey, checksum, JSON.stringify(form.schema)],
    );
    return { formKey: key, formId: form.id, version, resourceName };
  }

  /**
   * The parsed model of a deployed process definition, cached: definitions never change.
   * Inside a transaction pass `tx`: on PGlite a query outside it would wait for it forever.
   */
  private model(definitionKey: string, db: Queryable = this.db): Promise<ProcessModel> {
    let model = this.models.get(definitionKey);
    if (!model) {
      model = db
        .query<{ model: ProcessModel }>('select model from engine_process_definition where key = $1', [definitionKey])
        .then(({ rows }) => {
          if (!rows[0]) throw new EngineError('NOT_FOUND', `process definition ${definitionKey} not found`);
          return rows[0].model;
        });
      model.catch(() => this.models.delete(definitionKey));
      this.models.set(definitionKey, model);
    }
    return model;
  }

  // ---------------------------------------------------------------- instances

  /** Starts an instance at the none start event of the latest (or the given) version. */
  async createInstance(request: {
    processDefinitionId?: string;
    processDefinitionKey?: string;
    version?: number;
    variables?: Variables;
    businessKey?: string;
  }): Promise<{ processInstanceKey: string; processDefinitionKey: string; processDefinitionId: string; version: number }> {
    const definition = await this.findDefinition(request);
    const model = await this.model(definition.key);
    if (!model.noneStart) {
      throw new EngineError('INVALID_ARGUMENT', `process ${definition.process_id} has no none start event`);
    }
    const variables = request.variables ?? {};
    const row = this.newInstanceRow(await this.nextKey(this.db), definition, variables, { businessKey: request.businessKey });
    const event: InstanceEvent = { type: 'start', startEventId: model.noneStart, variables };
    // A new instance has nothing to lock: its start runs before any transaction, and a start
    // that only adds waits and history is stored by one statement, which commits on its own.
    const computed = await this.runEvent(this.db, row, model, event).catch(() => undefined);
    if (computed && isSelfContained(computed.result)) {
      await this.withCommitHooks(() => this.storeComputed(this.db, row, computed));
    } else {
      // Called processes, message subscriptions, incidents: stored with what they imply, in one transaction.
      await this.transaction((tx) => this.applyAndStore(tx, row, model, event, computed));
    }
    return {
      processInstanceKey: row.key,
      processDefinitionKey: definition.key,
      processDefinitionId: definition.process_id,
      version: definition.version,
    };
  }

  private async findDefinition(request: { processDefinitionId?: string; processDefinitionKey?: string; version?: number }) {
    let rows: { key: string; process_id: string; version: number }[];
    if (request.processDefinitionKey) {
      ({ rows } = await this.db.query('select key, process_id, version from engine_process_definition where key = $1', [
        request.processDefinitionKey,
      ]));
    } else if (request.processDefinitionId) {
      ({ rows } = await this.db.query(
        `select key, process_id, version from engine_process_definition where process_id = $1
           and ($2::int is null or version = $2) order by version desc limit 1`,
        [request.processDefinitionId, request.version ?? null],
      ));
    } else {
      throw new EngineError('INVALID_ARGUMENT', 'processDefinitionId or processDefinitionKey is required');
    }
    if (!rows[0]) {
      throw new EngineError(
        'NOT_FOUND',
        `no process definition ${request.processDefinitionKey ?? request.processDefinitionId} is deployed`,
      );
    }
    return rows[0] as { key: string; process_id: string; version: number };
  }

  private async startInstance(
    tx: Queryable,
    definition: { key: string; process_id: string; version: number },
    model: ProcessModel,
    startEventId: string,
    variables: Variables,
    extra: { businessKey?: string; startMessageKey?: string; parentInstanceKey?: string; parentExecutionId?: string } = {},
  ): Promise<string> {
    const row = this.newInstanceRow(await this.nextKey(tx), definition, variables, extra);
    await this.applyAndStore(tx, row, model, { type: 'start', startEventId, variables });
    return row.key;
  }

  /** The row of an instance about to start, not written yet (see {@link store}). */
  private newInstanceRow(
    key: string,
    definition: { key: string; process_id: string; version: number },
    variables: Variables,
    extra: { businessKey?: string; startMessageKey?: string; parentInstanceKey?: string; parentExecutionId?: string },
  ): InstanceRow {
    return {
      key,
      definition_key: definition.key,
      process_id: definition.process_id,
      version: definition.version,
      state: 'ACTIVE',
      engine_state: null,
      variables,
      revision: 0,
      parent_instance_key: extra.parentInstanceKey ?? null,
      parent_execution_id: extra.parentExecutionId ?? null,
      incident: false,
      unwritten: {
        businessKey: extra.businessKey ?? null,
        startMessageKey: extra.startMessageKey ?? null,
        startedAt: this.clock.now(),
      },
    };
  }

  /** Writes a new instance's row on its own, for when something must refer to it before store does. */
  private async insertNew(tx: Queryable, row: InstanceRow) {
    if (!row.unwritten) return;
    const { businessKey, startMessageKey, startedAt } = row.unwritten;
    await tx.query(
      `insert into engine_instance (key, definition_key, process_id, version, state, business_key,
         start_message_key, parent_instance_key, parent_execution_id, variables, started_at)
       values ($1, $2, $3, $4, 'ACTIVE', $5, $6, $7, $8, $9, $10)`,
      [row.key, row.definition_key, row.process_id, row.version, businessKey, startMessageKey, row.parent_instance_key,
        row.parent_execution_id, JSON.stringify(row.variables), startedAt],
    );
    row.unwritten = undefined;
  }

  /** Cancels an active instance: every wait is removed and the instance ends as TERMINATED. */
  async cancelInstance(instanceKey: string): Promise<void> {
    await this.transaction(async (tx) => {
      const row = await this.lockInstance(tx, instanceKey);
      if (row.state !== 'ACTIVE') throw new EngineError('NOT_FOUND', `process instance ${instanceKey} is not active`);
      await this.terminate(tx, instanceKey);
    });
  }

  /** Ends an instance as TERMINATED with everything it waits for, called instances included. */
  private async terminate(tx: Queryable, instanceKey: string) {
    const now = this.clock.now();
    await this.endWaits(tx, instanceKey, now, 'CANCELED');
    await tx.query(
      `update engine_element_instance set state = 'TERMINATED', ended_at = $2 where instance_key = $1 and state = 'ACTIVE'`,
      [instanceKey, now],
    );
    await tx.query(
      `update engine_instance set state = 'TERMINATED', ended_at = $2, engine_state = null, revision = revision + 1
       where key = $1`,
      [instanceKey, now],
    );
  }

  private async lockInstance(tx: Queryable, instanceKey: string): Promise<InstanceRow> {
    // The stored state is read only when no live engine holds this very revision (see applyAndStore).
    const { rows } = await tx.query<InstanceRow>(`${LOCK_INSTANCE} where key = $1 for update`, [
      instanceKey,
      this.live.get(instanceKey)?.revision ?? -1,
    ]);
    if (!rows[0]) throw new EngineError('NOT_FOUND', `process instance ${instanceKey} not found`);
    return rows[0];
  }

  /**
   * Locks the instance a job or user task belongs to. This process remembers the instances of
   * the jobs and user tasks it created lately (and may hold their live engine); any other is
   * found and locked in the same round trip.
   */
  private async lockInstanceOf(tx: Queryable, table: 'engine_job' | 'engine_user_task', key: string, missing: string) {
    const owner = this.waitOwners.get(key);
    if (owner) return this.lockInstance(tx, owner);
    const { rows } = await tx.query<InstanceRow>(
      `${LOCK_INSTANCE} where key = (select instance_key from ${table} where key = $1) for update`,
      [key, -1],
    );
    if (!rows[0]) throw new EngineError('NOT_FOUND', missing);
    return rows[0];
  }

  /**
   * Completes a job or user task in one round trip: locks the instance it belongs to (as
   * {@link lockInstanceOf}, instance first), then changes the wait's own row with `change`, a
   * `set … where …` whose `$1` is the wait's key; parameters from `$4` on. Returns the instance
   * and the changed row's `columns`, or no row when `change` matched nothing.
   */
  private async lockInstanceAndComplete<W>(
    tx: Queryable,
    table: 'engine_job' | 'engine_user_task',
    key: string,
    change: { sql: string; columns: readonly string[]; params: unknown[] },
    missing: string,
  ): Promise<{ row: InstanceRow; wait: W | undefined }> {
    const owner = this.waitOwners.get(key);
    const { rows } = await tx.query<InstanceRow & Record<string, unknown>>(
      `with instance as materialized (
         ${LOCK_INSTANCE_WITH_WAITS} where key = coalesce($3::bigint, (select instance_key from ${table} where key = $1)) for update
       ), changed as (
         update ${table} ${change.sql} and instance_key = (select key from instance)
         returning ${change.columns.map((column) => `${column} as wait_${column}`).join(', ')}
       )
       select instance.*, changed.* from instance left join changed on true`,
      [key, (owner && this.live.get(owner)?.revision) ?? -1, owner ?? null, ...change.params],
    );
    if (!rows[0]) throw new EngineError('NOT_FOUND', missing);
    const record = rows[0];
    let wait: Record<string, unknown> | undefined;
    if (record[`wait_${change.columns[0]}`] !== null) {
      wait = {};
      for (const column of change.columns) wait[column] = record[`wait_${column}`];
    }
    for (const column of change.columns) delete record[`wait_${column}`];
    return { row: record as InstanceRow, wait: wait as W | undefined };
  }

  /**
   * The heart: applies one event to a locked instance and writes everything it implies.
   * Returns the runtime's result (for callers that need to know what happened).
   */
  private async applyAndStore(
    tx: Queryable,
    row: InstanceRow,
    model: ProcessModel,
    event: InstanceEvent,
    computed?: ComputedEvent,
  ) {
    let run = computed;
    if (!run) {
      try {
        run = await this.runEvent(tx, row, model, event);
      } catch (error) {
        if (error instanceof StaleEventError) throw new EngineError('NOT_FOUND', error.message);
        // The engine itself failed: keep the previous state and make it visible as an incident.
        this.log.error({ err: error, instanceKey: row.key }, 'instance event failed');
        await this.insertNew(tx, row);
        await this.raiseIncident(tx, row.key, {
          elementId: row.process_id,
          errorType: 'UNKNOWN',
          message: (error as Error).message,
        });
        return undefined;
      }
    }
    const { result, known } = run;
    await this.storeComputed(tx, row, run);
    if (result.status === 'ACTIVE') await this.correlateBuffered(tx, row, model, result, known);
    return result;
  }

  /**
   * Runs `event` on the instance's engine: a live one when this process holds the instance's
   * stored revision, else one recovered from the stored state (read through `db` if the row
   * came without it). Throws what the engine throws.
   */
  private async runEvent(db: Queryable, row: InstanceRow, model: ProcessModel, event: InstanceEvent): Promise<ComputedEvent> {
    // A live engine is used only for the revision it produced; another process may have moved
    // the instance on. It leaves the cache while in use and returns only after the commit.
    const cached = this.pool ? undefined : this.live.get(row.key);
    this.live.delete(row.key);
    const hit = event.type !== 'start' && cached?.revision === row.revision && cached.instance.model === model;
    // The waits stored at this revision, less the one the event consumed (its job, user task,
    // timer or called instance row is already gone).
    const lessConsumed = (waits: Iterable<[string, string]>) => {
      const known = new Map(waits);
      if (event.type !== 'start' && event.type !== 'resume' && known.get(event.executionId) !== 'message') {
        known.delete(event.executionId);
      }
      return known;
    };
    let known: Map<string, string>;
    if (hit) {
      known = lessConsumed(cached.waits); // the ones this engine reported
    } else if (event.type === 'start') {
      known = new Map(); // a new row: nothing is stored for it yet
    } else if (row.stored_waits !== undefined && row.snapshot_revision === row.revision && row.engine_state !== null) {
      // Read with the lock, before the event consumed its wait. (Without the state, the row was
      // read for a live engine that has left the cache since: both are read again.)
      known = lessConsumed(row.stored_waits ?? []);
    } else {
      known = await this.storedWaits(db, row.key);
      if (row.engine_state === null) row.engine_state = await this.storedState(db, row.key);
    }
    if (this.pool) {
      const task: InstanceTask = {
        definitionKey: row.definition_key,
        state: row.engine_state,
        event,
        known: [...known.keys()],
        clockKind: this.clock.kind,
        clockOffsetMs: this.clock.offsetMs(),
      };
      let answer = (await this.pool.run(task)) as InstanceTaskResult;
      // A thread gets a model once, when it first needs it, rather than a copy with every event.
      if ('modelNeeded' in answer) answer = (await this.pool.run({ ...task, model })) as InstanceTaskResult;
      if ('modelNeeded' in answer) throw new Error(`engine thread did not take the model of ${row.definition_key}`);
      if ('staleExecutionId' in answer) throw new StaleEventError(answer.staleExecutionId);
      return { result: answer.result, known };
    }
    const instance = hit ? cached.instance : new LiveInstance(model, this.clock);
    return { result: await instance.apply(row.engine_state, event, new Set(known.keys())), known, instance };
  }

  /** Stores an event's result; its live engine is cached once the transaction has committed. */
  private async storeComputed(db: Queryable, row: InstanceRow, { result, known, instance }: ComputedEvent) {
    await this.store(db, row, result, known);
    if (instance && result.status === 'ACTIVE' && !result.incident) {
      const revision = row.revision;
      const waits = new Map(result.waits.map((wait) => [wait.executionId, wait.kind as string]));
      currentTransaction.getStore()?.afterCommit.push(() => this.keepLive(row.key, revision, instance, waits));
    }
  }

  /** Remembers which instance a new job or user task belongs to; the oldest are forgotten first. */
  private noteWaitOwner(waitKey: string, instanceKey: string) {
    this.waitOwners.set(waitKey, instanceKey);
    if (this.waitOwners.size > WAIT_OWNERS) this.waitOwners.delete(this.waitOwners.keys().next().value!);
  }

  /** Caches a live engine; the oldest go when the cache is full or idle too long. */
  private keepLive(instanceKey: string, revision: number, instance: LiveInstance, waits: Map<string, string>) {
    const now = Date.now();
    this.live.set(instanceKey, { revision, instance, waits, at: now });
    for (const [key, entry] of this.live) {
      if (this.live.size <= LIVE_INSTANCES && now - entry.at < LIVE_IDLE_MS) break;
      this.live.delete(key);
    }
  }

  /** The stored engine state, for when the row was read without it and the cache failed us. */
  private async storedState(tx: Queryable, instanceKey: string): Promise<string | null> {
    const { rows } = await tx.query<{ engine_state: string | null }>(
      'select engine_state::text from engine_instance where key = $1',
      [instanceKey],
    );
    return rows[0]?.engine_state ?? null;
  }

  /** Waits stored for an instance: executionId → kind. */
  private async storedWaits(tx: Queryable, instanceKey: string): Promise<Map<string, string>> {
    const { rows } = await tx.query<{ execution_id: string; kind: string }>(waitsOf('$1'), [instanceKey]);
    return new Map(rows.map((r) => [r.execution_id, r.kind]));
  }

  private async store(tx: Queryable, row: InstanceRow, result: EventResult, known: Map<string, string>) {
    const now = this.clock.now();
    // History: element instances entered and left. One that enters and leaves within this
    // event is written once, in its final state; the rest goes with the instance row below.
    const elementKeys = new Map<string, string>();
    const entered = new Map<
      string,
      { key: string; element_id: string; element_type: string; execution_id: string; at: string; state: string; ended_at: string | null }
    >();
    const left = new Map<string, { execution_id: string; state: string; at: string }>();
    for (const transition of result.transitions) {
      const fresh = entered.get(transition.executionId);
      if (transition.state === 'ACTIVATED') {
        const key = await this.nextKey(tx);
        elementKeys.set(transition.executionId, key);
        entered.set(transition.executionId, {
          key,
          element_id: transition.elementId,
          element_type: transition.elementType,
          execution_id: transition.executionId,
          at: transition.at,
          state: 'ACTIVE',
          ended_at: null,
        });
      } else if (fresh && fresh.state === 'ACTIVE') {
        fresh.state = transition.state;
        fresh.ended_at = transition.at;
      } else if (!fresh) {
        left.set(transition.executionId, { execution_id: transition.executionId, state: transition.state, at: transition.at });
      }
    }

    // Waits: add the new ones, end those that are gone.
    const calls: EventResult['waits'] = [];
    const current = new Set(result.waits.map((wait) => wait.executionId));
    for (const [executionId, kind] of known) {
      if (!current.has(executionId)) await this.endWait(tx, row.key, executionId, kind, now);
    }
    // New waits go with the history and the instance row below, in one statement.
    const jobs: unknown[] = [];
    const userTasks: unknown[] = [];
    const timers: unknown[] = [];
    const subscriptions: unknown[] = [];
    for (const wait of result.waits) {
      if (known.has(wait.executionId)) continue;
      const elementInstanceKey = elementKeys.get(wait.executionId) ?? (await this.elementInstanceKey(tx, row.key, wait.executionId));
      const key = await this.nextKey(tx);
      const common = { key, element_instance_key: elementInstanceKey, element_id: wait.elementId, execution_id: wait.executionId };
      switch (wait.kind) {
        case 'job':
          createdJobTypes.getStore()?.add(wait.job!.type);
          this.noteWaitOwner(key, row.key);
          jobs.push({ ...common, type: wait.job!.type, retries: wait.job!.retries, custom_headers: wait.job!.headers,
            locals: wait.locals ?? {} });
          break;
        case 'user-task': {
          const task = wait.userTask!;
          this.noteWaitOwner(key, row.key);
          userTasks.push({ ...common, assignee: task.assignee, candidate_groups: task.candidateGroups,
            candidate_users: task.candidateUsers, due_date: task.dueDate, follow_up_date: task.followUpDate,
            form_key: task.formKey, form_id: task.formId, priority: task.priority, locals: wait.locals ?? {} });
          break;
        }
        case 'timer':
          timers.push({ ...common, due_at: wait.timer!.dueAt, repetitions: wait.timer!.repetitions });
          break;
        case 'message':
          subscriptions.push({ ...common, message_name: wait.message!.name, correlation_key: wait.message!.correlationKey });
          break;
        case 'call':
          calls.push(wait);
          break;
      }
    }

    if (result.incident) {
      await this.insertNew(tx, row);
      await this.raiseIncident(tx, row.key, result.incident);
    }
    const ended = result.status === 'COMPLETED';
    // Every wait the instance had is gone from `result.waits` and was ended one by one above;
    // what may remain are incidents.
    if (ended && row.incident) {
      await tx.query(
        `update engine_incident set state = 'RESOLVED', resolved_at = $2 where instance_key = $1 and state = 'ACTIVE'`,
        [row.key, now],
      );
    }
    // History, new waits and the instance row in one round trip; a new instance's row is
    // inserted here rather than before (a start is then one statement).
    const unwritten = row.unwritten;
    await tx.query(
      unwritten ? STORE_AND_INSERT : STORE_AND_UPDATE,
      [row.key, ended ? 'COMPLETED' : 'ACTIVE', ended ? null : result.state, JSON.stringify(result.variables),
        ended ? now : null, JSON.stringify([...entered.values()]), JSON.stringify([...left.values()]), now,
        JSON.stringify(jobs), JSON.stringify(userTasks), JSON.stringify(timers), JSON.stringify(subscriptions),
        row.process_id, row.definition_key,
        ...(unwritten
          ? [row.version, unwritten.businessKey, unwritten.startMessageKey, row.parent_instance_key, row.parent_execution_id,
              unwritten.startedAt]
          : [])],
    );
    row.unwritten = undefined;
    if (ended) row.incident = false;
    row.engine_state = result.state;
    row.variables = result.variables;
    row.revision += 1;
    if (ended) row.state = 'COMPLETED';

    // Called instances start after their caller's state is written: they may end at once and
    // complete the call activity, which is an event on the caller.
    for (const call of calls) await this.startCalled(tx, row, call);
    if (ended && row.parent_instance_key) await this.returnToCaller(tx, row, result.variables);
  }

  /** A call activity waits: start the latest version of the called process as a child. */
  private async startCalled(tx: Queryable, caller: InstanceRow, call: EventResult['waits'][number]) {
    const { processId, variables } = call.call!;
    const { rows } = await tx.query<{ key: string; process_id: string; version: number }>(
      'select key, process_id, version from engine_process_definition where process_id = $1 order by version desc limit 1',
      [processId],
    );
    const model = rows[0] && (await this.model(rows[0].key, tx));
    if (!rows[0] || !model.noneStart) {
      await this.raiseIncident(tx, caller.key, {
        elementId: call.elementId,
        executionId: call.executionId,
        errorType: 'CALLED_ELEMENT_ERROR',
        message: rows[0]
          ? `the called process '${processId}' has no none start event`
          : `no process with id '${processId}' is deployed`,
      });
      return;
    }
    if (caller.state !== 'ACTIVE') return;
    await this.startInstance(tx, rows[0], model, model.noneStart, variables, {
      parentInstanceKey: caller.key,
      parentExecutionId: call.executionId,
    });
  }

  /** A called instance completed: its call activity completes with the child's variables. */
  private async returnToCaller(tx: Queryable, child: InstanceRow, variables: Variables) {
    const caller = await this.lockInstance(tx, child.parent_instance_key!);
    if (caller.state !== 'ACTIVE') return;
    const model = await this.model(caller.definition_key, tx);
    const element = await this.callActivityOf(tx, caller, model, child.parent_execution_id!);
    // Output mappings pick from all child variables; without them only propagation decides.
    const propagate = element?.outputs || element?.calledElement?.propagateAllChildVariables !== false;
    await this.applyAndStore(tx, caller, model, {
      type: 'complete',
      executionId: child.parent_execution_id!,
      variables: propagate ? variables : {},
    });
  }

  private async callActivityOf(tx: Queryable, caller: InstanceRow, model: ProcessModel, executionId: string) {
    const { rows } = await tx.query<{ element_id: string }>(
      'select element_id from engine_element_instance where instance_key = $1 and execution_id = $2',
      [caller.key, executionId],
    );
    return rows[0] ? model.elements[rows[0].element_id] : undefined;
  }

  /**
   * A BPMN error nobody in `child` catches goes to the activity that called it, as in Camunda
   * 8: when a boundary there (or further up) catches it, the child ends TERMINATED.
   */
  private async propagateError(
    tx: Queryable,
    child: InstanceRow,
    error: { errorCode: string; errorMessage: string; variables: Variables },
  ): Promise<boolean> {
    if (!child.parent_instance_key) return false;
    const caller = await this.lockInstance(tx, child.parent_instance_key);
    if (caller.state !== 'ACTIVE') return false;
    const model = await this.model(caller.definition_key, tx);
    const element = await this.callActivityOf(tx, caller, model, child.parent_execution_id!);
    if (!element) return false;
    if (findErrorCatch(model, element.id, error.errorCode)) {
      await this.terminate(tx, child.key);
      await this.applyAndStore(tx, caller, model, { type: 'error', executionId: child.parent_execution_id!, ...error });
      return true;
    }
    if (await this.propagateError(tx, caller, error)) {
      await this.terminate(tx, child.key);
      return true;
    }
    return false;
  }

  private async elementInstanceKey(tx: Queryable, instanceKey: string, executionId: string): Promise<string> {
    const { rows } = await tx.query<{ key: string }>(
      'select key from engine_element_instance where instance_key = $1 and execution_id = $2',
      [instanceKey, executionId],
    );
    return rows[0]?.key ?? '0';
  }

  private async endWait(tx: Queryable, instanceKey: string, executionId: string, kind: string, now: Date) {
    switch (kind) {
      case 'job':
        await tx.query(
          `update engine_job set state = 'CANCELED', ended_at = $3 where instance_key = $1 and execution_id = $2
             and state in ('ACTIVATABLE', 'ACTIVATED', 'FAILED')`,
          [instanceKey, executionId, now],
        );
        break;
      case 'user-task':
        await tx.query(
          `update engine_user_task set state = 'CANCELED', completed_at = $3 where instance_key = $1
             and execution_id = $2 and state = 'CREATED'`,
          [instanceKey, executionId, now],
        );
        break;
      case 'timer':
        await tx.query('delete from engine_timer where instance_key = $1 and execution_id = $2', [instanceKey, executionId]);
        break;
      case 'message':
        await tx.query('delete from engine_message_subscription where instance_key = $1 and execution_id = $2', [
          instanceKey,
          executionId,
        ]);
        break;
      case 'call': {
        const { rows } = await tx.query<{ key: string }>(
          `select key from engine_instance where parent_instance_key = $1 and parent_execution_id = $2 and state = 'ACTIVE'
           for update`,
          [instanceKey, executionId],
        );
        for (const child of rows) await this.terminate(tx, child.key);
        break;
      }
    }
  }

  private async endWaits(tx: Queryable, instanceKey: string, now: Date, jobState: 'CANCELED') {
    const { rows: children } = await tx.query<{ key: string }>(
      `select key from engine_instance where parent_instance_key = $1 and state = 'ACTIVE' for update`,
      [instanceKey],
    );
    for (const child of children) await this.terminate(tx, child.key);
    await tx.query(
      `update engine_job set state = $3, ended_at = $2 where instance_key = $1 and state in ('ACTIVATABLE', 'ACTIVATED', 'FAILED')`,
      [instanceKey, now, jobState],
    );
    await tx.query(
      `update engine_user_task set state = 'CANCELED', completed_at = $2 where instance_key = $1 and state = 'CREATED'`,
      [instanceKey, now],
    );
    await tx.query('delete from engine_timer where instance_key = $1', [instanceKey]);
    await tx.query('delete from engine_message_subscription where instance_key = $1', [instanceKey]);
    await tx.query(
      `update engine_incident set state = 'RESOLVED', resolved_at = $2 where instance_key = $1 and state = 'ACTIVE'`,
      [instanceKey, now],
    );
  }

  private async raiseIncident(
    tx: Queryable,
    instanceKey: string,
    incident: { elementId: string; executionId?: string; errorType: string; message: string },
    jobKey?: string,
  ) {
    await tx.query(
      `insert into engine_incident (key, instance_key, element_id, execution_id, job_key, error_type, error_message,
         state, created_at) values ($1, $2, $3, $4, $5, $6, $7, 'ACTIVE', $8)`,
      [await this.nextKey(tx), instanceKey, incident.elementId, incident.executionId ?? null, jobKey ?? null,
        incident.errorType, incident.message, this.clock.now()],
    );
    await tx.query('update engine_instance set incident = true where key = $1', [instanceKey]);
  }

  // ---------------------------------------------------------------- jobs

  /** Activates up to `maxJobsToActivate` jobs of `type` for `worker`, locked for `timeoutMs`. */
  async activateJobs(request: {
    type: string;
    worker: string;
    timeoutMs: number;
    maxJobsToActivate: number;
    fetchVariable?: string[];
  }): Promise<ActivatedJob[]> {
    const now = this.clock.now();
    const deadline = new Date(now.getTime() + request.timeoutMs);
    // The jobs and what the answer needs of their instances, in one round trip.
    const { rows } = await this.db.query<
      JobRow & { definition_key: string; process_id: string; version: number; variables: Variables }
    >(
      `with activated as (
         update engine_job j set state = 'ACTIVATED', worker = $2, deadline = $3
         where key in (
           select key from engine_job where type = $1 and state = 'ACTIVATABLE' and (retry_at is null or retry_at <= $4)
           order by key limit $5 for update skip locked)
         returning ${JOB_COLUMNS}
       )
       select activated.*, i.definition_key, i.process_id, i.version, i.variables
       from activated join engine_instance i on i.key = activated.instance_key
       order by activated.key`,
      [request.type, request.worker, deadline, now, request.maxJobsToActivate],
    );
    return rows.map((job) => {
      let variables: Variables = { ...job.variables, ...job.locals };
      if (request.fetchVariable?.length) {
        variables = Object.fromEntries(Object.entries(variables).filter(([name]) => request.fetchVariable!.includes(name)));
      }
      return {
        jobKey: job.key,
        type: job.type,
        processInstanceKey: job.instance_key,
        processDefinitionKey: job.definition_key,
        processDefinitionId: job.process_id,
        processDefinitionVersion: job.version,
        elementId: job.element_id,
        elementInstanceKey: job.element_instance_key,
        customHeaders: job.custom_headers,
        worker: request.worker,
        retries: job.retries,
        deadline: deadline.toISOString(),
        variables,
      };
    });
  }

  /** Completes a job: its variables go into the instance, which moves on. */
  async completeJob(jobKey: string, variables: Variables = {}, options: JobCommandOptions = {}): Promise<void> {
    await this.withJob(
      jobKey,
      options,
      async (tx, job, row, model) => {
        await this.applyAndStore(tx, row, model, {
          type: 'complete',
          executionId: job.execution_id,
          variables,
          locals: job.locals,
        });
      },
      true,
    );
  }

  /**
   * A worker reports failure. With retries left the job becomes activatable again after
   * `retryBackOffMs`; with none left it waits for an incident to be resolved.
   */
  async failJob(
    jobKey: string,
    request: { retries: number; errorMessage?: string; retryBackOffMs?: number },
    options: JobCommandOptions = {},
  ): Promise<void> {
    await this.withJob(jobKey, options, async (tx, job, row) => {
      const now = this.clock.now();
      const message = request.errorMessage ?? 'job failed';
      if (request.retries > 0) {
        const retryAt = new Date(now.getTime() + (request.retryBackOffMs ?? DEFAULT_RETRY_BACKOFF_MS));
        if (retryAt <= now) createdJobTypes.getStore()?.add(job.type);
        await tx.query(
          `update engine_job set state = 'ACTIVATABLE', retries = $2, retry_at = $3, error_message = $4, worker = null,
             deadline = null where key = $1`,
          [jobKey, request.retries, retryAt, message],
        );
        return;
      }
      await tx.query(
        `update engine_job set state = 'FAILED', retries = 0, error_message = $2, worker = null, deadline = null
         where key = $1`,
        [jobKey, message],
      );
      await this.raiseIncident(
        tx,
        row.key,
        { elementId: job.element_id, executionId: job.execution_id, errorType: 'JOB_NO_RETRIES', message },
        jobKey,
      );
    });
  }

  /**
   * A worker reports a modelled business outcome. An error boundary (or error event
   * subprocess) with that code — or a catch-all — takes it; without one it is an incident.
   */
  async throwJobError(
    jobKey: string,
    request: { errorCode: string; errorMessage?: string; variables?: Variables },
    options: JobCommandOptions = {},
  ) {
    await this.withJob(jobKey, options, async (tx, job, row, model) => {
      const now = this.clock.now();
      await tx.query(`update engine_job set state = 'ERROR_THROWN', ended_at = $2, error_message = $3 where key = $1`, [
        jobKey,
        now,
        request.errorMessage ?? null,
      ]);
      const error = {
        errorCode: request.errorCode,
        errorMessage: request.errorMessage ?? '',
        variables: request.variables ?? {},
      };
      if (!findErrorCatch(model, job.element_id, request.errorCode) && !(await this.propagateError(tx, row, error))) {
        await this.raiseIncident(
          tx,
          row.key,
          {
            elementId: job.element_id,
            executionId: job.execution_id,
            errorType: 'UNHANDLED_ERROR_EVENT',
            message: `Expected to throw an error event with the code '${request.errorCode}', but it was not caught.`,
          },
          jobKey,
        );
        return;
      }
      if (row.state !== 'ACTIVE') return;
      if (!findErrorCatch(model, job.element_id, request.errorCode)) return;
      await this.applyAndStore(tx, row, model, { type: 'error', executionId: job.execution_id, ...error });
    });
  }

  /** Extends the lock of an activated job held by `worker` to `durationMs` from now. */
  async extendJobLock(jobKey: string, worker: string, durationMs: number): Promise<void> {
    const { rowCount } = await this.db.query(
      `update engine_job set deadline = $3 where key = $1 and state = 'ACTIVATED' and worker = $2`,
      [jobKey, worker, new Date(this.clock.now().getTime() + durationMs)],
    );
    if (rowCount === 0) throw new EngineError('NOT_FOUND', `job ${jobKey} is not locked by worker ${worker}`);
  }

  /** Gives an activated job back, as if its lock had run out. */
  async unlockJob(jobKey: string): Promise<void> {
    const { rows } = await this.db.query<{ type: string }>(
      `update engine_job set state = 'ACTIVATABLE', worker = null, deadline = null where key = $1 and state = 'ACTIVATED'
       returning type`,
      [jobKey],
    );
    if (rows.length === 0) throw new EngineError('NOT_FOUND', `job ${jobKey} is not locked`);
    this.jobEvents.emit('jobs', new Set([rows[0].type]));
  }

  /** The worker holding an activated job's lock, or undefined when it is not activated. */
  async jobWorker(jobKey: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ worker: string }>(
      `select worker from engine_job where key = $1 and state = 'ACTIVATED'`,
      [jobKey],
    );
    return rows[0]?.worker;
  }

  /** Runs `fn` with the job and its instance locked; a job that is no longer open is NOT_FOUND. */
  private async withJob(
    jobKey: string,
    options: JobCommandOptions,
    fn: (tx: Queryable, job: JobRow, row: InstanceRow, model: ProcessModel) => Promise<void>,
    completes = false,
  ): Promise<void> {
    await this.transaction(async (tx) => {
      let row: InstanceRow;
      let job: JobRow | undefined;
      let completed = false;
      if (completes) {
        // The hot path: the instance's lock and the job's check and state change in one round trip.
        const locked = await this.lockInstanceAndComplete<JobRow>(
          tx,
          'engine_job',
          jobKey,
          {
            sql: `set state = 'COMPLETED', ended_at = $4
                  where key = $1 and state in ('ACTIVATED', 'ACTIVATABLE') and ($5::text is null or state <> 'ACTIVATED' or worker = $5)`,
            columns: JOB_COLUMN_LIST,
            params: [this.clock.now(), options.worker ?? null],
          },
          `job ${jobKey} not found`,
        );
        row = locked.row;
        completed = locked.wait !== undefined;
        // Refused: the row as it is says why.
        job = locked.wait ?? (await this.lockedJob(tx, jobKey));
      } else {
        // Instance first, then job: every path locks in this order, so none deadlocks another.
        row = await this.lockInstanceOf(tx, 'engine_job', jobKey, `job ${jobKey} not found`);
        ({ rows: [job] } = await tx.query<JobRow>(`select ${JOB_COLUMNS} from engine_job where key = $1 for update`, [jobKey]));
      }
      if (!job || (job.state !== 'ACTIVATED' && job.state !== 'ACTIVATABLE' && !completed)) {
        throw new EngineError('NOT_FOUND', `job ${jobKey} is not open (it was completed, failed or cancelled)`);
      }
      // Checked under the lock, so no other worker can take the job between check and command.
      if (options.worker !== undefined && job.state === 'ACTIVATED' && job.worker !== options.worker) {
        throw new EngineError('CONFLICT', `job ${jobKey} is locked by worker '${job.worker}'`);
      }
      await fn(tx, job, row, await this.model(row.definition_key, tx));
    });
  }

  /** The job row under lock; after a refused completion, to say why it was refused. */
  private async lockedJob(tx: Queryable, jobKey: string): Promise<JobRow | undefined> {
    const { rows } = await tx.query<JobRow>(`select ${JOB_COLUMNS} from engine_job where key = $1 for update`, [jobKey]);
    return rows[0];
  }

  // ---------------------------------------------------------------- user tasks

  /** Completes a user task with the form's variables. */
  async completeUserTask(userTaskKey: string, variables: Variables = {}): Promise<void> {
    await this.transaction(async (tx) => {
      const { row, wait } = await this.lockInstanceAndComplete<{ execution_id: string; locals: Variables }>(
        tx,
        'engine_user_task',
        userTaskKey,
        {
          sql: `set state = 'COMPLETED', completed_at = $4 where key = $1 and state = 'CREATED'`,
          columns: ['execution_id', 'locals'],
          params: [this.clock.now()],
        },
        `user task ${userTaskKey} not found`,
      );
      if (!wait) throw new EngineError('NOT_FOUND', `user task ${userTaskKey} is not open`);
      await this.applyAndStore(tx, row, await this.model(row.definition_key, tx), {
        type: 'complete',
        executionId: wait.execution_id,
        variables,
        locals: wait.locals,
      });
    });
  }

  /** Sets or clears the assignee of an open user task. */
  async assignUserTask(userTaskKey: string, assignee: string | null): Promise<void> {
    const { rowCount } = await this.db.query(
      `update engine_user_task set assignee = $2 where key = $1 and state = 'CREATED'`,
      [userTaskKey, assignee],
    );
    if (rowCount === 0) throw new EngineError('NOT_FOUND', `user task ${userTaskKey} is not open`);
  }

  // ---------------------------------------------------------------- messages

  /**
   * Publishes a message: it goes to every matching open subscription — at most one instance
   * per process id — and starts instances of processes with a matching message start event.
   * With a time to live it is kept for subscriptions that open later.
   */
  async publishMessage(request: {
    name: string;
    correlationKey?: string;
    variables?: Variables;
    timeToLiveMs?: number;
    messageId?: string;
  }): Promise<{ messageKey: string }> {
    const correlationKey = request.correlationKey ?? '';
    const variables = request.variables ?? {};
    const now = this.clock.now();
    return this.transaction(async (tx) => {
      const messageKey = await this.nextKey(tx);
      if (request.messageId) {
        const { rows } = await tx.query(
          'select 1 from engine_message where name = $1 and message_id = $2 and expires_at > $3',
          [request.name, request.messageId, now],
        );
        if (rows.length) {
          throw new EngineError('ALREADY_EXISTS', `a message with id ${request.messageId} was already published`);
        }
      }
      const { served } = await this.deliverMessage(tx, request.name, correlationKey, variables);
      if ((request.timeToLiveMs ?? 0) > 0) {
        await tx.query(
          `insert into engine_message (key, name, correlation_key, message_id, variables, expires_at, created_at)
           values ($1, $2, $3, $4, $5, $6, $7)`,
          [messageKey, request.name, correlationKey, request.messageId ?? null, JSON.stringify(variables),
            new Date(now.getTime() + request.timeToLiveMs!), now],
        );
        for (const processId of served) {
          await tx.query(
            'insert into engine_message_correlation (message_key, process_id, instance_key) values ($1, $2, 0)',
            [messageKey, processId],
          );
        }
      }
      return { messageKey };
    });
  }

  /**
   * Delivers a message: to every matching open subscription — at most one instance per
   * process id, oldest subscription first — then to message start events of the latest
   * versions (one active instance per correlation key). Returns the process ids served and the
   * first instance that took it.
   */
  private async deliverMessage(
    tx: Queryable,
    name: string,
    correlationKey: string,
    variables: Variables,
  ): Promise<{ served: Set<string>; first: string | undefined }> {
    const served = new Set<string>();
    let first: string | undefined;
    const { rows: subscriptions } = await tx.query<{ instance_key: string; execution_id: string; process_id: string }>(
      `select s.instance_key, s.execution_id, i.process_id from engine_message_subscription s
       join engine_instance i on i.key = s.instance_key
       where s.message_name = $1 and s.correlation_key = $2 order by s.key`,
      [name, correlationKey],
    );
    for (const subscription of subscriptions) {
      if (served.has(subscription.process_id)) continue;
      const row = await this.lockInstance(tx, subscription.instance_key);
      const stillOpen = await tx.query(
        'select 1 from engine_message_subscription where instance_key = $1 and execution_id = $2',
        [row.key, subscription.execution_id],
      );
      if (row.state !== 'ACTIVE' || stillOpen.rows.length === 0) continue;
      served.add(subscription.process_id);
      first ??= row.key;
      await this.applyAndStore(tx, row, await this.model(row.definition_key, tx), {
        type: 'complete',
        executionId: subscription.execution_id,
        variables,
      });
    }
    const { rows: starters } = await tx.query<{ key: string; process_id: string; version: number; model: ProcessModel }>(
      `select distinct on (process_id) key, process_id, version, model from engine_process_definition
       order by process_id, version desc`,
    );
    for (const definition of starters) {
      if (served.has(definition.process_id)) continue;
      const start = definition.model.messageStarts.find((s) => s.messageName === name);
      if (!start) continue;
      if (correlationKey) {
        const { rows: active } = await tx.query(
          `select 1 from engine_instance where process_id = $1 and state = 'ACTIVE' and start_message_key = $2 limit 1`,
          [definition.process_id, correlationKey],
        );
        if (active.length) continue;
      }
      served.add(definition.process_id);
      const instanceKey = await this.startInstance(tx, definition, await this.model(definition.key, tx), start.elementId, variables, {
        startMessageKey: correlationKey || undefined,
      });
      first ??= instanceKey;
    }
    return { served, first };
  }

  /** After an event: a new subscription takes a buffered message that is still alive. */
  private async correlateBuffered(
    tx: Queryable,
    row: InstanceRow,
    model: ProcessModel,
    result: EventResult,
    known: Map<string, string>,
  ) {
    for (const wait of result.waits) {
      if (wait.kind !== 'message' || known.has(wait.executionId) || !wait.message) continue;
      const { rows } = await tx.query<{ key: string; variables: Variables }>(
        `select m.key, m.variables from engine_message m
         where m.name = $1 and m.correlation_key = $2 and m.expires_at > $3
           and not exists (select 1 from engine_message_correlation c where c.message_key = m.key and c.process_id = $4)
         order by m.key limit 1 for update`,
        [wait.message.name, wait.message.correlationKey, this.clock.now(), row.process_id],
      );
      if (!rows[0]) continue;
      await tx.query('insert into engine_message_correlation (message_key, process_id, instance_key) values ($1, $2, $3)', [
        rows[0].key,
        row.process_id,
        row.key,
      ]);
      // Applying it may open further subscriptions, which are matched in turn.
      await this.applyAndStore(tx, row, model, { type: 'complete', executionId: wait.executionId, variables: rows[0].variables });
      return;
    }
  }

  // ---------------------------------------------------------------- timers

  /**
   * Fires every timer due by the engine clock, oldest first, each in its own transaction.
   * Returns how many fired. Safe to run from several processes at once (SKIP LOCKED).
   */
  async fireDueTimers(limit = 100): Promise<number> {
    let fired = 0;
    for (;;) {
      const done = await this.transaction(async (tx) => {
        const { rows: due } = await tx.query<{ key: string; instance_key: string | null }>(
          `select key, instance_key from engine_timer where due_at <= $1 order by due_at, key limit 1`,
          [this.clock.now()],
        );
        if (!due[0]) return false;
        // Instance first, then its timer rows — the order of every other path. A timer locked
        // first would deadlock with an event on the same instance ending that very timer.
        const row = due[0].instance_key === null ? undefined : await this.lockInstance(tx, due[0].instance_key);
        const { rows } = await tx.query<{
          key: string; instance_key: string | null; definition_key: string; element_id: string; execution_id: string | null;
          due_at: Date; repetitions: number | null;
        }>(
          `delete from engine_timer where key = $1
           returning key, instance_key, definition_key, element_id, execution_id, due_at, repetitions`,
          [due[0].key],
        );
        const timer = rows[0];
        // Another process fired it (or an event ended it) while this one waited for the lock.
        if (!timer) return true;
        if (!row) {
          await this.fireTimerStart(tx, timer);
          return true;
        }
        if (row.state !== 'ACTIVE') return true;
        try {
          await this.applyAndStore(tx, row, await this.model(row.definition_key, tx), {
            type: 'timer',
            executionId: timer.execution_id!,
          });
        } catch (error) {
          // Nothing waits for this timer any more: it is done, not retried forever.
          if (!(error instanceof EngineError && error.code === 'NOT_FOUND')) throw error;
        }
        return true;
      });
      if (!done) return fired;
      if (++fired >= limit) return fired;
    }
  }

  private async fireTimerStart(
    tx: Queryable,
    timer: { definition_key: string; element_id: string; due_at: Date; repetitions: number | null },
  ) {
    const model = await this.model(timer.definition_key, tx);
    const { rows } = await tx.query<{ key: string; process_id: string; version: number }>(
      'select key, process_id, version from engine_process_definition where key = $1',
      [timer.definition_key],
    );
    await this.startInstance(tx, rows[0], model, timer.element_id, {});
    const start = model.timerStarts.find((s) => s.elementId === timer.element_id);
    const next = start && start.timer.kind === 'timeCycle' ? firstTimerDue(start.timer, new Date(timer.due_at)) : undefined;
    if (next) {
      await tx.query('insert into engine_timer (key, definition_key, element_id, due_at) values ($1, $2, $3, $4)', [
        await this.nextKey(tx),
        timer.definition_key,
        timer.element_id,
        next,
      ]);
    }
  }

  // ---------------------------------------------------------------- incidents

  /** Resolves an incident; a job incident makes the job activatable again with one retry. */
  async resolveIncident(incidentKey: string): Promise<void> {
    const { rows: found } = await this.db.query<{ instance_key: string }>(
      `select instance_key from engine_incident where key = $1 and state = 'ACTIVE'`,
      [incidentKey],
    );
    if (!found[0]) throw new EngineError('NOT_FOUND', `incident ${incidentKey} is not active`);
    await this.transaction(async (tx) => {
      await this.lockInstance(tx, found[0].instance_key);
      const { rows } = await tx.query<{ job_key: string | null }>(
        `update engine_incident set state = 'RESOLVED', resolved_at = $2 where key = $1 and state = 'ACTIVE' returning job_key`,
        [incidentKey, this.clock.now()],
      );
      if (!rows[0]) return;
      if (rows[0].job_key) {
        const { rows: jobs } = await tx.query<{ type: string }>(
          `update engine_job set state = 'ACTIVATABLE', retries = greatest(retries, 1), retry_at = null
           where key = $1 and state = 'FAILED' returning type`,
          [rows[0].job_key],
        );
        for (const job of jobs) createdJobTypes.getStore()?.add(job.type);
      }
      await tx.query(
        `update engine_instance set incident = exists (select 1 from engine_incident where instance_key = $1 and state = 'ACTIVE')
         where key = $1`,
        [found[0].instance_key],
      );
    });
  }

  // ---------------------------------------------------------------- housekeeping

  /** Gives back jobs whose worker let the lock time run out (retries are not reduced). */
  async releaseTimedOutJobs(): Promise<number> {
    // A job row locked by an event on its instance is skipped, not waited for: the release then
    // never holds one job while waiting for another (no deadlock), and takes it on the next round.
    const { rows } = await this.db.query<{ type: string }>(
      `update engine_job set state = 'ACTIVATABLE', worker = null, deadline = null
       where key in (select key from engine_job where state = 'ACTIVATED' and deadline <= $1 for update skip locked)
       returning type`,
      [this.clock.now()],
    );
    if (rows.length > 0) this.jobEvents.emit('jobs', new Set(rows.map((row) => row.type)));
    return rows.length;
  }

  /** Drops buffered messages whose time to live is over. */
  async expireMessages(): Promise<number> {
    // As releaseTimedOutJobs: a message being correlated right now is left for the next round.
    const { rowCount } = await this.db.query(
      'delete from engine_message where key in (select key from engine_message where expires_at <= $1 for update skip locked)',
      [this.clock.now()],
    );
    return rowCount;
  }

  // ---- /v2 additions ----
  // Commands the Camunda 8 REST API v2 needs beyond those above (src/api/routes/v2/).

  /**
   * Correlates a message at once, without buffering it: as {@link publishMessage} with no time
   * to live — the same matching, at most one instance per process id, message start events —
   * but it answers which instance took the message (the first) and refuses with NOT_FOUND,
   * changing nothing, when nothing matches, as Camunda 8's correlate command does.
   */
  async correlateMessage(request: {
    name: string;
    correlationKey?: string;
    variables?: Variables;
  }): Promise<{ messageKey: string; processInstanceKey: string }> {
    const correlationKey = request.correlationKey ?? '';
    const variables = request.variables ?? {};
    return this.transaction(async (tx) => {
      const messageKey = await this.nextKey(tx);
      const { first } = await this.deliverMessage(tx, request.name, correlationKey, variables);
      if (first === undefined) {
        throw new EngineError(
          'NOT_FOUND',
          `no process instance waits for message '${request.name}' with correlation key '${correlationKey}' and no message start event matches`,
        );
      }
      return { messageKey, processInstanceKey: first };
    });
  }

  /**
   * Changes an open job: `retries` (at least 1) and/or `timeoutMs`, a new lock deadline counted
   * from now for an activated job. A job with an incident keeps it; resolving it reactivates.
   */
  async updateJob(jobKey: string, changes: { retries?: number; timeoutMs?: number }): Promise<void> {
    if (changes.retries !== undefined && (!Number.isInteger(changes.retries) || changes.retries < 1)) {
      throw new EngineError('INVALID_ARGUMENT', 'retries must be a whole number of at least 1');
    }
    await this.transaction(async (tx) => {
      const { rows } = await tx.query<{ state: string }>('select state from engine_job where key = $1 for update', [jobKey]);
      const state = rows[0]?.state;
      if (state !== 'ACTIVATABLE' && state !== 'ACTIVATED' && state !== 'FAILED') {
        throw new EngineError('NOT_FOUND', `job ${jobKey} is not open`);
      }
      if (changes.retries !== undefined) {
        await tx.query('update engine_job set retries = $2 where key = $1', [jobKey, changes.retries]);
      }
      if (changes.timeoutMs !== undefined) {
        if (state !== 'ACTIVATED') throw new EngineError('NOT_FOUND', `job ${jobKey} is not activated: it has no timeout`);
        await tx.query('update engine_job set deadline = $2 where key = $1', [
          jobKey,
          new Date(this.clock.now().getTime() + changes.timeoutMs),
        ]);
      }
    });
  }
  // ---- end of /v2 additions ----
}

interface JobRow {
  key: string;
  instance_key: string;
  element_instance_key: string;
  element_id: string;
  execution_id: string;
  type: string;
  state: string;
  retries: number;
  worker: string | null;
  custom_headers: Record<string, string>;
  locals: Variables;
}

/**
 * What an event's result writes besides the instance row: new jobs, user tasks, timers and
 * message subscriptions, element instances entered and left. $1 instance key, $5 ended at (or
 * null), $6 entered, $7 left, $8 now, $9–$12 new waits, $13 process id, $14 definition key.
 */
const STORE_RESULT = `with jobs as (
         insert into engine_job (key, instance_key, element_instance_key, element_id, execution_id, type, state, retries,
           custom_headers, locals, created_at)
         select j.key, $1, j.element_instance_key, j.element_id, j.execution_id, j.type, 'ACTIVATABLE', j.retries,
           j.custom_headers, j.locals, $8
         from jsonb_to_recordset($9::jsonb) as j(key bigint, element_instance_key bigint, element_id text, execution_id text,
           type text, retries integer, custom_headers jsonb, locals jsonb)
       ), user_tasks as (
         insert into engine_user_task (key, instance_key, element_instance_key, element_id, execution_id, process_id,
           definition_key, state, assignee, candidate_groups, candidate_users, due_date, follow_up_date, form_key, form_id,
           priority, locals, created_at)
         select u.key, $1, u.element_instance_key, u.element_id, u.execution_id, $13, $14, 'CREATED', u.assignee,
           u.candidate_groups, u.candidate_users, u.due_date, u.follow_up_date, u.form_key, u.form_id, u.priority, u.locals, $8
         from jsonb_to_recordset($10::jsonb) as u(key bigint, element_instance_key bigint, element_id text, execution_id text,
           assignee text, candidate_groups text[], candidate_users text[], due_date timestamptz, follow_up_date timestamptz,
           form_key text, form_id text, priority integer, locals jsonb)
       ), timers as (
         insert into engine_timer (key, instance_key, definition_key, element_id, execution_id, due_at, repetitions)
         select t.key, $1, $14, t.element_id, t.execution_id, t.due_at, t.repetitions
         from jsonb_to_recordset($11::jsonb) as t(key bigint, element_id text, execution_id text, due_at timestamptz,
           repetitions integer)
       ), subscriptions as (
         insert into engine_message_subscription (key, instance_key, element_id, execution_id, message_name, correlation_key,
           created_at)
         select m.key, $1, m.element_id, m.execution_id, m.message_name, m.correlation_key, $8
         from jsonb_to_recordset($12::jsonb) as m(key bigint, element_id text, execution_id text, message_name text,
           correlation_key text)
       ), entered as (
         insert into engine_element_instance (key, instance_key, element_id, element_type, execution_id, state, started_at, ended_at)
         select e.key, $1, e.element_id, e.element_type, e.execution_id, e.state, e.at, e.ended_at
         from jsonb_to_recordset($6::jsonb) as e(key bigint, element_id text, element_type text, execution_id text,
           at timestamptz, state text, ended_at timestamptz)
         on conflict (instance_key, execution_id) do nothing
       ), left_ as (
         update engine_element_instance i set state = l.state, ended_at = l.at
         from jsonb_to_recordset($7::jsonb) as l(execution_id text, state text, at timestamptz)
         where i.instance_key = $1 and i.execution_id = l.execution_id and i.state = 'ACTIVE'
       ), closed as (
         -- An instance that ended leaves nothing active (a terminate end event ends it mid-flight).
         update engine_element_instance i set state = 'TERMINATED', ended_at = $5
         where $5::timestamptz is not null and i.instance_key = $1 and i.state = 'ACTIVE'
           and not exists (select 1 from jsonb_to_recordset($7::jsonb) as l(execution_id text) where l.execution_id = i.execution_id)
       )`;

/** {@link STORE_RESULT} with the update of the instance row: $2 state, $3 engine state, $4 variables. */
const STORE_AND_UPDATE = `${STORE_RESULT}
  update engine_instance set state = $2, engine_state = $3, variables = $4, revision = revision + 1, ended_at = $5,
    incident = incident and $5::timestamptz is null
  where key = $1`;

/**
 * {@link STORE_RESULT} with the insert of a new instance row (its children's foreign keys are
 * checked at the end of the statement): as the update, and $15 version, $16 business key,
 * $17 start message key, $18 parent instance key, $19 parent execution id, $20 started at.
 */
const STORE_AND_INSERT = `${STORE_RESULT}
  insert into engine_instance (key, definition_key, process_id, version, state, business_key, start_message_key,
    parent_instance_key, parent_execution_id, engine_state, variables, revision, started_at, ended_at)
  values ($1, $14, $13, $15, $2, $16, $17, $18, $19, $3, $4, 1, $20, $5)`;

/** An event run on an instance's engine, not stored yet. */
interface ComputedEvent {
  result: EventResult;
  /** The waits stored before the event: executionId → kind. */
  known: Map<string, string>;
  /** The live engine that ran it, to cache once stored (in-thread execution only). */
  instance?: LiveInstance;
}

/**
 * Whether storing a new instance's result is one statement: it starts no called process,
 * subscribes to no message (a buffered one may wait for it), raises no incident, and every wait
 * belongs to an element entered in this event.
 */
function isSelfContained(result: EventResult): boolean {
  const entered = new Set(result.transitions.map((transition) => transition.executionId));
  return (
    !result.incident &&
    result.waits.every((wait) => wait.kind !== 'call' && wait.kind !== 'message' && entered.has(wait.executionId))
  );
}

/** An instance row's columns; its engine state only when $2 is not the revision a live engine holds. */
const INSTANCE_COLUMNS = `key, definition_key, process_id, version, state, variables, revision, parent_instance_key,
    parent_execution_id, incident, case when revision = $2 then null else engine_state::text end as engine_state`;

/** Reads and locks an instance row (add `where … for update`). */
const LOCK_INSTANCE = `select ${INSTANCE_COLUMNS} from engine_instance`;

/** The waits stored for the instance `key` (an SQL expression): execution_id, kind. */
const waitsOf = (key: string) => `
  select execution_id, 'job' as kind from engine_job where instance_key = ${key} and state in ('ACTIVATABLE', 'ACTIVATED', 'FAILED')
  union all select execution_id, 'user-task' from engine_user_task where instance_key = ${key} and state = 'CREATED'
  union all select execution_id, 'timer' from engine_timer where instance_key = ${key}
  union all select execution_id, 'message' from engine_message_subscription where instance_key = ${key}
  union all select parent_execution_id, 'call' from engine_instance child where child.parent_instance_key = ${key} and child.state = 'ACTIVE'`;

/**
 * {@link LOCK_INSTANCE} with the stored waits when they are needed (no live engine), saving a
 * round trip. They are read in the statement's snapshot, while a row that was locked only after
 * waiting for another transaction comes as that transaction left it: `snapshot_revision` is the
 * revision the waits belong to (every change to the waits changes the revision as well).
 */
const LOCK_INSTANCE_WITH_WAITS = `select ${INSTANCE_COLUMNS},
    case when revision = $2 then null
      else (select json_agg(json_build_array(execution_id, kind)) from (${waitsOf('engine_instance.key')}) waits) end as stored_waits,
    (select snapshot.revision from engine_instance snapshot where snapshot.key = engine_instance.key) as snapshot_revision
  from engine_instance`;

/** PostgreSQL's SQLSTATE for a transaction rolled back to break a deadlock. */
const DEADLOCK_DETECTED = '40P01';
/** How often a transaction runs when it keeps being chosen as a deadlock's victim. */
const DEADLOCK_ATTEMPTS = 3;

/** How many job and user-task keys this process remembers the instance of. */
const WAIT_OWNERS = 4096;

const JOB_COLUMN_LIST = [
  'key', 'instance_key', 'element_instance_key', 'element_id', 'execution_id', 'type', 'state', 'retries', 'worker',
  'custom_headers', 'locals',
] as const;
const JOB_COLUMNS = JOB_COLUMN_LIST.join(', ');

/** Options of a job command. */
export interface JobCommandOptions {
  /** Only the worker holding the job's lock may run the command (Camunda 7 semantics). */
  worker?: string;
}

function readForm(resource: { name: string; content: string }): { id: string; schema: object } {
  let schema: { id?: unknown; components?: unknown };
  try {
    schema = JSON.parse(resource.content);
  } catch {
    throw new EngineError('INVALID_ARGUMENT', `${resource.name}: not valid JSON`);
  }
  if (typeof schema?.id !== 'string' || !Array.isArray(schema.components)) {
    throw new EngineError('INVALID_ARGUMENT', `${resource.name}: a form needs an "id" and "components"`);
  }
  return { id: schema.id, schema };
}

/** The first due time of a timer start event after `from`; undefined when it never fires. */
function firstTimerDue(timer: NonNullable<ElementModel['timer']>, from: Date): Date | undefined {
  if (timer.value.startsWith('=')) return undefined;
  if (timer.kind === 'timeDate') return new Date(timer.value);
  const match = /^R(\d*)\/(.+)$/.exec(timer.value);
  const duration = match ? match[2] : timer.value;
  return addIsoDuration(from, duration);
}

/** Adds an ISO 8601 duration (PnYnMnDTnHnMnS, PnW) to `from`, calendar-aware for Y/M/D. */
export function addIsoDuration(from: Date, duration: string): Date | undefined {
  const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(duration);
  if (!match) return undefined;
  const [, y, mo, w, d, h, mi, s] = match.map((part) => (part === undefined ? 0 : Number(part)));
  const date = new Date(from);
  date.setUTCFullYear(date.getUTCFullYear() + y, date.getUTCMonth() + mo, date.getUTCDate() + w * 7 + d);
  return new Date(date.getTime() + ((h * 60 + mi) * 60 + s) * 1000);
}
