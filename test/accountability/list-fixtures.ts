// Sanctions list files in their publishers' real formats, made by the tests (no file is copied):
// OpenSanctions FtM JSON lines and simple CSV, the US Treasury SDN list as XML and CSV, the UK
// consolidated list CSV, and the UFLPA Entity List as a CSV read through its mapping.

export interface FtmLine {
  id: string;
  schema: string;
  properties: Record<string, string[]>;
}

export function ftmLines(entities: readonly FtmLine[]): string {
  return entities.map((e) => JSON.stringify({ ...e, caption: e.properties.name?.[0] ?? e.id, datasets: ["us_ofac_sdn"], first_seen: "2021-01-01T00:00:00", last_seen: "2024-05-01T00:00:00", target: true })).join("\n") + "\n";
}

const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const row = (cells: readonly string[]) => cells.map(cell).join(",") + "\r\n";

export function simpleCsv(rows: readonly { id: string; schema: string; name: string; aliases?: string; birth_date?: string; countries?: string; sanctions?: string }[]): string {
  const header = ["id", "schema", "name", "aliases", "birth_date", "countries", "addresses", "identifiers", "sanctions", "phones", "emails", "dataset", "first_seen", "last_seen", "last_change"];
  return row(header) + rows.map((r) => row([r.id, r.schema, r.name, r.aliases ?? "", r.birth_date ?? "", r.countries ?? "", "", "", r.sanctions ?? "", "", "", "US OFAC Specially Designated Nationals (SDN) List", "2021-01-01T00:00:00", "2024-05-01T00:00:00", "2023-12-01T00:00:00"])).join("");
}

export interface SdnEntry {
  uid: string;
  type: "Individual" | "Entity" | "Vessel" | "Aircraft" | string;
  firstName?: string;
  lastName: string;
  programs: string[];
  akas?: { firstName?: string; lastName: string; category?: "strong" | "weak" }[];
  dob?: string;
  nationality?: string;
  title?: string;
}

export function sdnXml(publishDate: string, entries: readonly SdnEntry[], extra = ""): string {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const body = entries.map((e) => `  <sdnEntry>
    <uid>${esc(e.uid)}</uid>
${e.firstName ? `    <firstName>${esc(e.firstName)}</firstName>\n` : ""}    <lastName>${esc(e.lastName)}</lastName>
${e.title ? `    <title>${esc(e.title)}</title>\n` : ""}    <sdnType>${esc(e.type)}</sdnType>
    <programList>
${e.programs.map((p) => `      <program>${esc(p)}</program>`).join("\n")}
    </programList>
${e.akas ? `    <akaList>\n${e.akas.map((a, i) => `      <aka>\n        <uid>${Number(e.uid) * 10 + i}</uid>\n        <type>a.k.a.</type>\n        <category>${a.category ?? "strong"}</category>\n${a.firstName ? `        <firstName>${esc(a.firstName)}</firstName>\n` : ""}        <lastName>${esc(a.lastName)}</lastName>\n      </aka>`).join("\n")}\n    </akaList>\n` : ""}${e.dob ? `    <dateOfBirthList>\n      <dateOfBirthItem>\n        <uid>${Number(e.uid) * 10}</uid>\n        <dateOfBirth>${esc(e.dob)}</dateOfBirth>\n        <mainEntry>true</mainEntry>\n      </dateOfBirthItem>\n    </dateOfBirthList>\n` : ""}${e.nationality ? `    <nationalityList>\n      <nationality>\n        <uid>${Number(e.uid) * 10 + 1}</uid>\n        <country>${esc(e.nationality)}</country>\n        <mainEntry>true</mainEntry>\n      </nationality>\n    </nationalityList>\n` : ""}  </sdnEntry>`).join("\n");
  return `<?xml version="1.0" standalone="yes"?>
<sdnList xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML">
  <publshInformation>
    <Publish_Date>${publishDate}</Publish_Date>
    <Record_Count>${entries.length}</Record_Count>
  </publshInformation>
${body}
${extra}</sdnList>
`;
}

/** sdn.csv: no header, twelve columns, "-0-" for empty; programmes as "A] [B". */
export function sdnCsv(rows: readonly { num: string; name: string; type: string; program: string; title?: string; remarks?: string }[]): string {
  const nul = "-0- ";
  return rows.map((r) => row([r.num, r.name, r.type || nul, r.program, r.title ?? nul, nul, nul, nul, nul, nul, nul, r.remarks ?? nul])).join("") + "\u001a";
}

export const UK_HEADER = [
  "Name 6", "Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Title", "Name Non-Latin Script", "Non-Latin Script Type", "Non-Latin Script Language", "DOB", "Town of Birth", "Country of Birth",
  "Nationality", "Passport Number", "Passport Details", "National Identification Number", "National Identification Details", "Position", "Address 1", "Address 2", "Address 3", "Address 4",
  "Address 5", "Address 6", "Post/Zip Code", "Country", "Other Information", "Group Type", "Alias Type", "Alias Quality", "Regime", "Listed On", "UK Sanctions List Date Designated", "Last Updated", "Group ID",
];

export function ukCsv(lastUpdated: string, rows: readonly Partial<Record<(typeof UK_HEADER)[number], string>>[]): string {
  return row(["Last Updated", lastUpdated]) + row(UK_HEADER) + rows.map((r) => row(UK_HEADER.map((h) => r[h] ?? ""))).join("");
}

export function uflpaCsv(rows: readonly { name: string; aka?: string; address?: string; country?: string; added?: string }[]): string {
  return row(["Entity Name", "Also Known As", "Address", "Country", "Date Added"]) + rows.map((r) => row([r.name, r.aka ?? "", r.address ?? "", r.country ?? "China", r.added ?? "2022-06-21"])).join("");
}
