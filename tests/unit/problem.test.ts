import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import problem from '../../src/api/plugins/problem.js';

describe('problem+json errors', () => {
  const app = Fastify({ logger: false });
  afterEach(() => app.close());

  it('answers an unknown route with 404 problem+json naming method and path, not the query', async () => {
    await app.register(problem);
    const response = await app.inject({ method: 'GET', url: '/missing?name=Jane' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'No route GET /missing',
      instance: '/missing',
      code: 'NOT_FOUND',
    });
  });

  it('answers invalid input with 400 and says what was wrong', async () => {
    const app2 = Fastify({ logger: false });
    await app2.register(problem);
    app2.post('/things', { schema: { body: { type: 'object', required: ['name'] } } }, async () => ({}));
    const response = await app2.inject({ method: 'POST', url: '/things', payload: {} });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ status: 400, detail: "body must have required property 'name'" });
    await app2.close();
  });

  it('hides the details of an unexpected error behind a 500', async () => {
    const app3 = Fastify({ logger: false });
    await app3.register(problem);
    app3.get('/fails', async () => {
      throw new Error('secret internals: client 4711');
    });
    const response = await app3.inject({ method: 'GET', url: '/fails' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'Internal server error',
      instance: '/fails',
    });
    await app3.close();
  });
});
