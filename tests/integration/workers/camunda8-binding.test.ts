/**
 * Binding 1 (the default): the worker handlers bound with real `@camunda8/sdk` job workers over
 * the Camunda 8 REST API (`/v2`), HTTP Basic with a machine credential.
 */
import { describeBinding } from './binding-suite.js';

describeBinding('camunda8', 'workers over Camunda 8 REST (@camunda8/sdk job workers)');
