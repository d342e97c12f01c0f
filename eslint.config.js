import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "vigil-data/", "test/interop/**/*.go", "bench/results/", "client/vendor/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: "readonly", console: "readonly", URL: "readonly", Buffer: "readonly", setTimeout: "readonly", clearTimeout: "readonly" },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": ["error", { allow: ["error", "warn"] }],
      eqeqeq: ["error", "always"],
    },
  },
  {
    files: ["src/cli/**", "bench/**", "scripts/**", "bin/**", "test/**"],
    rules: { "no-console": "off" },
  },
  {
    files: ["client/**"],
    languageOptions: { globals: { document: "readonly", window: "readonly", navigator: "readonly", fetch: "readonly", HTMLElement: "readonly" } },
  },
);
