// HTTP front of the in-memory API (mock-api.mjs) that also serves the built UI from dist/,
// the way the real server does. Usage: node e2e/mock-server.mjs [--port 8080] [--dist ../dist]
// Env: MOCK_API_KEY makes /processes/** require X-API-KEY, as TOTRACKIT_API_KEY does.

import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpError, MockStore, toResponse } from './mock-api.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2' };

function send(res, status, body, headers = {}) {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function errorBody(err, path) {
  const body = { error: err.code, message: err.message, timestamp: Math.floor(Date.now() / 1000), path };
  if (err.details) body.details = err.details;
  return body;
}

async function readJson(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'VALIDATION_ERROR', 'Malformed JSON body');
  }
}

function serveStatic(res, distDir, pathname) {
  const file = normalize(join(distDir, decodeURIComponent(pathname)));
  if (file.startsWith(distDir) && existsSync(file) && statSync(file).isFile()) {
    const cache = pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': cache });
    createReadStream(file).pipe(res);
    return;
  }
  if (pathname.startsWith('/assets/') || extname(pathname)) {
    send(res, 404, { error: 'NOT_FOUND', message: `No such file: ${pathname}`, timestamp: Math.floor(Date.now() / 1000), path: pathname });
    return;
  }
  const index = join(distDir, 'index.html');
  if (!existsSync(index)) {
    res.writeHead(503, { 'Content-Type': 'text/plain' }).end('UI not built: run `npm run build` in ui/.');
    return;
  }
  res.writeHead(200, { 'Content-Type': TYPES['.html'], 'Cache-Control': 'no-cache' });
  createReadStream(index).pipe(res);
}

async function handleApi(store, req, res, url) {
  const path = url.pathname;
  const q = url.searchParams;
  const m = req.method;
  if (path === '/health' || path === '/health/live' || path === '/health/ready') {
    return send(res, 200, { status: 'UP', timestamp: new Date().toISOString(), version: 'mock', components: { application: { status: 'UP' } } });
  }
  if (path === '/metrics') {
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(`# HELP totrackit_active_processes_current Active runs\n# TYPE totrackit_active_processes_current gauge\ntotrackit_active_processes_current ${store.summary().active}\n`);
    return undefined;
  }
  if (path === '/analytics/summary' && m === 'GET') return send(res, 200, store.summary());
  if (path === '/analytics/tags' && m === 'GET') return send(res, 200, store.tagAnalytics(q));
  if (path === '/analytics/names' && m === 'GET') return send(res, 200, store.names(q));
  if (path === '/processes' || path === '/processes/') {
    if (m === 'GET' || m === 'HEAD') return send(res, 200, store.list(q));
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed');
  }
  const parts = path.split('/').slice(2).map((p) => decodeURIComponent(p));
  if (parts.length === 1 && m === 'POST') return send(res, 201, toResponse(store.create(parts[0], await readJson(req), path)));
  if (parts.length === 2 && m === 'GET') {
    const row = store.find(parts[0], parts[1]);
    if (!row) throw new HttpError(404, 'PROCESS_NOT_FOUND', `Process not found: name='${parts[0]}', id='${parts[1]}'`);
    return send(res, 200, toResponse(row));
  }
  if (parts.length === 2 && m === 'DELETE') {
    store.remove(parts[0], parts[1]);
    return send(res, 204);
  }
  if (parts.length === 3 && parts[2] === 'complete' && m === 'PUT') {
    return send(res, 200, toResponse(store.complete(parts[0], parts[1], await readJson(req))));
  }
  throw new HttpError(404, 'NOT_FOUND', `No route for ${m} ${path}`);
}

const API_PREFIXES = ['/processes', '/analytics', '/health', '/metrics'];

export function startMockServer({ port = 0, host = '127.0.0.1', distDir = resolve(HERE, '../dist'), apiKey = process.env.MOCK_API_KEY ?? '' } = {}) {
  const store = new MockStore();
  const dist = resolve(distDir);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const isApi = API_PREFIXES.some((p) => url.pathname === p || url.pathname.startsWith(`${p}/`));
    try {
      if (!isApi) return serveStatic(res, dist, url.pathname);
      if (apiKey && url.pathname.startsWith('/processes') && req.headers['x-api-key'] !== apiKey) {
        throw new HttpError(401, 'UNAUTHORIZED', 'Missing or invalid X-API-KEY header');
      }
      return await handleApi(store, req, res, url);
    } catch (err) {
      if (err instanceof HttpError) return send(res, err.status, errorBody(err, url.pathname));
      console.error(err);
      return send(res, 500, { error: 'INTERNAL_SERVER_ERROR', message: 'An unexpected error occurred. Please try again later.', timestamp: Math.floor(Date.now() / 1000), path: url.pathname });
    }
  });
  return new Promise((resolveStart) => {
    server.listen(port, host, () => {
      const address = server.address();
      resolveStart({ server, store, url: `http://${host}:${address.port}`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, def) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : def;
  };
  const started = await startMockServer({ port: Number(opt('--port', '8080')), host: opt('--host', '127.0.0.1'), distDir: opt('--dist', resolve(HERE, '../dist')) });
  console.log(`Mock ToTrackIt API and UI on ${started.url}`);
}
