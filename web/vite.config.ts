/**
 * The dashboard's build: `vite build --config web/vite.config.ts` writes `web/dist`, which
 * `zai serve` serves at `/`. `vite --config web/vite.config.ts` runs a dev server that proxies
 * the API to a local `zai serve` (ZAI_DEV_API, default http://127.0.0.1:8080).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.ZAI_DEV_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline scripts or data: modules: the dashboard runs under `script-src 'self'`.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: { '/api': api, '/v1': api },
  },
});
