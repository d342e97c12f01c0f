import type { X25519Identity } from "../vault/index.ts";

/**
 * The organisations' unsealed age identities, held only in this process's memory: a restart or
 * `seal` forgets them, and nothing writes them anywhere. Each Vigil process sharing a database
 * must be unsealed on its own.
 */
export class Keyring {
  readonly #identities = new Map<string, X25519Identity>();

  isSealed(orgId: string): boolean {
    return !this.#identities.has(orgId);
  }

  identity(orgId: string): X25519Identity | undefined {
    return this.#identities.get(orgId);
  }

  unseal(orgId: string, identity: X25519Identity): void {
    this.#identities.set(orgId, identity);
  }

  seal(orgId: string): void {
    const identity = this.#identities.get(orgId);
    // Best effort: overwrite the secret bytes, so a later heap dump is less likely to hold them.
    identity?.secretKey.fill(0);
    this.#identities.delete(orgId);
  }

  sealAll(): void {
    for (const orgId of [...this.#identities.keys()]) this.seal(orgId);
  }
}
