export { loadAppKey } from "./app-key.ts";
export { lockDataDir, DataDirLocked } from "./data-dir-lock.ts";
export { Keyring } from "./keyring.ts";
export { isVaultSealed, moveSecretValuesToVault, openSecretValues, openWithAppKey, sealToVault, sealWithAppKey, vaultRecipient } from "./secret-values.ts";
