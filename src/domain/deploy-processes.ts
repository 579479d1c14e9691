/**
 * The product's own processes and forms (`processes/*.bpmn`, `processes/forms/*.form`) are
 * deployed at every start: the product cannot work without them. The engine keeps a process or
 * form whose file is byte-identical to its latest version at that version, so a restart adds no
 * versions; a changed file becomes the next version (instances keep running on theirs).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { DeploymentResult, EmbeddedEngine } from '../engine/embedded/engine.js';

/** Where the product's BPMN files live; forms are in its `forms/` folder. */
export const PROCESSES_DIR = fileURLToPath(new URL('../../processes/', import.meta.url));

/** Every BPMN and form file of `dir` (and `dir/forms`), by name. */
export async function readProcessResources(dir: string = PROCESSES_DIR): Promise<{ name: string; content: Buffer }[]> {
  const resources: { name: string; content: Buffer }[] = [];
  for (const folder of [dir, path.join(dir, 'forms')]) {
    const names = (await readdir(folder)).filter((name) => name.endsWith('.bpmn') || name.endsWith('.form')).sort();
    for (const name of names) resources.push({ name, content: await readFile(path.join(folder, name)) });
  }
  return resources;
}

/**
 * Deploys the product's processes and forms in one deployment (all or nothing: a file the
 * deploy-time check refuses stops the start, naming it). Returns what the engine deployed.
 */
export async function deployProductProcesses(engine: Pick<EmbeddedEngine, 'deploy'>, log: Logger, dir?: string): Promise<DeploymentResult> {
  const result = await engine.deploy(await readProcessResources(dir));
  log.info(
    { processes: result.processes.map((p) => `${p.processDefinitionId}@${p.version}`), forms: result.forms.length },
    'product processes deployed',
  );
  return result;
}
