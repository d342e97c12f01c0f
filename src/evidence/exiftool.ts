import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * ExifTool (Debian's libimage-exiftool-perl) reads technical metadata and writes redacted copies.
 * It only ever sees plaintext in a private directory (mode 0700, files 0600) that the caller
 * removes at once; it is never asked to overwrite a file in place, so it leaves no `_original`.
 */
const EXIFTOOL = "exiftool";
const TIMEOUT_MS = 60_000;

function run(args: string[]): Promise<{ stdout: string; code: number }> {
  return new Promise((resolve, reject) => {
    execFile(EXIFTOOL, args, { timeout: TIMEOUT_MS, maxBuffer: 32 << 20, encoding: "utf8" }, (error, stdout) => {
      // exiftool exits 1 when it reports a problem in its JSON ("File is empty", "Unknown file type").
      if (error && typeof error.code !== "number") return reject(error);
      resolve({ stdout, code: typeof error?.code === "number" ? error.code : 0 });
    });
  });
}

/** A private scratch directory for plaintext; `use` must not keep paths beyond its promise. */
export async function withPrivateDirectory<T>(use: (dir: string) => Promise<T>): Promise<T> {
  // mkdtemp creates the directory 0700.
  const dir = await mkdtemp(join(tmpdir(), "vigil-plain-"));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export type Tags = Record<string, unknown>;

// Facts about the scratch copy rather than the evidence, and ExifTool's own version.
const SCRATCH_TAGS = /^(SourceFile|ExifTool:ExifToolVersion|File:(FileName|Directory|FileModifyDate|FileAccessDate|FileInodeChangeDate|FilePermissions|FileSize))$/;

/** Reads every tag, grouped (`EXIF:GPSLatitude`), numbers unformatted. The type comes from the content: the file has no extension. */
export async function readTags(path: string): Promise<Tags> {
  const { stdout } = await run(["-json", "-n", "-G", "-a", "-api", "LargeFileSupport=1", path]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return {};
  }
  const first = Array.isArray(parsed) ? (parsed[0] as Tags | undefined) : undefined;
  return Object.fromEntries(Object.entries(first ?? {}).filter(([k]) => !SCRATCH_TAGS.test(k)));
}

export function mediaTypeOf(tags: Tags): string {
  const mime = tags["File:MIMEType"];
  return typeof mime === "string" && /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/i.test(mime) ? mime.toLowerCase() : "application/octet-stream";
}

/** Image formats ExifTool can write a redacted copy of, with the extension it expects. */
const REDACTABLE: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/tiff": "tif",
  "image/webp": "webp",
  "image/heic": "heic",
  "image/gif": "gif",
};

export function isRedactable(mediaType: string): boolean {
  return mediaType in REDACTABLE;
}

/**
 * Where to decrypt an original before redacting it: ExifTool writes a copy only when the input's
 * extension names its type, so the extension comes from the type found in the content.
 */
export function redactionInput(dir: string, mediaType: string): string {
  const extension = REDACTABLE[mediaType];
  if (!extension) throw new RedactionFailed(`cannot redact ${mediaType}`);
  return join(dir, `original.${extension}`);
}

/** Tags that identify where, with what or by whom a picture was taken. A redacted copy must have none. */
const IDENTIFYING = /^[\w-]+:(GPS\w*|\w*SerialNumber\w*|\w*OwnerName|CameraOwner\w*|ThumbnailImage|ThumbnailOffset|ThumbnailLength|PreviewImage\w*|JpgFromRaw|OtherImage\w*|Artist|Creator|By-line|XPAuthor|Author|Copyright|HostComputer|ImageUniqueID|DocumentID|InstanceID|OriginalDocumentID)$/i;

export function identifyingTags(tags: Tags): string[] {
  return Object.keys(tags).filter((k) => IDENTIFYING.test(k));
}

export class RedactionFailed extends Error {
  override name = "RedactionFailed";
}

/**
 * Writes a copy of `input` without its metadata, keeping only what is needed to show the image
 * right (colour space, orientation), then reads the copy back to prove the identifying tags are gone.
 */
export async function writeRedactedCopy(input: string, dir: string, mediaType: string): Promise<string> {
  const extension = REDACTABLE[mediaType];
  if (!extension) throw new RedactionFailed(`cannot redact ${mediaType}`);
  const output = join(dir, `redacted.${extension}`);
  // Paths are absolute (they start with "/"), so none is taken for an option; exiftool reads "--X" as
  // "exclude tag X", so no "--" separator. -o writes a new file and never touches the input, so no FILE_original backup is made.
  const { code } = await run(["-q", "-q", "-all=", "-tagsFromFile", "@", "-ColorSpaceTags", "-Orientation", "-o", output, input]);
  if (code !== 0) throw new RedactionFailed("exiftool could not write the redacted copy");
  const remaining = identifyingTags(await readTags(output));
  if (remaining.length) throw new RedactionFailed(`the redacted copy still holds ${remaining.join(", ")}`);
  const leftovers = (await readdir(dir)).filter((name) => name.endsWith("_original"));
  if (leftovers.length) throw new RedactionFailed("exiftool left a backup copy behind");
  return output;
}
