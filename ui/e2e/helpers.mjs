// Shared helpers of the end-to-end tests and the screenshot script: the server under test, API
// calls that create test data (black-box, over HTTP), and a headless Chromium.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function baseUrl() {
  const url = process.env.TOTRACKIT_E2E_BASE_URL;
  if (!url) {
    throw new Error('TOTRACKIT_E2E_BASE_URL is not set (for example http://127.0.0.1:8080).');
  }
  return url.replace(/\/+$/, '');
}

export const apiKey = () => process.env.TOTRACKIT_E2E_API_KEY ?? '';

/** A process name unique to this run of the suite (letters, digits, "-" only). */
export function uniqueName(prefix) {
  const stamp = Date.now().toString(36);
  const rand = Math.random().toString(36).slice(2, 6);
  return `${prefix}-${stamp}${rand}`;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (apiKey()) headers['X-API-KEY'] = apiKey();
  const res = await fetch(`${baseUrl()}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}

export async function createRun(name, id, { deadline, tags = [], context = {} } = {}) {
  const body = { id, tags, context };
  if (deadline !== undefined) body.deadline = deadline;
  const res = await api('POST', `/processes/${encodeURIComponent(name)}`, body);
  if (res.status !== 201) throw new Error(`create ${name}/${id}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function finishRun(name, id, status = 'COMPLETED') {
  const res = await api('PUT', `/processes/${encodeURIComponent(name)}/${encodeURIComponent(id)}/complete`, { status });
  if (res.status !== 200) throw new Error(`complete ${name}/${id}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function getRun(name, id) {
  return api('GET', `/processes/${encodeURIComponent(name)}/${encodeURIComponent(id)}`);
}

export const tags = (obj) => Object.entries(obj).map(([key, value]) => ({ key, value }));

/** Starts a fresh headless Chromium profile; returns the page and a close function. */
export async function openBrowser({ width = 1440, height = 900, withKey = true } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'totrackit-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width, height },
    locale: 'en-GB',
  });
  if (withKey && apiKey()) {
    await context.addInitScript((key) => window.localStorage.setItem('totrackit.apiKey', key), apiKey());
  }
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15000);
  const errors = [];
  page.on('pageerror', (err) => errors.push(err));
  return {
    page,
    context,
    /** Uncaught exceptions in the page: a crash is always a test failure. */
    pageErrors: errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function goto(page, search) {
  await page.goto(`${baseUrl()}/${search}`);
}

/** Waits until no loading indicator is left on the page. */
export async function settled(page) {
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="loading"]').length === 0);
}
