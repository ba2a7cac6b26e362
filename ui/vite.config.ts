import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Tests format dates in a fixed zone so expectations do not depend on the machine.
process.env.TZ = 'UTC';

const apiTarget = process.env.TOTRACKIT_API_URL ?? 'http://localhost:8080';
const proxied = ['/processes', '/analytics', '/health', '/metrics', '/openapi.json'];

export default defineConfig({
  base: '/',
  plugins: [react()],
  server: {
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: apiTarget, changeOrigin: true }])),
  },
  preview: {
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: apiTarget, changeOrigin: true }])),
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: false,
    emptyOutDir: true,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
