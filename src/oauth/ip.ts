/** @module Is an IP address on the public internet? The SSRF gate for fetching client metadata documents: private, loopback, link-local, shared, documentation, multicast and reserved ranges are refused. */

/** IPv4 ranges that are not public unicast (IANA special-purpose registry, RFC 6890). */
const V4_BLOCKED: Array<[number, number]> = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
].map(([a, bits]) => [v4ToInt(a as string)!, bits as number]);

function v4ToInt(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255) || m.slice(1).some((p) => p.length > 1 && p.startsWith("0"))) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

function v4Public(n: number): boolean {
  return !V4_BLOCKED.some(([base, bits]) => bits === 0 || (n >>> (32 - bits)) === (base >>> (32 - bits)));
}

/** Parses an IPv6 address (no zone id) into 8 16-bit groups. */
function v6Groups(text: string): number[] | undefined {
  if (text.includes("%") || !text.includes(":")) return undefined;
  let body = text;
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    // A trailing dotted quad (::ffff:10.0.0.1) stands for the last two groups.
    const n = v4ToInt(text.slice(lastColon + 1));
    if (n === undefined) return undefined;
    body = `${text.slice(0, lastColon + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = body.split("::");
  if (halves.length > 2) return undefined;
  const parse = (s: string) => s === "" ? [] : s.split(":").map((g) => /^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN);
  const left = parse(halves[0]);
  const right = halves.length === 2 ? parse(halves[1]) : [];
  if ([...left, ...right].some(Number.isNaN)) return undefined;
  const fixed = left.length + right.length;
  if (halves.length === 1 ? fixed !== 8 : fixed > 7) return undefined;
  return [...left, ...Array(8 - fixed).fill(0), ...right];
}

/**
 * True only for a public unicast address. IPv6 must be global unicast (2000::/3) and not
 * documentation (2001:db8::/32), IETF protocol space (2001::/23, incl. Teredo), or 6to4 (2002::/16,
 * which embeds an arbitrary IPv4 address); IPv4-mapped addresses are judged as the IPv4 they carry.
 */
export function isPublicAddress(address: string): boolean {
  const text = address.replace(/^\[|\]$/g, "");
  const v4 = v4ToInt(text);
  if (v4 !== undefined) return v4Public(v4);
  const g = v6Groups(text);
  if (!g) return false;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return v4Public(((g[6] << 16) | g[7]) >>> 0);
  if ((g[0] & 0xe000) !== 0x2000) return false;
  if (g[0] === 0x2001 && g[1] === 0x0db8) return false;
  if (g[0] === 0x2001 && g[1] < 0x0200) return false;
  if (g[0] === 0x2002) return false;
  return true;
}

/** True when `hostname` is an IP literal (v4 dotted quad or bracketed/bare v6). */
export function isIpLiteral(hostname: string): boolean {
  const text = hostname.replace(/^\[|\]$/g, "");
  return v4ToInt(text) !== undefined || v6Groups(text) !== undefined;
}
