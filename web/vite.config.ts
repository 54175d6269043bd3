/**
 * Build of the dashboard: `npm run build:web` writes web/dist, which the coordinator serves
 * (src/web/static.ts). Routes are code-split (React.lazy), so each page is its own chunk.
 * `npx vite --config web/vite.config.ts` runs a dev server that proxies /api (and the live
 * websocket) to a coordinator on 127.0.0.1:8040.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const COORDINATOR = process.env.FEDCREDIT_COORDINATOR ?? 'http://127.0.0.1:8040';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // The charting chunk (recharts + d3 parts) is loaded only by the pages with charts.
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: {
      '/api': {
        target: COORDINATOR,
        ws: true,
        // The coordinator refuses state changes whose Origin is not its own (CSRF defence);
        // the dev server is another origin, so it speaks as the coordinator's own.
        configure: (proxy) => proxy.on('proxyReq', (request) => request.setHeader('origin', COORDINATOR)),
      },
    },
  },
});
