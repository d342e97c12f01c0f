export * from "./errors.ts";
export * from "./roles.ts";
export * from "./permissions.ts";
export * from "./totp.ts";
export * from "./base32.ts";
export * from "./text.ts";
export * from "./secret-box.ts";
export * from "./edtf.ts";
