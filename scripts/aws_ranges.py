#!/usr/bin/env python3
"""Derive cttui's compact AWS address table from AWS's published ip-ranges.json.

Usage: scripts/aws_ranges.py ip-ranges.json > assets/aws-ranges.txt

Output: a header of '#' lines (source createDate and syncToken), then one line per
non-overlapping address interval: `first last SERVICE region`. Each interval is labelled with
its most specific prefix (longest; on a tie a named service such as EC2 wins over the catch-all
AMAZON); neighbouring intervals with the same label are merged. cttui reads the same format from
`--aws-ranges FILE`, and also accepts AWS's JSON directly.
"""
import ipaddress
import json
import sys


def intervals(prefixes, key):
    """(start, end, prefixlen, specific, service, region) per prefix."""
    out = []
    for p in prefixes:
        net = ipaddress.ip_network(p[key], strict=False)
        service = p.get("service", "AMAZON")
        out.append((int(net.network_address), int(net.broadcast_address), net.prefixlen,
                    service != "AMAZON", service, p.get("region", "GLOBAL")))
    return out


def flatten(items):
    """Non-overlapping (start, end, service, region), most specific label wins."""
    bounds = sorted({i[0] for i in items} | {i[1] + 1 for i in items})
    # Sweep elementary segments; for each pick the best covering prefix. Prefixes nest
    # (CIDR), so a stack ordered by start works.
    items = sorted(items, key=lambda i: (i[0], -i[1]))
    segs = []
    j = 0
    active = []
    for a, b in zip(bounds, bounds[1:]):
        while j < len(items) and items[j][0] <= a:
            active.append(items[j])
            j += 1
        active = [i for i in active if i[1] >= a]
        if not active:
            continue
        best = max(active, key=lambda i: (i[2], i[3], i[4], i[5]))
        segs.append([a, b - 1, best[4], best[5]])
    merged = []
    for s in segs:
        if merged and merged[-1][1] + 1 == s[0] and merged[-1][2:] == s[2:]:
            merged[-1][1] = s[1]
        else:
            merged.append(s)
    return merged


def main():
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    print("# AWS IP address ranges for cttui, derived by scripts/aws_ranges.py")
    print(f"# source: ip-ranges.json createDate {doc.get('createDate')} syncToken {doc.get('syncToken')}")
    print("# format: first last SERVICE region (non-overlapping, sorted; most specific prefix wins)")
    for key, items, v in (("ip_prefix", doc.get("prefixes", []), 4),
                          ("ipv6_prefix", doc.get("ipv6_prefixes", []), 6)):
        for a, b, service, region in flatten(intervals(items, key)):
            cls = ipaddress.IPv4Address if v == 4 else ipaddress.IPv6Address
            print(f"{cls(a)} {cls(b)} {service} {region}")


if __name__ == "__main__":
    main()
