export { loadAppKey } from "./app-key.ts";
