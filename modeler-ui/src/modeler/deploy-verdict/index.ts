/** bpmn-js module: the engine's deploy verdict per element (service `deployVerdict`). */
import DeployVerdict from './DeployVerdict';

/** The module: `deployVerdict`, created with the modeler. */
export default {
  __init__: ['deployVerdict'],
  deployVerdict: ['type', DeployVerdict],
};
