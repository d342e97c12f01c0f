import { HASH_SIZE, type Hash } from "./hash.ts";
import { LedgerError } from "./errors.ts";
import { readStoredHashes, storedHashIndex, type HashReader } from "./stored-hashes.ts";

/**
 * C2SP tlog-tiles (c2sp.org/tlog-tiles): the tree served as static tiles of 256 hashes and the
 * entries as bundles of 256, so clients build any proof themselves and caches do the serving.
 */

/** tlog-tiles §"Merkle Tree": tiles have height 8, so a full tile holds 2^8 hashes. */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 2 ** TILE_HEIGHT;
/** tlog-tiles: "<L> … between 0 and 63". */
const MAX_TILE_LEVEL = 63;
/** tlog-tiles §"Log entries": each entry is prefixed by a big-endian uint16 length. */
export const MAX_ENTRY_SIZE = 0xffff;

/** A hash tile (level ≥ 0) or an entry bundle (`level: "entries"`), full when `width` is 256. */
export interface TileAddress {
  readonly level: number | "entries";
  readonly index: number;
  readonly width: number;
}

function malformedPath(path: string, reason: string): never {
  throw new LedgerError("malformed-tile-path", `${JSON.stringify(path)}: ${reason}`);
}

/** tlog-tiles: N in zero-padded 3-digit path elements, all but the last prefixed by "x" (1234067 → x001/x234/067). */
function formatTileIndex(index: number): string {
  const groups: string[] = [];
  let rest = index;
  do {
    groups.unshift(String(rest % 1000).padStart(3, "0"));
    rest = Math.floor(rest / 1000);
  } while (rest > 0);
  return groups.map((group, i) => (i < groups.length - 1 ? `x${group}` : group)).join("/");
}

/** Path of a tile or bundle relative to the log prefix: `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`. */
export function tilePath(tile: TileAddress): string {
  const { level, index, width } = tile;
  if (level !== "entries" && (!Number.isInteger(level) || level < 0 || level > MAX_TILE_LEVEL)) {
    throw new LedgerError("out-of-range", `tile level ${level}`);
  }
  if (!Number.isSafeInteger(index) || index < 0) throw new LedgerError("out-of-range", `tile index ${index}`);
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) throw new LedgerError("out-of-range", `tile width ${width}`);
  const partial = width < TILE_WIDTH ? `.p/${width}` : "";
  return `tile/${level}/${formatTileIndex(index)}${partial}`;
}

/**
 * Parses a tile or bundle path for the HTTP router. Only the one canonical spelling of each
 * tile is accepted (no leading zeros in L or W, no needless "x000/" group), so each immutable
 * resource has exactly one URL and a cache cannot be filled through aliases.
 */
export function parseTilePath(path: string): TileAddress {
  const match = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(path);
  if (!match) return malformedPath(path, "not tile/<L>/<N>[.p/<W>]");
  const [, levelText, indexText, widthText] = match as unknown as [string, string, string, string | undefined];
  const level = levelText === "entries" ? "entries" : Number(levelText);
  if (level !== "entries" && level > MAX_TILE_LEVEL) malformedPath(path, `level above ${MAX_TILE_LEVEL}`);
  const index = Number(indexText.replaceAll("x", "").replaceAll("/", ""));
  if (!Number.isSafeInteger(index)) malformedPath(path, "index too large");
  const width = widthText === undefined ? TILE_WIDTH : Number(widthText);
  if (widthText !== undefined && width >= TILE_WIDTH) malformedPath(path, "a partial tile has 1 to 255 entries");
  const tile: TileAddress = { level, index, width };
  if (tilePath(tile) !== path) malformedPath(path, "not the canonical spelling of this tile");
  return tile;
}

/**
 * Width of a tile in a tree of `size` leaves: 256 if full, 1–255 if it is the partial rightmost
 * tile (tlog-tiles §"Partial Tiles": floor(s / 256^l) mod 256), 0 if the tree has no such tile.
 * Entry bundles count like level-0 tiles.
 */
export function tileWidthAt(tile: Pick<TileAddress, "level" | "index">, size: number): number {
  const level = tile.level === "entries" ? 0 : tile.level;
  const hashesAtLevel = Math.floor(size / TILE_WIDTH ** level);
  const start = tile.index * TILE_WIDTH;
  if (hashesAtLevel >= start + TILE_WIDTH) return TILE_WIDTH;
  return Math.max(0, hashesAtLevel - start);
}

/**
 * The bytes of hash tile (L, N, W): the W hashes at tree level 8·L from index 256·N, each the
 * MTH of a complete subtree of 256^L leaves, so each is one stored hash — one read for the tile.
 */
export async function readHashTile(tile: TileAddress, size: number, reader: HashReader): Promise<Uint8Array> {
  if (tile.level === "entries") throw new LedgerError("out-of-range", "entry bundles are not hash tiles");
  const available = tileWidthAt(tile, size);
  if (tile.width > available) {
    throw new LedgerError("out-of-range", `${tilePath(tile)} does not exist in a tree of ${size} leaves`);
  }
  const treeLevel = tile.level * TILE_HEIGHT;
  const indexes = Array.from({ length: tile.width }, (_, i) => storedHashIndex(treeLevel, tile.index * TILE_WIDTH + i));
  const hashes = await readStoredHashes(reader, indexes);
  return Buffer.concat(hashes as Hash[], tile.width * HASH_SIZE);
}

/** tlog-tiles §"Log entries": the entries, each as a big-endian uint16 length then its bytes. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  if (entries.length === 0 || entries.length > TILE_WIDTH) throw new LedgerError("malformed-bundle", "a bundle holds 1 to 256 entries");
  const parts: Buffer[] = [];
  for (const entry of entries) {
    if (entry.length > MAX_ENTRY_SIZE) throw new LedgerError("leaf-too-large", `entry of ${entry.length} bytes exceeds ${MAX_ENTRY_SIZE}`);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(entry.length);
    parts.push(length, Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength));
  }
  return Buffer.concat(parts);
}

export function decodeEntryBundle(bundle: Uint8Array): Uint8Array[] {
  const bytes = Buffer.from(bundle.buffer, bundle.byteOffset, bundle.byteLength);
  const entries: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 2 > bytes.length) throw new LedgerError("malformed-bundle", "truncated length prefix");
    const length = bytes.readUInt16BE(offset);
    offset += 2;
    if (offset + length > bytes.length) throw new LedgerError("malformed-bundle", "truncated entry");
    entries.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  if (entries.length === 0 || entries.length > TILE_WIDTH) throw new LedgerError("malformed-bundle", "a bundle holds 1 to 256 entries");
  return entries;
}
