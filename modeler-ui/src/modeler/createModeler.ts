/**
 * The bpmn-js Modeler of the process owners: Zeebe properties panel and behaviours, live lint
 * with the engine's rules, and the deploy verdict in the canvas.
 */
import BpmnModeler from 'bpmn-js/lib/Modeler';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  ZeebePropertiesProviderModule,
} from 'bpmn-js-properties-panel';
import lintModule from 'bpmn-js-bpmnlint';
import zeebeBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-cloud';
import zeebeModdle from 'zeebe-bpmn-moddle/resources/zeebe.json';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import 'bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css';
import deployVerdictModule from './deploy-verdict';
import { lintConfig } from './lint';
import translateModule from './translate';

/** Creates the modeler in `container` with its properties panel in `panel`. */
export function createModeler(container: HTMLElement, panel: HTMLElement): BpmnModeler {
  return new BpmnModeler({
    container,
    propertiesPanel: { parent: panel },
    linting: { bpmnlint: lintConfig, active: true },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      ZeebePropertiesProviderModule,
      zeebeBehaviorsModule,
      lintModule,
      deployVerdictModule,
      translateModule,
    ],
    moddleExtensions: { zeebe: zeebeModdle },
  });
}
