/**
 * Binding 2: the worker handlers bound with the real `camunda-external-task-client-js` over the
 * Camunda 7 external-task protocol (`/engine-rest`), HTTP Basic with a machine credential.
 */
import { describeBinding } from './binding-suite.js';

describeBinding('camunda7', 'workers over Camunda 7 external tasks (camunda-external-task-client-js)');
