import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the service at /console (packages/server/src/http/console-routes.ts):
// everything under dist/assets/ has a content hash and is cached for good.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  // `npm run dev -w @support/console` next to `npm start`: the API and the agent socket come from the service.
  server: {
    proxy: { '/support': { target: 'http://127.0.0.1:3000', ws: true } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
  },
});
