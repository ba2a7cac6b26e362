import { describe, expect, it } from 'vitest';
import { ApiError, describeError, errorFromResponse, parseErrorBody } from './errors';

describe('parseErrorBody', () => {
  it('prefers message when error is present', () => {
    expect(parseErrorBody({ error: 'PROCESS_NOT_FOUND', message: "Process not found: name='a', id='b'" })).toEqual({
      code: 'PROCESS_NOT_FOUND',
      message: "Process not found: name='a', id='b'",
      details: [],
    });
  });

  it('falls back to the error code when message is missing', () => {
    expect(parseErrorBody({ error: 'CONFLICT' }).message).toBe('CONFLICT');
  });

  it('reads _embedded.errors[0].message before the top-level message', () => {
    const body = { message: 'Bad Request', _embedded: { errors: [{ message: 'createProcess.request.id: too short' }, { message: 'second' }] } };
    expect(parseErrorBody(body)).toEqual({ code: null, message: 'createProcess.request.id: too short', details: [] });
  });

  it('uses the plain message when there is nothing else', () => {
    expect(parseErrorBody({ message: 'Not Found' }).message).toBe('Not Found');
    expect(parseErrorBody({ message: 'x', _embedded: { errors: [] } }).message).toBe('x');
  });

  it('survives bodies of any shape', () => {
    for (const body of [undefined, null, 'text', 42, [], {}, { _embedded: null }, { details: 'nope' }]) {
      expect(parseErrorBody(body)).toEqual({ code: null, message: null, details: [] });
    }
  });

  it('normalises detail entries', () => {
    const parsed = parseErrorBody({ error: 'VALIDATION_ERROR', message: 'm', details: [{ field: 'tags[0].key' }, 'junk'] });
    expect(parsed.details).toEqual([
      { field: 'tags[0].key', message: '', rejected_value: undefined },
      { field: '', message: '', rejected_value: undefined },
    ]);
  });
});

describe('errorFromResponse', () => {
  it('gives a default message for an empty 404', () => {
    const e = errorFromResponse(404, undefined, '/x');
    expect(e.kind).toBe('http');
    expect(e.message).toBe('The server answered HTTP 404.');
  });

  it('gives a default message for a 401 without body', () => {
    const e = errorFromResponse(401, undefined, '/processes/');
    expect(e.kind).toBe('unauthorized');
    expect(e.code).toBe('UNAUTHORIZED');
    expect(e.message).toMatch(/API key/);
  });

  it('treats an empty 500 (a dev proxy without its target) as unreachable', () => {
    expect(errorFromResponse(500, undefined, '/x').kind).toBe('network');
  });
});

describe('describeError', () => {
  it('describes any thrown value', () => {
    expect(describeError(new ApiError({ kind: 'http', message: 'boom', path: '/' }))).toBe('boom');
    expect(describeError(new Error('plain'))).toBe('plain');
    expect(describeError('text')).toBe('text');
  });
});
