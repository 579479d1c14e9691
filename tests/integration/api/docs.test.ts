/** OpenAPI at /docs: the document names the product routes with their schemas; signed-in people only. */
import { describe, expect, it } from 'vitest';
import { backends } from '../../helpers/databases.js';
import { useProductApi } from './product-harness.js';

describe.each(backends)('OpenAPI document on $name', (backend) => {
  const api = useProductApi(backend, { deploy: false });

  it('describes the product routes with their request schemas', async () => {
    // when
    const answer = await api.as('social', 'GET', '/docs/json');
    // then
    expect(answer.status).toBe(200);
    expect(answer.body.openapi).toMatch(/^3\./);
    expect(Object.keys(answer.body.paths)).toEqual(expect.arrayContaining(['/api/cases', '/api/tasks', '/api/tasks/{taskKey}/complete', '/api/deployments']));
    expect(answer.body.paths['/api/cases'].post.requestBody.content['application/json'].schema.required).toEqual(
      ['client', 'programmeId', 'teamId', 'expectedRelease'],
    );
  });

  it('serves the Swagger UI to signed-in people and refuses anonymous callers', async () => {
    const page = await api.as('owner', 'GET', '/docs/static/index.html');
    const anonymous = await fetch(`${api.url}/docs/json`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(anonymous.status).toBe(401);
  });

  it('sends its index page with a query string to the page instead of redirecting in a loop', async () => {
    const answer = await api.as('owner', 'GET', '/docs/static/index.html?x=1');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
  });
});
