/** Request schema of the client export. */
import { schemas } from '../shared/product.js';

/** Path parameters (client). */
export const clientParams = { type: 'object', required: ['clientId'], properties: { clientId: schemas.uuid } } as const;
