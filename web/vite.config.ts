// Vite build of the dashboard: web/ → dist/dashboard/, which the hub serves at / (src/api/dashboard-route.ts).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  // Preact's automatic JSX runtime through Vite's built-in Oxc transform (no framework plugin needed).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/dashboard/', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    // Browsers of the ES2022 target all support modulepreload: no polyfill script.
    modulePreload: { polyfill: false },
    // Nothing inlined into HTML or CSS: the page's CSP allows only its own files.
    assetsInlineLimit: 0,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 200,
  },
});
