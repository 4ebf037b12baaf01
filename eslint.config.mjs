// ESLint for the extension (client/): `npx eslint client`, run by `npm test`.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
  { ignores: ["dist/", "out/", "node_modules/", ".tools/", "tests/e2e/.work/", "tests/e2e/artifacts/"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ["client/**/*.ts", "client/**/*.mjs"],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      eqeqeq: ["error", "smart"],
      "no-var": "error",
      "prefer-const": "error",
    },
  },
  {
    // The webviews run in the browser, not in the extension host.
    files: ["client/src/webview/**/*.ts"],
    languageOptions: { globals: { ...globals.browser } },
  },
);
