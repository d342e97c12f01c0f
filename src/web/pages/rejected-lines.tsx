import type { FC } from "hono/jsx";
import type { PageContext } from "./layout.tsx";

/**
 * The lines of an uploaded file that were refused, each with its reason: record imports, list
 * imports, name screening and supplier screening. Reasons written by Vigil are English; where a
 * reason quotes the file's own text (`quotesFile`) its direction follows that text.
 */
export const RejectedLines: FC<{ page: PageContext; rows: readonly { line: number; reason: string }[]; caption?: string; quotesFile?: boolean }> = ({ page, rows, caption, quotesFile }) => (
  <table>
    {caption ? <caption>{caption}</caption> : null}
    <thead>
      <tr>
        <th scope="col">{page.t("imports.line")}</th>
        <th scope="col">{page.t("imports.reason")}</th>
      </tr>
    </thead>
    <tbody>
      {rows.map((r) => (
        <tr>
          <td>{r.line}</td>
          {quotesFile ? <td dir="auto">{r.reason}</td> : <td lang="en" dir="ltr">{r.reason}</td>}
        </tr>
      ))}
    </tbody>
  </table>
);
