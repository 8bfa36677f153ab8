import { defineConfig } from 'vitest/config'

// Two projects: `unit` needs nothing but Node; `integration` starts real Zot servers on loopback.
// Integration files run one at a time (2-core machines; each file starts its own Zot servers).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['__tests__/**/*.test.ts'],
          exclude: ['__tests__/**/*.int.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['__tests__/**/*.int.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
    reporters: ['default'],
  },
})
