/**
 * The script-tag bundle: dist/widget.js, one IIFE with everything in it
 * (Preact through react/react-dom aliases, the CSS as a string for the shadow
 * root, both locale tables). `npm run build` prints its gzipped size.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  resolve: {
    // The source is written against React's API; the bundle gets Preact's compat layer (~4 KB instead of ~45 KB).
    alias: [
      { find: /^react$/, replacement: 'preact/compat' },
      { find: /^react-dom$/, replacement: 'preact/compat' },
      { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
      { find: /^react\/jsx-runtime$/, replacement: 'preact/jsx-runtime' },
      { find: /^react\/jsx-dev-runtime$/, replacement: 'preact/jsx-runtime' },
    ],
  },
  define: {
    'process.env.NODE_ENV': JSON.stringify('production'),
  },
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2020',
    sourcemap: true,
    minify: true,
    lib: {
      entry: 'src/embed.tsx',
      name: 'SupportWidgetBundle',
      formats: ['iife'],
      fileName: () => 'widget.js',
    },
  },
});
